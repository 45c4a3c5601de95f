package dev.flightdeck.jobs;

import dev.flightdeck.fleet.Selector;
import dev.flightdeck.fly.RestartOptions;
import dev.flightdeck.fly.StopOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A submitted job, validated: which app, what kind, on which machines, with which parameters and
 * options. Parsed from the request body (and again from the stored body when a job is resumed).
 *
 * <pre>
 * {"app": "demo", "kind": "stop",
 *  "target": {"process_group": "worker", "region": "ord"}            // or {"machine_ids": […]}, or {"all": true}
 *  "params": {"signal": "SIGTERM", "timeout": "30s"},
 *  "options": {"max_concurrent": 10, "failure_policy": "abort", "abort_after": 3,
 *              "timeout_seconds": 600, "lease_ttl_seconds": 13, "priority": 0, "dry_run": false}}
 * </pre>
 */
public record JobSpec(String app, String kind, Target target, Params params, Options options) {

  public static final Set<String> KINDS = Set.of("create", "start", "stop", "suspend", "restart", "destroy", "update",
      "scale", "run");
  private static final Set<String> TARGETED = Set.of("start", "stop", "suspend", "restart", "destroy", "update");
  private static final Set<String> STATES = Set.of("created", "started", "stopped", "suspended", "failed",
      "starting", "stopping", "suspending", "replacing", "destroying", "restarting");
  private static final Set<String> SIGNALS = Set.of("SIGHUP", "SIGINT", "SIGQUIT", "SIGKILL", "SIGUSR1", "SIGUSR2",
      "SIGTERM");
  static final String APP_NAME = "[a-z0-9][a-z0-9-]{0,62}";
  // compiled once: String.matches compiles its pattern on every call, and these run on every submit
  private static final java.util.regex.Pattern APP_NAME_RE = java.util.regex.Pattern.compile(APP_NAME);
  private static final java.util.regex.Pattern MACHINE_ID_RE = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final String DURATION = "\\d+(\\.\\d+)?(ms|s|m|h)(\\d+(\\.\\d+)?(ms|s|m|h))*";

  /** Which machines: explicit ids, or a selector resolved from the fleet cache when the job starts. */
  public record Target(List<String> machineIds, Selector selector, boolean all) {
    public Selector toSelector() {
      return machineIds.isEmpty() ? selector : Selector.ALL.withIds(Set.copyOf(machineIds));
    }
  }

  /** Kind-specific parameters. */
  public sealed interface Params {}

  public record NoParams() implements Params {}

  public record CreateParams(int count, JsonObject config, List<String> regions, boolean skipLaunch) implements Params {}

  public record StopParams(StopOptions stop) implements Params {}

  public record RestartParams(RestartOptions restart) implements Params {}

  public record DestroyParams(boolean force) implements Params {}

  /** {@code maxUnavailable} ≥ 1 is a count of started machines; below 1, a fraction of them. */
  public record UpdateParams(String image, JsonObject config, double maxUnavailable) implements Params {}

  /**
   * {@code direction} ("up", "down" or "any"): an "up" scale only starts and creates, a "down" one
   * only stops, suspends or destroys; either does nothing when the group already went past the
   * count the other way (the autoscaler's decisions are made so, and never reverse each other).
   */
  public record ScaleParams(String processGroup, String region, int count, String downAction, String prefer, String direction,
      JsonObject config) implements Params {}

  public record RunParams(int count, JsonObject config, List<String> regions, List<Long> successExitCodes,
      boolean allowFailure) implements Params {}

  /** Job options; {@code abortAfter} 0 means "continue past failures". */
  public record Options(int maxConcurrent, int abortAfter, long timeoutSeconds, int leaseTtlSeconds, int priority,
      boolean dryRun) {}

