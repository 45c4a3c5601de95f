package dev.flightdeck.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.List;

/**
 * Durable jobs (and schedules). {@link SqliteJobStore} for one instance, {@link PgJobStore} for several sharing
 * the work. Writes made under a claim name the owner and change nothing if the claim was lost
 * (they then answer false). Times are epoch ms from the caller's clock.
 */
public interface JobStore extends ScheduleStore, AutoscaleStore {

  /** Opens the store and applies pending migrations. */
  Future<Void> start();

  Future<Void> close();

  /** Jobs per state (metrics). */
  Future<java.util.Map<String, Long>> countByState();

  /** The next {@code limit} schedules to fire: (app, name, next fire at) (metrics). */
  Future<List<ScheduleRecord>> nextSchedules(int limit);

  /** Sees every store operation: {@code read} or {@code write}, its latency in ns, and whether it failed. */
  @FunctionalInterface
  interface Observer {
    void observe(String kind, long nanos, boolean failed);
  }

  void observe(Observer observer);

  /** Cheap round trip for readiness. */
  Future<Void> ping();

  /** Whether several instances may share this store (PostgreSQL). */
  boolean shared();

  /** Stores a job; returns once committed. Same idempotency key + same hash → EXISTING; other hash → CONFLICT. */
  Future<InsertOutcome> insert(NewJob job);

  /**
   * As {@link #insert(NewJob)}, the job stored already claimed by {@code owner} (running, claim #1,
   * heart-beaten and started at its creation): the instance it was submitted to runs it at once, and
   * no claim has to take it from the queue. If that instance dies, it is taken over like any claim.
   */
  Future<InsertOutcome> insertClaimed(NewJob job, String owner);

  /** The job, or null. */
  Future<JobRecord> get(String id);

  Future<List<SlotRecord>> slots(String jobId);

  /** Newest first; {@code cursor} from the previous page, or null. */
  Future<Page<JobRecord>> list(JobFilter filter, String cursor, int limit);

  /**
   * Claims up to {@code limit} jobs for {@code owner}: queued ones, and running ones whose
   * heartbeat is older than {@code staleBefore} (their owner stopped). Highest priority, then
   * oldest, first. Claimed jobs are {@code running}, owned and heart-beaten at {@code now}.
   */
  Future<List<JobRecord>> claim(String owner, int limit, long now, long staleBefore);

  /**
   * As {@link #claim(String, int, long, long)}, skipping jobs of {@code excludedApps} (apps at
   * their running cap); {@code staleBefore} {@link Long#MIN_VALUE} takes nothing over.
   */
  default Future<List<JobRecord>> claim(String owner, int limit, long now, long staleBefore,
      java.util.Set<String> excludedApps) {
    return claimJobs(owner, limit, now, staleBefore, excludedApps).map(Claimed::jobs);
  }

  /**
   * As {@link #claim(String, int, long, long, java.util.Set)}, saying which jobs were taken over
   * from an instance that stopped heart-beating (and which one) rather than given back by their owner.
   */
  Future<Claimed> claimJobs(String owner, int limit, long now, long staleBefore, java.util.Set<String> excludedApps);

  /** Ids of the running jobs {@code owner} holds in the store. */
  Future<List<String>> runningOwnedBy(String owner);

  /** Renews the claims on {@code jobIds}; reports which are still owned and which have a cancel request. */
  Future<List<HeartbeatResult>> heartbeat(String owner, Collection<String> jobIds, long now);

  /**
   * Gives up the claims on running jobs at shutdown: they stay {@code running}, and any instance
   * (this one after a restart, or another) may take them over at once. Returns how many.
   */
  Future<Integer> releaseClaims(String owner, Collection<String> jobIds);

  /** Stores the plan (all slots) of a job owned by {@code owner}. */
  Future<Boolean> savePlan(String jobId, String owner, List<SlotRecord> slots, long now);

  /** Records slot changes and the job's progress. */
  Future<Boolean> updateSlots(String jobId, String owner, List<SlotRecord> slots, JobRecord.Progress progress, long now);

  /** Ends a job. */
  Future<Boolean> finish(String jobId, String owner, String state, String error, JsonObject result,
      JobRecord.Progress progress, long now);

  /** Ends a job and stores {@code slots} (new or changed) in the same write. */
  Future<Boolean> finish(String jobId, String owner, String state, String error, JsonObject result,
      JobRecord.Progress progress, long now, List<SlotRecord> slots);

  /** Asks for a job to be cancelled; a queued job is cancelled at once. Returns the job after, or null. */
  Future<JobRecord> requestCancel(String jobId, long now);

  /** Gives up this owner's claims (graceful shutdown): its running jobs can be claimed at once. */
  Future<Integer> releaseClaims(String owner, long now);

  /** Deletes ended jobs that ended before {@code endedBefore}, and beyond the newest {@code keepEnded}. */
  Future<Integer> prune(long endedBefore, int keepEnded);
}
