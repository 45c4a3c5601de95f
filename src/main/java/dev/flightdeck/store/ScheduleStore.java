package dev.flightdeck.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Schedules and their ticks. A tick becomes at most one job: jobs carry
 * {@code (schedule_id, scheduled_at)} under a unique index, so however many instances fire the
 * same tick, one job is stored.
 */
public interface ScheduleStore {

  /** Stores a schedule; false if its app already has a schedule of that name. */
  Future<Boolean> createSchedule(ScheduleRecord s);

  Future<ScheduleRecord> getSchedule(String id);

  Future<Page<ScheduleRecord>> listSchedules(JobFilter filter, String cursor, int limit);

  /** Result of a replace. */
  enum Replaced { OK, NOT_FOUND, NAME_TAKEN }

  Future<Replaced> replaceSchedule(String id, String name, JsonObject spec, boolean paused, Long nextFireAt, Long nextDueAt,
      long now);

  Future<Boolean> deleteSchedule(String id);

  /** Pauses or resumes; on resume {@code nextFireAt} is the first tick after now. Returns the schedule after. */
  Future<ScheduleRecord> setPaused(String id, boolean paused, Long nextFireAt, Long nextDueAt, long now);

  /** The schedule's jobs, newest first. */
  Future<List<JobRecord>> scheduleJobs(String scheduleId, int limit);

  /** Recorded skips, newest first. */
  Future<List<Skip>> scheduleSkips(String scheduleId, int limit);

  record Skip(String scheduleId, long scheduledAt, String reason, long recordedAt) {}

  /**
   * Processes due schedules in one transaction: each schedule whose next tick is due at or before
   * {@code now} (locked, so another instance skips it meanwhile) is handed with its active jobs to
   * {@code planner}; the plan's jobs are inserted (a tick already fired is ignored), skips and
   * cancels recorded, and the next tick stored. Returns what was done.
   */
  Future<FireOutcome> fireDue(long now, int limit, TickPlanner planner);

  /** Decides, without I/O, what a due schedule's ticks become. */
  @FunctionalInterface
  interface TickPlanner {
    FirePlan plan(ScheduleRecord schedule, List<JobRecord> activeJobs, long now);
  }

  /** What to do for one schedule. {@code nextFireAt} null: no tick left; {@code nextDueAt}: it plus its jitter. */
  record FirePlan(List<NewScheduledJob> jobs, List<Skip> skips, List<String> cancelJobIds, Long nextFireAt,
      Long nextDueAt, int keepSucceeded, int keepFailed) {}

  /** A job for a tick (scheduledAt) or a manual trigger (scheduledAt null). firedAs: tick, catch_up, manual. */
  record NewScheduledJob(NewJob job, String scheduleId, Long scheduledAt, String firedAs, long dueAt) {}

  /** What {@link #fireDue} stored: jobs inserted (with when their tick was due), skips, cancels. */
  record FireOutcome(List<NewScheduledJob> inserted, List<Skip> skipped, int duplicates, int cancelled,
      int schedules) {}

  /** Stores a job for a schedule outside its ticks (run now). */
  Future<JobRecord> insertTriggered(NewScheduledJob job);

  /** Deletes old skips beyond {@code keep} per schedule. */
  Future<Integer> pruneSkips(int keep);
}
