package dev.flightdeck.jobs;

import dev.flightdeck.config.Checks;

/**
 * The job runner ({@code jobs.*}): how many jobs run at once, how claims are polled and
 * heart-beaten, when another instance may take a job over, how long running jobs may finish at
 * shutdown before they are handed back, and how long ended jobs are kept.
 */
public record JobsConfig(
    int maxRunning,
    int maxRunningPerApp,
    long pollIntervalMs,
    long heartbeatIntervalMs,
    long heartbeatTimeoutMs,
    long planMaxAgeMs,
    long defaultTimeoutSeconds,
    long eventsPollIntervalMs,
    long shutdownGraceMs,
    Retention retention) {

  public JobsConfig {
    // 0: a front door that stores jobs for other instances to run
    Checks.atLeast("jobs.max_running", maxRunning, 0);
    Checks.atLeast("jobs.max_running_per_app", maxRunningPerApp, 1);
    Checks.atLeast("jobs.poll_interval_ms", pollIntervalMs, 10);
    Checks.atLeast("jobs.heartbeat_interval_ms", heartbeatIntervalMs, 10);
    Checks.atLeast("jobs.heartbeat_timeout_ms", heartbeatTimeoutMs, heartbeatIntervalMs * 2);
    Checks.atLeast("jobs.plan_max_age_ms", planMaxAgeMs, 0);
    Checks.atLeast("jobs.default_timeout_seconds", defaultTimeoutSeconds, 1);
    Checks.atLeast("jobs.events_poll_interval_ms", eventsPollIntervalMs, 10);
    Checks.atLeast("jobs.shutdown_grace_ms", shutdownGraceMs, 0);
    Checks.present("jobs.retention", retention);
  }

  public record Retention(long maxAgeHours, int maxEndedJobs, long pruneIntervalMs) {
    public Retention {
      Checks.atLeast("jobs.retention.max_age_hours", maxAgeHours, 1);
      Checks.atLeast("jobs.retention.max_ended_jobs", maxEndedJobs, 1);
      Checks.atLeast("jobs.retention.prune_interval_ms", pruneIntervalMs, 1000);
    }
  }
}