  /** Parses and validates {@code body}; throws {@link InvalidJobException} naming the first bad field. */
  public static JobSpec parse(JsonObject body, long defaultTimeoutSeconds) {
    Fields top = new Fields(body, "");
    String app = top.string("app", true);
    if (!APP_NAME_RE.matcher(app).matches()) {
      throw new InvalidJobException("invalid_field", "app", "app must be a Fly app name (lower-case letters, digits "
          + "and dashes), got '" + app + "'");
    }
    String kind = top.string("kind", true);
    if (!KINDS.contains(kind)) {
      throw new InvalidJobException("invalid_field", "kind", "kind must be one of create, destroy, restart, run, scale, "
          + "start, stop, suspend, update; got '" + kind + "'");
    }
    Object rawTarget = top.raw("target");
    Target target;
    if (TARGETED.contains(kind)) {
      if (rawTarget == null) {
        throw new InvalidJobException("missing_field", "target", "target is required for a " + kind + " job");
      }
      target = target(Fields.of(rawTarget, "target"));
    } else {
      if (rawTarget != null) {
        throw new InvalidJobException("invalid_field", "target", "a " + kind + " job takes no target"
            + ("scale".equals(kind) ? " (name the group in params.process_group)" : ""));
      }
      target = new Target(List.of(), Selector.ALL, false);
    }
    Fields p = Fields.of(top.raw("params"), "params");
    Params params = params(kind, p);
    p.done();
    Options options = options(kind, Fields.of(top.raw("options"), "options"), defaultTimeoutSeconds);
    top.done();
    return new JobSpec(app, kind, target, params, options);
  }

  private static Target target(Fields t) {
    List<String> ids = t.strings("machine_ids", 10_000);
    for (int i = 0; i < ids.size(); i++) {
      if (!MACHINE_ID_RE.matcher(ids.get(i)).matches()) {
        throw new InvalidJobException("invalid_field", "target.machine_ids[" + i + "]", "target.machine_ids[" + i
            + "] is not a machine id: '" + ids.get(i) + "'");
      }
    }
    String group = t.string("process_group", false);
    String region = t.string("region", false);
    String state = t.string("state", false);
    if (state != null && !STATES.contains(state)) {
      throw new InvalidJobException("invalid_field", "target.state", "target.state must be a machine state such as "
          + "started or stopped, got '" + state + "'");
    }
    Map<String, String> metadata = t.stringMap("metadata", 32);
    boolean all = t.bool("all", false);
    t.done();
    boolean selects = group != null || region != null || state != null || !metadata.isEmpty();
    if (!ids.isEmpty() && (selects || all)) {
      throw new InvalidJobException("invalid_field", "target", "target takes either machine_ids or a selector, not both");
    }
    if (ids.isEmpty() && !selects && !all) {
      throw new InvalidJobException("empty_target", "target", "target must name machine_ids, or select machines by "
          + "process_group, region, state or metadata, or say \"all\": true");
    }
    Selector sel = new Selector(state == null ? Set.of() : Set.of(state), region == null ? Set.of() : Set.of(region),
        group == null ? Set.of() : Set.of(group), metadata, Set.of());
    return new Target(List.copyOf(ids), sel, all);
  }

  private static Params params(String kind, Fields p) {
    return switch (kind) {
      case "create" -> new CreateParams(count(p, 1), config(p, true), regions(p), p.bool("skip_launch", false));
      case "stop" -> new StopParams(new StopOptions(signal(p), duration(p, "timeout")));
      case "restart" -> new RestartParams(new RestartOptions(signal(p), duration(p, "timeout"), p.bool("force_stop",
          false)));
      case "destroy" -> new DestroyParams(p.bool("force", false));
      case "update" -> {
        String image = p.string("image", false);
        JsonObject config = config(p, false);
        if (image == null && config == null) {
          throw new InvalidJobException("missing_field", "params.image", "an update needs params.image or params.config");
        }
        if (image != null && image.isBlank()) {
          throw new InvalidJobException("invalid_field", "params.image", "params.image must not be empty");
        }
        double mu = p.number("max_unavailable", 0.0001, 10_000, 1.0);
        yield new UpdateParams(image, config, mu);
      }
      case "scale" -> {
        String group = p.string("process_group", true);
        String region = p.string("region", false);
        Long wanted = p.integer("count", 0, 10_000, null);
        if (wanted == null) {
          throw new InvalidJobException("missing_field", "params.count", "params.count (the number of started "
              + "machines wanted) is required");
        }
        int count = wanted.intValue();
        String down = p.oneOf("down_action", Set.of("stop", "suspend", "destroy"), "stop");
        String prefer = p.oneOf("prefer", Set.of("newest", "oldest"), "newest");
        String direction = p.oneOf("direction", Set.of("up", "down", "any"), "any");
        yield new ScaleParams(group, region, count, down, prefer, direction, config(p, false));
      }
      case "run" -> {
        int count = count(p, 1);
        JsonObject config = config(p, true);
        List<String> regions = regions(p);
        List<Long> codes = p.integers("success_exit_codes", 256, 0, 255);
        yield new RunParams(count, config, regions, codes == null ? List.of(0L) : codes, p.bool("allow_failure", false));
      }
      default -> new NoParams();
    };
  }

