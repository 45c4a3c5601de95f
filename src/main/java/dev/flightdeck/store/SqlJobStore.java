package dev.flightdeck.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Every job-store operation, written once over {@link Tx} (the statements are in {@link JobsSql},
 * {@link SchedulesSql} and {@link AutoscaleSql}); {@link SqliteJobStore} and {@link PgJobStore}
 * differ only in how statements reach the database, in transactions and group commits, and in the
 * claim query's locking clause.
 */
abstract class SqlJobStore implements JobStore {

  /** Runs a write in the next group commit. */
  protected abstract <T> Future<T> write(Tx.Work<T> work);

  /**
   * A write that reads a row and writes back what it read decided (a policy's cooldown): it must not
   * share a transaction with another such write, which would read the row before this one's update.
   * One writer running writes in turn (SQLite) already does that.
   */
  protected <T> Future<T> writeAlone(Tx.Work<T> work) {
    return write(work);
  }

  /** Runs a read on its own. */
  protected abstract <T> Future<T> read(Tx.Work<T> work);

  private volatile Observer observer = (k, n, f) -> { };

  @Override
  public void observe(Observer o) {
    this.observer = o;
  }

  /** Times one store operation for the observer. */
  protected final <T> Future<T> timed(String kind, java.util.function.Supplier<Future<T>> op) {
    long t0 = System.nanoTime();
    return op.get().andThen(ar -> observer.observe(kind, System.nanoTime() - t0, ar.failed()));
  }

  /** Appended to the claim's inner SELECT (PostgreSQL: {@code FOR UPDATE SKIP LOCKED}). */
  protected abstract String lockClause();

  /** Fails at once for a cursor this store did not make; otherwise runs {@code page}. */
  private static <T> Future<Page<T>> checkCursor(String cursor, java.util.function.Supplier<Future<Page<T>>> page) {
    if (cursor != null) {
      try {
        Sql.decodeCursor(cursor);
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(e);
      }
    }
    return page.get();
  }

  @Override
  public Future<InsertOutcome> insert(NewJob j) {
    return write(new JobsSql.InsertJob(j, null));
  }

  @Override
  public Future<InsertOutcome> insertClaimed(NewJob j, String owner) {
    return write(new JobsSql.InsertJob(j, java.util.Objects.requireNonNull(owner)));
  }

  @Override
  public Future<JobRecord> get(String id) {
    return read(tx -> JobsSql.get(tx, id));
  }

  @Override
  public Future<List<SlotRecord>> slots(String jobId) {
    return read(tx -> JobsSql.slots(tx, jobId));
  }

  @Override
  public Future<List<JobRecord>> activeJobs(String app, int limit) {
    return read(tx -> tx.query("SELECT * FROM jobs WHERE app = ? AND state IN ('queued', 'running') ORDER BY "
        + "created_at, id LIMIT ?", app, (long) limit).map(rows -> rows.stream().map(JobsSql::job).toList()));
  }

  @Override
  public Future<Page<JobRecord>> list(JobFilter f, String cursor, int limit) {
    if (f.appPatterns().isEmpty()) {
      return Future.succeededFuture(new Page<>(List.of(), null));
    }
    return checkCursor(cursor, () -> read(tx -> JobsSql.list(tx, f, cursor, limit)));
  }

  @Override
  public Future<List<JobRecord>> claim(String owner, int limit, long now, long staleBefore) {
    return claim(owner, limit, now, staleBefore, java.util.Set.of());
  }

  @Override
  public Future<Claimed> claimJobs(String owner, int limit, long now, long staleBefore,
      java.util.Set<String> excludedApps) {
    if (limit <= 0) {
      return Future.succeededFuture(Claimed.NONE);
    }
    List<Object> exclude = new ArrayList<>(excludedApps);
    return write(tx -> JobsSql.claim(tx, owner, limit, now, staleBefore, exclude, lockClause()));
  }

