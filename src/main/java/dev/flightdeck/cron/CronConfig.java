package dev.flightdeck.cron;

import dev.flightdeck.config.Checks;

/**
 * The cron scheduler ({@code cron.*}): how often due schedules are looked for, how many at once,
 * how many missed ticks {@code run_all} may catch up, and how many skips are kept per schedule.
 */
public record CronConfig(boolean enabled, long pollIntervalMs, int batch, int maxCatchUp, int skipHistory) {
  public CronConfig {
    Checks.atLeast("cron.poll_interval_ms", pollIntervalMs, 10);
    Checks.atLeast("cron.batch", batch, 1);
    Checks.atLeast("cron.max_catch_up", maxCatchUp, 1);
    Checks.atLeast("cron.skip_history", skipHistory, 1);
  }
}
