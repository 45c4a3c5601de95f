package dev.flightdeck.cron;

import dev.flightdeck.jobs.Fields;
import dev.flightdeck.jobs.InvalidJobException;
import dev.flightdeck.jobs.JobSpec;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Set;

/**
 * A schedule's definition, validated: a name (unique per app), a cron expression in a time zone,
 * the job template (any job kind), and the policies.
 *
 * <pre>
 * {"name": "nightly", "cron": "0 3 * * *", "time_zone": "Europe/Berlin",
 *  "job": {"app": "batch", "kind": "run", "params": {…}},
 *  "concurrency_policy": "forbid", "starting_deadline_seconds": 300, "misfire_policy": "run_once",
 *  "jitter_seconds": 0, "history": {"succeeded": 3, "failed": 1}, "paused": false}
 * </pre>
 */
public record ScheduleSpec(String name, CronExpression cron, ZoneId zone, JsonObject job, JobSpec jobSpec,
    String concurrencyPolicy, long startingDeadlineSeconds, String misfirePolicy, int jitterSeconds,
    int keepSucceeded, int keepFailed, boolean paused) {

  public static final Set<String> CONCURRENCY = Set.of("allow", "forbid", "replace");
  public static final Set<String> MISFIRE = Set.of("skip", "run_once", "run_all");

  public String app() {
    return jobSpec.app();
  }

  /** Parses an API body (or a stored spec) with errors naming the field. */
  public static ScheduleSpec parse(JsonObject body, long defaultJobTimeoutSeconds) {
    Fields f = new Fields(body, "");
    String name = f.string("name", true);
    if (!name.matches("[a-z0-9][a-z0-9._-]{0,62}")) {
      throw new InvalidJobException("invalid_field", "name", "name must be lower-case letters, digits, '.', '_' or "
          + "'-' (at most 63), got '" + name + "'");
    }
    String cronText = f.string("cron", true);
    CronExpression cron;
    try {
      cron = CronExpression.parse(cronText);
    } catch (IllegalArgumentException e) {
      throw new InvalidJobException("invalid_cron", "cron", "invalid cron expression: " + e.getMessage());
    }
    String zoneText = f.string("time_zone", false);
    ZoneId zone;
    try {
      zone = zoneText == null ? ZoneId.of("UTC") : ZoneId.of(zoneText);
    } catch (DateTimeException e) {
      throw new InvalidJobException("invalid_field", "time_zone", "time_zone must be an IANA zone such as "
          + "Europe/Berlin or UTC, got '" + zoneText + "'");
    }
    JsonObject job = f.object("job");
    if (job == null) {
      throw new InvalidJobException("missing_field", "job", "job (the job template: app, kind, target, params, "
          + "options) is required");
    }
    JobSpec jobSpec;
    try {
      jobSpec = JobSpec.parse(job, defaultJobTimeoutSeconds);
    } catch (InvalidJobException e) {
      throw new InvalidJobException(e.code(), "job." + e.field(), "job." + e.getMessage());
    }
    if (jobSpec.options().dryRun()) {
      throw new InvalidJobException("invalid_field", "job.options.dry_run", "a scheduled job cannot be a dry run");
    }
    String concurrency = f.oneOf("concurrency_policy", CONCURRENCY, "allow");
    long deadline = f.integer("starting_deadline_seconds", 0, 31L * 24 * 3600, 60L);
    String misfire = f.oneOf("misfire_policy", MISFIRE, "run_once");
    int jitter = (int) (long) f.integer("jitter_seconds", 0, 3600, 0L);
    Fields h = Fields.of(f.raw("history"), "history");
    int keepSucceeded = (int) (long) h.integer("succeeded", 0, 1000, 3L);
    int keepFailed = (int) (long) h.integer("failed", 0, 1000, 1L);
    h.done();
    boolean paused = f.bool("paused", false);
    f.done();
    return new ScheduleSpec(name, cron, zone, job, jobSpec, concurrency, deadline, misfire, jitter, keepSucceeded,
        keepFailed, paused);
  }

  /** The stored form (normalised, with defaults filled in). */
  public JsonObject toJson() {
    return new JsonObject()
        .put("name", name)
        .put("cron", cron.text())
        .put("time_zone", zone.getId())
        .put("job", job)
        .put("concurrency_policy", concurrencyPolicy)
        .put("starting_deadline_seconds", startingDeadlineSeconds)
        .put("misfire_policy", misfirePolicy)
        .put("jitter_seconds", jitterSeconds)
        .put("history", new JsonObject().put("succeeded", keepSucceeded).put("failed", keepFailed))
        .put("paused", paused);
  }
}