  @Override
  public Future<List<HeartbeatResult>> heartbeat(String owner, Collection<String> jobIds, long now) {
    List<String> ids = List.copyOf(jobIds);
    return write(tx -> JobsSql.heartbeat(tx, owner, ids, now));
  }

  @Override
  public Future<List<String>> runningOwnedBy(String owner) {
    return read(tx -> JobsSql.runningOwnedBy(tx, owner));
  }

  @Override
  public Future<Boolean> savePlan(String jobId, String owner, List<SlotRecord> slots, long now) {
    return write(tx -> JobsSql.savePlan(tx, jobId, owner, slots, now));
  }

  @Override
  public Future<Boolean> updateSlots(String jobId, String owner, List<SlotRecord> slots, JobRecord.Progress p,
      long now) {
    return write(tx -> JobsSql.updateSlots(tx, jobId, owner, slots, p, now));
  }

  @Override
  public Future<Boolean> finish(String jobId, String owner, String state, String error, JsonObject result,
      JobRecord.Progress p, long now) {
    return finish(jobId, owner, state, error, result, p, now, List.of());
  }

  @Override
  public Future<Boolean> finish(String jobId, String owner, String state, String error, JsonObject result,
      JobRecord.Progress p, long now, List<SlotRecord> slots) {
    return write(new JobsSql.FinishJob(jobId, owner, state, error, result, p, now, slots));
  }

  @Override
  public Future<JobRecord> requestCancel(String jobId, long now) {
    return write(tx -> JobsSql.requestCancel(tx, jobId, now));
  }

  @Override
  public Future<Integer> releaseClaims(String owner, long now) {
    return write(tx -> JobsSql.releaseClaims(tx, owner, now));
  }

  @Override
  public Future<Integer> releaseClaims(String owner, Collection<String> jobIds) {
    if (jobIds.isEmpty()) {
      return Future.succeededFuture(0);
    }
    List<Object> params = new ArrayList<>();
    params.add(owner);
    params.addAll(jobIds);
    return write(tx -> JobsSql.releaseClaims(tx, params, jobIds.size()));
  }

  @Override
  public Future<Integer> prune(long endedBefore, int keepEnded) {
    return prune(endedBefore, keepEnded, PRUNE_BATCH);
  }

  /** Jobs deleted per transaction by a prune: each batch is short, so other writes go in between. */
  static final int PRUNE_BATCH = 1000;

  /** {@code batch}: at most this many jobs per transaction, each on its own (never inside a group commit). */
  Future<Integer> prune(long endedBefore, int keepEnded, int batch) {
    return pruneFrom(endedBefore, keepEnded, batch, 0);
  }

  private Future<Integer> pruneFrom(long endedBefore, int keepEnded, int batch, int sofar) {
    return writeAlone(tx -> JobsSql.pruneBatch(tx, endedBefore, keepEnded, batch)).compose(n -> n < batch
        ? writeAlone(tx -> JobsSql.forgetSilentInstances(tx, System.currentTimeMillis())).map(x -> sofar + n)
        : pruneFrom(endedBefore, keepEnded, batch, sofar + n));
  }

  @Override
  public Future<Map<String, Long>> countByState() {
    return read(JobsSql::countByState);
  }

  @Override
  public Future<Void> ping() {
    return read(tx -> tx.query("SELECT 1 AS one").mapEmpty());
  }

  // ---------------------------------------------------------------- schedules

  @Override
  public Future<Boolean> createSchedule(ScheduleRecord s) {
    return write(tx -> SchedulesSql.createSchedule(tx, s));
  }

  @Override
  public Future<ScheduleRecord> getSchedule(String id) {
    return read(tx -> SchedulesSql.getSchedule(tx, id));
  }

  @Override
  public Future<Page<ScheduleRecord>> listSchedules(JobFilter f, String cursor, int limit) {
    return checkCursor(cursor, () -> read(tx -> SchedulesSql.listSchedules(tx, f, cursor, limit)));
  }

