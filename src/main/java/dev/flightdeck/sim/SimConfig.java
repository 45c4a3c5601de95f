package dev.flightdeck.sim;

import dev.flightdeck.config.Checks;
import dev.flightdeck.config.Secret;
import java.util.List;

/** Settings of the Machines API simulator ({@code sim.*} in conf/flightdeck.json). */
public record SimConfig(
    String host,
    int port,
    Secret token,
    String tokenOwner,
    String orgSlug,
    String defaultRegion,
    long seed,
    int maxMachineEvents,
    Latency latency,
    Ephemeral ephemeral,
    RateLimits rateLimits,
    Faults faults,
    List<SeedApp> seedApps) {

  public SimConfig {
    Checks.notBlank("sim.host", host);
    Checks.port("sim.port", port);
    Checks.present("sim.token", token);
    if (token.isEmpty()) {
      throw new dev.flightdeck.config.ConfigException("sim.token must not be empty");
    }
    Checks.notBlank("sim.token_owner", tokenOwner);
    Checks.notBlank("sim.org_slug", orgSlug);
    Checks.notBlank("sim.default_region", defaultRegion);
    Checks.atLeast("sim.max_machine_events", maxMachineEvents, 1);
    Checks.present("sim.latency", latency);
    Checks.present("sim.ephemeral", ephemeral);
    Checks.present("sim.rate_limits", rateLimits);
    Checks.present("sim.faults", faults);
    seedApps = Checks.list("sim.seed_apps", seedApps);
  }

  /**
   * Latency model. {@code responseMs} (± {@code responseJitterMs}) delays every answer; the
   * others are how long a machine stays in the transient state of each transition.
   */
  public record Latency(
      long responseMs,
      long responseJitterMs,
      long createMs,
      long startMs,
      long stopMs,
      long suspendMs,
      long restartMs,
      long updateMs,
      long destroyMs) {

    public Latency {
      Checks.atLeast("sim.latency.response_ms", responseMs, 0);
      Checks.atLeast("sim.latency.response_jitter_ms", responseJitterMs, 0);
      Checks.atLeast("sim.latency.create_ms", createMs, 0);
      Checks.atLeast("sim.latency.start_ms", startMs, 0);
      Checks.atLeast("sim.latency.stop_ms", stopMs, 0);
      Checks.atLeast("sim.latency.suspend_ms", suspendMs, 0);
      Checks.atLeast("sim.latency.restart_ms", restartMs, 0);
      Checks.atLeast("sim.latency.update_ms", updateMs, 0);
      Checks.atLeast("sim.latency.destroy_ms", destroyMs, 0);
    }

    public static Latency zero() {
      return new Latency(0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
  }

  /**
   * How "ephemeral" machines behave: a machine whose config has {@code auto_destroy: true}, or
   * whose env sets {@code SIM_RUN_MS}, exits after its run time with its exit code
   * ({@code SIM_EXIT_CODE} in env overrides {@code exitCode}). {@code runMs} 0 disables the default.
   */
  public record Ephemeral(long runMs, int exitCode) {
    public Ephemeral {
      Checks.atLeast("sim.ephemeral.run_ms", runMs, 0);
    }
  }

  /** The API's documented limits: 1 req/s burst 3 per action and machine (or app, for create). */
  public record RateLimits(
      boolean enabled,
      double actionPerSecond,
      int actionBurst,
      double getMachinePerSecond,
      int getMachineBurst,
      double appDeletePerMinute,
      boolean retryAfter) {

    public RateLimits {
      Checks.positive("sim.rate_limits.action_per_second", actionPerSecond);
      Checks.atLeast("sim.rate_limits.action_burst", actionBurst, 1);
      Checks.positive("sim.rate_limits.get_machine_per_second", getMachinePerSecond);
      Checks.atLeast("sim.rate_limits.get_machine_burst", getMachineBurst, 1);
      Checks.positive("sim.rate_limits.app_delete_per_minute", appDeletePerMinute);
    }

    public static RateLimits off() {
      return new RateLimits(false, 1, 3, 5, 10, 100, false);
    }
  }

  /**
   * Fault injection; also settable at run time through {@code PUT /sim/faults}. {@code operations}
   * limits the request faults to those spec operationIds (e.g. {@code Machines_create}); empty means
   * all. {@code startFailureRate} is a machine fault instead: that share of boots (start, and create
   * without {@code skip_launch}) ends in the {@code failed} state rather than {@code started}.
   */
  public record Faults(
      long seed,
      double errorRate,
      double throttleRate,
      double slowRate,
      long slowMs,
      double dropBeforeRate,
      double dropAfterRate,
      boolean mutationsOnly,
      List<String> operations,
      double startFailureRate) {

    public Faults {
      operations = Checks.list("sim.faults.operations", operations);
      Checks.fraction("sim.faults.error_rate", errorRate);
      Checks.fraction("sim.faults.throttle_rate", throttleRate);
      Checks.fraction("sim.faults.slow_rate", slowRate);
      Checks.atLeast("sim.faults.slow_ms", slowMs, 0);
      Checks.fraction("sim.faults.drop_before_rate", dropBeforeRate);
      Checks.fraction("sim.faults.drop_after_rate", dropAfterRate);
      Checks.fraction("sim.faults.start_failure_rate", startFailureRate);
    }

    public static Faults none() {
      return new Faults(1, 0, 0, 0, 0, 0, 0, false, List.of(), 0);
    }

    /** Whether the faults apply to a request of {@code operationId} (mutating or not). */
    public boolean appliesTo(String operationId, boolean mutation) {
      return any() && (mutation || !mutationsOnly) && (operations.isEmpty() || operations.contains(operationId));
    }

    public boolean any() {
      return errorRate > 0 || throttleRate > 0 || slowRate > 0 || dropBeforeRate > 0 || dropAfterRate > 0;
    }
  }

  /** An app created at start-up with {@code machines} machines spread over regions and groups. */
  public record SeedApp(
      String name, int machines, List<String> regions, List<String> processGroups, String image, String state) {

    public SeedApp {
      Checks.notBlank("sim.seed_apps[].name", name);
      Checks.atLeast("sim.seed_apps[].machines", machines, 0);
      regions = Checks.list("sim.seed_apps[].regions", regions);
      processGroups = Checks.list("sim.seed_apps[].process_groups", processGroups);
      if (regions.isEmpty()) {
        throw new dev.flightdeck.config.ConfigException("sim.seed_apps[].regions must name at least one region");
      }
      if (processGroups.isEmpty()) {
        processGroups = List.of("app");
      }
      Checks.notBlank("sim.seed_apps[].image", image);
      if (!List.of("stopped", "started", "created", "suspended").contains(state)) {
        throw new dev.flightdeck.config.ConfigException(
            "sim.seed_apps[].state must be one of created, started, stopped, suspended, got '" + state + "'");
      }
    }
  }
}