  private static int count(Fields p, int min) {
    Long n = p.integer("count", min, 10_000, null);
    if (n == null) {
      throw new InvalidJobException("missing_field", "params.count", "params.count is required");
    }
    return n.intValue();
  }

  private static JsonObject config(Fields p, boolean required) {
    JsonObject c = p.object("config");
    if (c == null) {
      if (required) {
        throw new InvalidJobException("missing_field", "params.config", "params.config (a machine config with at least "
            + "an image) is required");
      }
      return null;
    }
    if (required) {
      Object image = c.getValue("image");
      if (!(image instanceof String s) || s.isBlank()) {
        throw new InvalidJobException("missing_field", "params.config.image", "params.config.image is required");
      }
    }
    Object md = c.getValue("metadata");
    if (md != null && !(md instanceof JsonObject)) {
      throw Fields.type("params.config.metadata", "an object", md);
    }
    return c;
  }

  private static List<String> regions(Fields p) {
    List<String> r = p.strings("regions", 64);
    for (int i = 0; i < r.size(); i++) {
      if (!r.get(i).matches("[a-z]{3}")) {
        throw new InvalidJobException("invalid_field", "params.regions[" + i + "]", "params.regions[" + i
            + "] must be a three-letter region code such as ord, got '" + r.get(i) + "'");
      }
    }
    return r;
  }

  private static String signal(Fields p) {
    String s = p.string("signal", false);
    if (s != null && !SIGNALS.contains(s)) {
      throw new InvalidJobException("invalid_field", "params.signal", "params.signal must be one of "
          + String.join(", ", new java.util.TreeSet<>(SIGNALS)) + ", got '" + s + "'");
    }
    return s;
  }

  private static String duration(Fields p, String key) {
    String s = p.string(key, false);
    if (s != null && !s.matches(DURATION)) {
      throw new InvalidJobException("invalid_field", p.name(key), p.name(key) + " must be a duration such as 10s or "
          + "1m30s, got '" + s + "'");
    }
    return s;
  }

  private static Options options(String kind, Fields o, long defaultTimeoutSeconds) {
    int maxConcurrent = (int) (long) o.integer("max_concurrent", 1, 10_000, (long) Integer.MAX_VALUE);
    // a rolling update stops at the first failure unless told otherwise; everything else carries on
    String policy = o.oneOf("failure_policy", Set.of("continue", "abort"), "update".equals(kind) ? "abort" : "continue");
    Long abortAfter = o.integer("abort_after", 1, 1_000_000, null);
    if (abortAfter != null && "continue".equals(policy) && o.has("failure_policy")) {
      throw new InvalidJobException("invalid_field", "options.abort_after", "options.abort_after needs "
          + "failure_policy abort");
    }
    int abort = "continue".equals(policy) && abortAfter == null ? 0 : (int) (long) (abortAfter == null ? 1 : abortAfter);
    long timeout = o.integer("timeout_seconds", 1, 7 * 24 * 3600, defaultTimeoutSeconds);
    int leaseTtl = (int) (long) o.integer("lease_ttl_seconds", 2, 3600, 0L);
    int priority = (int) (long) o.integer("priority", -100, 100, 0L);
    boolean dryRun = o.bool("dry_run", false);
    o.done();
    return new Options(maxConcurrent, abort, timeout, leaseTtl, priority, dryRun);
  }
}