  @Override
  public Future<Replaced> replaceSchedule(String id, String name, JsonObject spec, boolean paused, Long nextFireAt,
      Long nextDueAt, long now) {
    return write(tx -> SchedulesSql.replaceSchedule(tx, id, name, spec, paused, nextFireAt, nextDueAt, now));
  }

  @Override
  public Future<Boolean> deleteSchedule(String id) {
    return write(tx -> SchedulesSql.deleteSchedule(tx, id));
  }

  @Override
  public Future<ScheduleRecord> setPaused(String id, boolean paused, Long nextFireAt, Long nextDueAt, long now) {
    return write(tx -> SchedulesSql.setPaused(tx, id, paused, nextFireAt, nextDueAt, now));
  }

  @Override
  public Future<List<JobRecord>> scheduleJobs(String scheduleId, int limit) {
    return read(tx -> SchedulesSql.scheduleJobs(tx, scheduleId, limit));
  }

  @Override
  public Future<List<Skip>> scheduleSkips(String scheduleId, int limit) {
    return read(tx -> SchedulesSql.scheduleSkips(tx, scheduleId, limit));
  }

  @Override
  public Future<FireOutcome> fireDue(long now, int limit, TickPlanner planner) {
    return write(tx -> SchedulesSql.fireDue(tx, now, limit, planner, lockClause()));
  }

  @Override
  public Future<JobRecord> insertTriggered(NewScheduledJob nj) {
    return write(tx -> SchedulesSql.insertTriggered(tx, nj));
  }

  @Override
  public Future<Integer> pruneSkips(int keep) {
    return write(tx -> SchedulesSql.pruneSkips(tx, keep));
  }

  @Override
  public Future<List<ScheduleRecord>> nextSchedules(int limit) {
    return read(tx -> SchedulesSql.nextSchedules(tx, limit));
  }

  // ---------------------------------------------------------------- autoscaling

  @Override
  public Future<Boolean> createPolicy(PolicyRecord p) {
    return write(tx -> AutoscaleSql.createPolicy(tx, p));
  }

  @Override
  public Future<PolicyRecord> getPolicy(String id) {
    return read(tx -> AutoscaleSql.getPolicy(tx, id, ""));
  }

  @Override
  public Future<Page<PolicyRecord>> listPolicies(JobFilter filter, String cursor, int limit) {
    return checkCursor(cursor, () -> read(tx -> AutoscaleSql.listPolicies(tx, filter, cursor, limit)));
  }

  @Override
  public Future<List<PolicyRecord>> allPolicies() {
    return read(AutoscaleSql::allPolicies);
  }

  @Override
  public Future<Replaced> replacePolicy(String id, String name, JsonObject spec, long now) {
    return write(tx -> AutoscaleSql.replacePolicy(tx, id, name, spec, now));
  }

  @Override
  public Future<Boolean> deletePolicy(String id) {
    return write(tx -> AutoscaleSql.deletePolicy(tx, id));
  }

  @Override
  public Future<Void> recordAlerts(List<StoredAlert> alerts, long now) {
    return write(tx -> AutoscaleSql.recordAlerts(tx, alerts, now));
  }

  @Override
  public Future<List<StoredAlert>> firingAlerts(long seenSince) {
    return read(tx -> AutoscaleSql.firingAlerts(tx, seenSince));
  }

  @Override
  public Future<Integer> pruneAlerts(long seenBefore) {
    return write(tx -> AutoscaleSql.pruneAlerts(tx, seenBefore));
  }

  @Override
  public Future<DecisionRecord> decide(String policyId, int keepDecisions, DecisionMaker maker) {
    return writeAlone(tx -> AutoscaleSql.decide(tx, policyId, keepDecisions, lockClause(), maker));
  }

  @Override
  public Future<List<DecisionRecord>> decisions(String policyId, int limit) {
    return read(tx -> AutoscaleSql.decisions(tx, policyId, limit));
  }
}
