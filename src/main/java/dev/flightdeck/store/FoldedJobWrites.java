package dev.flightdeck.store;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * PostgreSQL: the job inserts and job ends of one group commit, each kind sent as one statement over
 * arrays ({@code unnest}) instead of one statement per job: one bind, one executor start and one set
 * of protocol messages for the lot (about ten writes per commit in the jobs bench; the saving was
 * within that bench's noise, see the README). Only writes that need no read of their own fold: inserts without
 * an idempotency key and ends that write nothing but the job's row. The rest run as they are. A failed
 * statement fails the transaction, and the group commit then runs every write alone, unfolded.
 */
final class FoldedJobWrites {

  private static final String INSERT = "INSERT INTO jobs (id, app, kind, state, spec, priority, idempotency_key, "
      + "request_hash, submitted_by, created_at, updated_at, schedule_id, scheduled_at, fired_as, owner, heartbeat_at, "
      + "started_at, claims) SELECT u.id, u.app, u.kind, u.state, u.spec, u.priority, NULL, u.request_hash, "
      + "u.submitted_by, u.created_at, u.created_at, NULL, NULL, NULL, u.owner, u.claimed_at, u.claimed_at, u.claims "
      + "FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int4[], ?::text[], ?::text[], "
      + "?::int8[], ?::text[], ?::int8[], ?::int4[]) AS u(id, app, kind, state, spec, priority, request_hash, "
      + "submitted_by, created_at, owner, claimed_at, claims)";

  // the same guard as JobsSql.finish: only the owner ends a running job
  private static final String FINISH = "UPDATE jobs SET state = u.state, finished_at = u.at, error = u.error, "
      + "result = u.result, succeeded = u.succeeded, failed = u.failed, skipped = u.skipped, cancelled = u.cancelled, "
      + "total = u.total, updated_at = u.at, slot = u.slot FROM unnest(?::text[], ?::text[], ?::text[], ?::int8[], "
      + "?::text[], ?::text[], ?::int4[], ?::int4[], ?::int4[], ?::int4[], ?::int4[], ?::text[]) AS u(id, owner, "
      + "state, at, error, result, succeeded, failed, skipped, cancelled, total, slot) WHERE jobs.id = u.id "
      + "AND jobs.owner = u.owner AND jobs.state = 'running' RETURNING jobs.id";

  /** One statement (or one write's statements) of a folded batch. */
  interface Step {
    Future<Void> run(Tx tx);
  }

  private final List<GroupCommit.Pending<?>> inserts = new ArrayList<>();
  private final List<GroupCommit.Pending<?>> finishes = new ArrayList<>();

  private FoldedJobWrites() {}

  /**
   * The batch as steps, in its order: a run of foldable writes becomes at most one insert and one end
   * statement; any other write stays where it was, so nothing moves across it (an end must not move
   * behind the hand-back of its owner's jobs, say). Within a run the order does not matter: a job's
   * insert commits before it can run, so its end is never in the run of its insert.
   */
  static List<Step> steps(List<GroupCommit.Pending<?>> batch, java.util.function.BiFunction<GroupCommit.Pending<?>,
      Tx, Future<Void>> alone) {
    List<Step> out = new ArrayList<>();
    FoldedJobWrites run = new FoldedJobWrites();
    Set<String> ending = new HashSet<>();
    for (GroupCommit.Pending<?> p : batch) {
      if (p.work instanceof JobsSql.InsertJob i && i.foldable()) {
        run.inserts.add(p);
      } else if (p.work instanceof JobsSql.FinishJob f && f.foldable() && ending.add(f.jobId())) {
        run.finishes.add(p); // one end per job in a statement: an UPDATE … FROM changes a row once
      } else {
        run.flush(out, alone);
        run = new FoldedJobWrites();
        ending.clear();
        out.add(tx -> alone.apply(p, tx));
      }
    }
    run.flush(out, alone);
    return out;
  }

  private void flush(List<Step> out, java.util.function.BiFunction<GroupCommit.Pending<?>, Tx, Future<Void>> alone) {
    if (inserts.size() == 1) {
      GroupCommit.Pending<?> p = inserts.get(0);
      out.add(tx -> alone.apply(p, tx));
    } else if (!inserts.isEmpty()) {
      out.add(this::insert);
    }
    if (finishes.size() == 1) {
      GroupCommit.Pending<?> p = finishes.get(0);
      out.add(tx -> alone.apply(p, tx));
    } else if (!finishes.isEmpty()) {
      out.add(this::finish);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Future<Void> insert(Tx tx) {
    int n = inserts.size();
    if (n == 0) {
      return Future.succeededFuture();
    }
    String[] id = new String[n];
    String[] app = new String[n];
    String[] kind = new String[n];
    String[] state = new String[n];
    String[] spec = new String[n];
    Integer[] priority = new Integer[n];
    String[] requestHash = new String[n];
    String[] submittedBy = new String[n];
    Long[] createdAt = new Long[n];
    String[] owner = new String[n];
    Long[] claimedAt = new Long[n];
    Integer[] claims = new Integer[n];
    for (int k = 0; k < n; k++) {
      JobsSql.InsertJob w = (JobsSql.InsertJob) inserts.get(k).work;
      NewJob j = w.job();
      boolean claimed = w.owner() != null;
      id[k] = j.id();
      app[k] = j.app();
      kind[k] = j.kind();
      state[k] = claimed ? JobRecord.RUNNING : JobRecord.QUEUED;
      spec[k] = j.spec().encode();
      priority[k] = j.priority();
      requestHash[k] = j.requestHash();
      submittedBy[k] = j.submittedBy();
      createdAt[k] = j.createdAt();
      owner[k] = w.owner();
      claimedAt[k] = claimed ? j.createdAt() : null;
      claims[k] = claimed ? 1 : 0;
    }
    return tx.update(INSERT, id, app, kind, state, spec, priority, requestHash, submittedBy, createdAt, owner,
        claimedAt, claims).compose(rows -> {
          if (rows != n) {
            return Future.failedFuture(new StoreException("folded insert stored " + rows + " of " + n + " jobs", null));
          }
          for (GroupCommit.Pending p : inserts) {
            p.result = ((JobsSql.InsertJob) p.work).inserted();
          }
          return Future.succeededFuture();
        });
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Future<Void> finish(Tx tx) {
    int n = finishes.size();
    if (n == 0) {
      return Future.succeededFuture();
    }
    String[] id = new String[n];
    String[] owner = new String[n];
    String[] state = new String[n];
    Long[] at = new Long[n];
    String[] error = new String[n];
    String[] result = new String[n];
    Integer[] succeeded = new Integer[n];
    Integer[] failed = new Integer[n];
    Integer[] skipped = new Integer[n];
    Integer[] cancelled = new Integer[n];
    Integer[] total = new Integer[n];
    String[] slot = new String[n];
    for (int k = 0; k < n; k++) {
      JobsSql.FinishJob f = (JobsSql.FinishJob) finishes.get(k).work;
      id[k] = f.jobId();
      owner[k] = f.owner();
      state[k] = f.state();
      at[k] = f.now();
      error[k] = f.error();
      result[k] = f.result() == null ? null : f.result().encode();
      succeeded[k] = f.p().succeeded();
      failed[k] = f.p().failed();
      skipped[k] = f.p().skipped();
      cancelled[k] = f.p().cancelled();
      total[k] = f.p().total();
      slot[k] = f.inlineSlot();
    }
    return tx.query(FINISH, id, owner, state, at, error, result, succeeded, failed, skipped, cancelled, total, slot)
        .map(rows -> {
          Set<String> ended = new HashSet<>(rows.size() * 2);
          rows.forEach(r -> ended.add(r.string("id")));
          for (GroupCommit.Pending p : finishes) {
            p.result = ended.contains(((JobsSql.FinishJob) p.work).jobId());
          }
          return null;
        });
  }
}
