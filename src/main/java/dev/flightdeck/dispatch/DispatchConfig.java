package dev.flightdeck.dispatch;

import dev.flightdeck.config.Checks;
import dev.flightdeck.config.ConfigException;

/**
 * The dispatcher ({@code dispatch.*}): in-flight limits, leases, deadlines, backoff and the
 * client-side mirror of the API's rate limits.
 */
public record DispatchConfig(
    int maxInFlight,
    int maxInFlightPerApp,
    int leaseTtlSeconds,
    long leaseConflictTimeoutMs,
    long opTimeoutMs,
    int waitTimeoutSeconds,
    String createTagKey,
    Backoff backoff,
    RateLimits rateLimits) {

  public DispatchConfig {
    Checks.atLeast("dispatch.max_in_flight", maxInFlight, 1);
    Checks.atLeast("dispatch.max_in_flight_per_app", maxInFlightPerApp, 1);
    Checks.atLeast("dispatch.lease_ttl_seconds", leaseTtlSeconds, 2);
    Checks.atLeast("dispatch.lease_conflict_timeout_ms", leaseConflictTimeoutMs, 0);
    Checks.atLeast("dispatch.op_timeout_ms", opTimeoutMs, 1);
    if (waitTimeoutSeconds < 1 || waitTimeoutSeconds > 60) {
      throw new ConfigException("dispatch.wait_timeout_seconds must be between 1 and 60 (the API's maximum), got "
          + waitTimeoutSeconds);
    }
    Checks.notBlank("dispatch.create_tag_key", createTagKey);
    Checks.present("dispatch.backoff", backoff);
    Checks.present("dispatch.rate_limits", rateLimits);
  }

  /**
   * Retry delays. {@code exponential}: a random delay in [0, min(cap, base·2^attempt)] ("full
   * jitter"); {@code fixed}: always {@code baseMs}. At most {@code maxAttempts} tries per step.
   */
  public record Backoff(String kind, long baseMs, long capMs, int maxAttempts) {
    public Backoff {
      if (!"exponential".equals(kind) && !"fixed".equals(kind)) {
        throw new ConfigException("dispatch.backoff.kind must be exponential or fixed, got '" + kind + "'");
      }
      Checks.atLeast("dispatch.backoff.base_ms", baseMs, 1);
      Checks.atLeast("dispatch.backoff.cap_ms", capMs, baseMs);
      Checks.atLeast("dispatch.backoff.max_attempts", maxAttempts, 1);
    }
  }

  /**
   * The client-side mirror of the API's documented limits, so that 429s are rare: per action and
   * machine (per app for create), and for Get Machine.
   */
  public record RateLimits(boolean enabled, double actionPerSecond, int actionBurst, double getMachinePerSecond,
      int getMachineBurst) {
    public RateLimits {
      Checks.positive("dispatch.rate_limits.action_per_second", actionPerSecond);
      Checks.atLeast("dispatch.rate_limits.action_burst", actionBurst, 1);
      Checks.positive("dispatch.rate_limits.get_machine_per_second", getMachinePerSecond);
      Checks.atLeast("dispatch.rate_limits.get_machine_burst", getMachineBurst, 1);
    }
  }
}
