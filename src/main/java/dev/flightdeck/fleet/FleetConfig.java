package dev.flightdeck.fleet;

import dev.flightdeck.config.Checks;

/**
 * The fleet cache ({@code fleet.*}): how often each app in use is re-listed (interval ± jitter)
 * and when its data counts as stale for callers that ask for fresh data.
 */
public record FleetConfig(long refreshIntervalMs, long refreshJitterMs, long staleAfterMs) {
  public FleetConfig {
    Checks.atLeast("fleet.refresh_interval_ms", refreshIntervalMs, 100);
    Checks.atLeast("fleet.refresh_jitter_ms", refreshJitterMs, 0);
    Checks.atLeast("fleet.stale_after_ms", staleAfterMs, 1);
  }
}
