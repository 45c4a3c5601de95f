package dev.flightdeck.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The job statements (jobs, their slots and instance liveness), over {@link Tx}; {@link SqlJobStore} runs them. */
final class JobsSql {

  private JobsSql() {}

  /** {@code owner} non-null: the job is stored claimed by it (running, claim #1), which runs it at once. */
  static Future<InsertOutcome> insert(Tx tx, NewJob j, String owner) {
    Future<InsertOutcome> existing = j.idempotencyKey() == null ? Future.succeededFuture(null)
        : byKey(tx, j);
    return existing.compose(found -> {
      if (found != null) {
        return Future.succeededFuture(found);
      }
      return tx.update(INSERT_JOB + " ON CONFLICT (submitted_by, app, idempotency_key) WHERE idempotency_key IS NOT NULL "
          + "DO NOTHING",
          jobRow(j, null, null, null, owner))
          .compose(n -> n == 1 ? Future.succeededFuture(InsertOutcome.inserted(fresh(j, owner)))
              // another instance stored the same key in the meantime
              : byKey(tx, j));
    });
  }

  /** A job's insert as a value, so a group commit can fold several into one statement ({@link FoldedJobWrites}). */
  record InsertJob(NewJob job, String owner) implements Tx.Work<InsertOutcome> {
    @Override
    public Future<InsertOutcome> run(Tx tx) {
      return insert(tx, job, owner);
    }

    /** Without an idempotency key there is nothing to look up first: one row, always new. */
    boolean foldable() {
      return job.idempotencyKey() == null;
    }

    InsertOutcome inserted() {
      return InsertOutcome.inserted(fresh(job, owner));
    }
  }

  /** A job's end as a value, so a group commit can fold several into one statement ({@link FoldedJobWrites}). */
  record FinishJob(String jobId, String owner, String state, String error, JsonObject result, JobRecord.Progress p,
      long now, List<SlotRecord> slots) implements Tx.Work<Boolean> {
    @Override
    public Future<Boolean> run(Tx tx) {
      return finish(tx, jobId, owner, state, error, result, p, now, slots);
    }

    /** Everything it writes is in the job's own row (no job_slots rows). */
    boolean foldable() {
      return slots.size() <= 1;
    }

    String inlineSlot() {
      return slots.size() == 1 ? slotJson(slots.get(0)).encode() : null;
    }
  }

  private static Future<InsertOutcome> byKey(Tx tx, NewJob j) {
    // scoped to the submitter and the app: another tenant's key is another key
    return tx.query("SELECT * FROM jobs WHERE submitted_by = ? AND app = ? AND idempotency_key = ?", j.submittedBy(),
        j.app(), j.idempotencyKey()).map(rows -> {
      if (rows.isEmpty()) {
        return null;
      }
      JobRecord found = job(rows.get(0));
      boolean same = found.requestHash() != null && found.requestHash().equals(j.requestHash());
      return new InsertOutcome(same ? InsertOutcome.Kind.EXISTING : InsertOutcome.Kind.CONFLICT, found);
    });
  }

  private static JobRecord fresh(NewJob j, String owner) {
    Long at = owner == null ? null : j.createdAt();
    return new JobRecord(j.id(), j.app(), j.kind(), owner == null ? JobRecord.QUEUED : JobRecord.RUNNING, j.spec(),
        j.priority(), j.idempotencyKey(), j.requestHash(), j.submittedBy(), j.createdAt(), j.createdAt(), at, null,
        owner, at, owner == null ? 0 : 1, false, false, JobRecord.Progress.NONE, null, null, null, null, null);
  }

  static Future<JobRecord> get(Tx tx, String id) {
    return tx.query("SELECT * FROM jobs WHERE id = ?", id)
        .map(rows -> rows.isEmpty() ? null : job(rows.get(0)));
  }

  /** The job's slots: its stored plan, or the one slot a one-machine job wrote with its end. */
  static Future<List<SlotRecord>> slots(Tx tx, String jobId) {
    return tx.query("SELECT * FROM job_slots WHERE job_id = ? ORDER BY slot", jobId).compose(rows -> {
      if (rows.isEmpty()) {
        return tx.query("SELECT slot FROM jobs WHERE id = ?", jobId).map(one -> {
          JsonObject s = one.isEmpty() ? null : one.get(0).json("slot");
          return s == null ? List.<SlotRecord>of() : List.of(slotFromJson(jobId, s));
        });
      }
      List<SlotRecord> out = new ArrayList<>(rows.size());
      for (DbRow r : rows) {
        out.add(slot(r));
      }
      return Future.succeededFuture(out);
    });
  }

  /** A page of jobs, newest first; the caller has checked the cursor and that the filter names apps. */
  static Future<Page<JobRecord>> list(Tx tx, JobFilter f, String cursor, int limit) {
    StringBuilder sql = new StringBuilder("SELECT * FROM jobs WHERE (");
    List<Object> params = new ArrayList<>();
    for (int i = 0; i < f.appPatterns().size(); i++) {
      sql.append(i == 0 ? "" : " OR ").append("app LIKE ? ESCAPE '\\'");
      params.add(Sql.like(f.appPatterns().get(i)));
    }
    sql.append(")");
    if (f.app() != null) {
      sql.append(" AND app = ?");
      params.add(f.app());
    }
    if (f.state() != null) {
      sql.append(" AND state = ?");
      params.add(f.state());
    }
    if (f.kind() != null) {
      sql.append(" AND kind = ?");
      params.add(f.kind());
    }
    if (f.createdAfter() != null) {
      sql.append(" AND created_at >= ?");
      params.add(f.createdAfter());
    }
    if (f.createdBefore() != null) {
      sql.append(" AND created_at < ?");
      params.add(f.createdBefore());
    }
    if (cursor != null) {
      String[] c = Sql.decodeCursor(cursor);
      sql.append(" AND (created_at < ? OR (created_at = ? AND id < ?))");
      long at = Long.parseLong(c[0]);
      params.add(at);
      params.add(at);
      params.add(c[1]);
    }
    sql.append(" ORDER BY created_at DESC, id DESC LIMIT ?");
    params.add((long) limit + 1);
    return tx.query(sql.toString(), params.toArray()).map(rows -> {
      List<JobRecord> items = new ArrayList<>();
      for (int i = 0; i < Math.min(limit, rows.size()); i++) {
        items.add(job(rows.get(i)));
      }
      String next = rows.size() > limit && !items.isEmpty()
          ? encodeCursor(items.get(items.size() - 1)) : null;
      return new Page<>(items, next);
    });
  }

  static String encodeCursor(JobRecord j) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((j.createdAt() + ":" + j.id()).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Liveness is one row per instance ({@code instances}): claiming and heart-beating write it, so a
   * heartbeat is one statement however many jobs run. Running jobs are claimable when their owner
   * gave them back (owner NULL), and, with {@code staleBefore} set, when the owner's row is older
   * than that or missing: those are takeovers, reported with the owner they were taken from.
   * {@code lock} is appended to the inner SELECTs (the dialect's lock clause).
   */
  static Future<Claimed> claim(Tx tx, String owner, int limit, long now, long staleBefore,
      List<Object> exclude, String lock) {
    String notApps = exclude.isEmpty() ? "" : " AND app NOT IN (" + Sql.placeholders(exclude.size()) + ")";
    String set = "UPDATE jobs SET state = 'running', owner = ?, heartbeat_at = ?, claims = claims + 1, "
        + "started_at = COALESCE(started_at, ?), updated_at = ? WHERE id IN (";
    String order = " ORDER BY priority DESC, created_at, id LIMIT ?";
    List<DbRow> all = new ArrayList<>();
    Map<String, String> takenOverFrom = new HashMap<>();
    Future<?> done = beat(tx, owner, now);
    if (staleBefore != Long.MIN_VALUE) {
      done = done.compose(x -> {
        List<Object> p = new ArrayList<>(List.of(owner, now, now, now));
        p.addAll(exclude);
        p.add((long) limit);
        return tx.query(set + "SELECT id FROM jobs WHERE state = 'running' AND owner IS NULL" + notApps + order + lock
            + ") RETURNING *", p.toArray());
      }).compose(handedBack -> {
        all.addAll(handedBack);
        int left = limit - all.size();
        if (left <= 0 || staleBefore == Long.MIN_VALUE + 1) {
          return Future.succeededFuture();
        }
        List<Object> p = new ArrayList<>(List.of(staleBefore));
        p.addAll(exclude);
        // not the jobs the first pass just took (they are owned now, by a claimer that may count as stale)
        handedBack.forEach(r -> p.add(r.string("id")));
        String notTaken = handedBack.isEmpty() ? "" : " AND id NOT IN (" + Sql.placeholders(handedBack.size()) + ")";
        p.add((long) left);
        // the dead owners are read before the update so the takeover can name them; the rows stay
        // locked (PostgreSQL) or the transaction is the only writer (SQLite) in between
        return tx.query("SELECT id, owner FROM jobs WHERE state = 'running' AND owner IS NOT NULL AND NOT EXISTS "
            + "(SELECT 1 FROM instances i WHERE i.id = jobs.owner AND i.heartbeat_at >= ?)" + notApps + notTaken + order
            + lock, p.toArray()).compose(stale -> {
              if (stale.isEmpty()) {
                return Future.succeededFuture();
              }
              List<Object> q = new ArrayList<>(List.of(owner, now, now, now));
              stale.forEach(r -> {
                takenOverFrom.put(r.string("id"), r.string("owner"));
                q.add(r.string("id"));
              });
              return tx.query(set + Sql.placeholders(stale.size()) + ") RETURNING *", q.toArray()).map(all::addAll);
            });
      });
    }
    return done.compose(x -> {
      int left = limit - all.size();
      if (left <= 0) {
        return Future.succeededFuture(List.<DbRow>of());
      }
      List<Object> p = new ArrayList<>(List.of(owner, now, now, now));
      p.addAll(exclude);
      p.add((long) left);
      return tx.query(set + "SELECT id FROM jobs WHERE state = 'queued' AND cancel_requested = 0" + notApps + order
          + lock + ") RETURNING *", p.toArray());
    }).map(queued -> {
      all.addAll(queued);
      List<JobRecord> out = new ArrayList<>(all.size());
      for (DbRow r : all) {
        out.add(job(r));
      }
      out.sort((a, b) -> a.priority() != b.priority() ? Integer.compare(b.priority(), a.priority())
          : Long.compare(a.createdAt(), b.createdAt()));
      return new Claimed(out, takenOverFrom);
    });
  }

  /** This instance is alive at {@code now}. */
  private static Future<Integer> beat(Tx tx, String owner, long now) {
    return tx.update("INSERT INTO instances (id, heartbeat_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET "
        + "heartbeat_at = excluded.heartbeat_at", owner, now);
  }

  static Future<List<HeartbeatResult>> heartbeat(Tx tx, String owner, List<String> ids, long now) {
    return beat(tx, owner, now)
        .compose(n -> ids.isEmpty() ? Future.succeededFuture(List.<DbRow>of())
            : tx.query("SELECT id, cancel_requested FROM jobs WHERE owner = ? AND state = 'running'", owner))
        .map(rows -> {
          Map<String, DbRow> byId = new HashMap<>();
          rows.forEach(r -> byId.put(r.string("id"), r));
          List<HeartbeatResult> out = new ArrayList<>();
          for (String id : ids) {
            DbRow r = byId.get(id);
            out.add(new HeartbeatResult(id, r != null, r != null && r.bool("cancel_requested")));
          }
          return out;
        });
  }

  static Future<List<String>> runningOwnedBy(Tx tx, String owner) {
    return tx.query("SELECT id FROM jobs WHERE owner = ? AND state = 'running'", owner)
        .map(rows -> rows.stream().map(r -> r.string("id")).toList());
  }

  static Future<Boolean> savePlan(Tx tx, String jobId, String owner, List<SlotRecord> slots, long now) {
    return tx.update("UPDATE jobs SET planned = 1, total = ?, updated_at = ? WHERE id = ? AND owner = ? "
            + "AND state = 'running'", slots.size(), now, jobId, owner)
        .compose(n -> {
          if (n == 0) {
            return Future.succeededFuture(false);
          }
          return tx.update("DELETE FROM job_slots WHERE job_id = ?", jobId)
              .compose(x -> insertSlots(tx, slots))
              .map(true);
        });
  }

  private static Future<List<Integer>> insertSlots(Tx tx, List<SlotRecord> slots) {
    if (slots.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<Object[]> rows = new ArrayList<>(slots.size());
    for (SlotRecord s : slots) {
      rows.add(new Object[] {s.jobId(), s.slot(), s.machineId(), s.action(), s.state(), s.attempts(), s.errorCode(),
          s.error(), s.exitCode(), s.startedAt(), s.finishedAt(), s.detail() == null ? null : s.detail().encode()});
    }
    return tx.batch("INSERT INTO job_slots (job_id, slot, machine_id, action, state, attempts, error_code, error, "
        + "exit_code, started_at, finished_at, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows);
  }

  static Future<Boolean> updateSlots(Tx tx, String jobId, String owner, List<SlotRecord> slots,
      JobRecord.Progress p, long now) {
    return tx.update("UPDATE jobs SET succeeded = ?, failed = ?, skipped = ?, cancelled = ?, total = ?, "
            + "updated_at = ? WHERE id = ? AND owner = ? AND state = 'running'", p.succeeded(), p.failed(), p.skipped(),
            p.cancelled(), p.total(), now, jobId, owner)
        .compose(n -> {
          if (n == 0) {
            return Future.succeededFuture(false);
          }
          if (slots.isEmpty()) {
            return Future.succeededFuture(true);
          }
          List<Object[]> rows = new ArrayList<>(slots.size());
          for (SlotRecord s : slots) {
            rows.add(new Object[] {s.machineId(), s.state(), s.attempts(), s.errorCode(), s.error(), s.exitCode(),
                s.startedAt(), s.finishedAt(), s.detail() == null ? null : s.detail().encode(), s.jobId(), s.slot()});
          }
          return tx.batch("UPDATE job_slots SET machine_id = ?, state = ?, attempts = ?, error_code = ?, error = ?, "
              + "exit_code = ?, started_at = ?, finished_at = ?, detail = ? WHERE job_id = ? AND slot = ?", rows)
              .map(true);
        });
  }

  /**
   * Ends a job. {@code slots} were never stored (a plan kept in memory): a single one rides in the
   * job's row ({@code jobs.slot}), so a one-machine job costs no slot row, one statement and index
   * entry less each; more go to {@code job_slots}.
   */
  static Future<Boolean> finish(Tx tx, String jobId, String owner, String state, String error, JsonObject result,
      JobRecord.Progress p, long now, List<SlotRecord> slots) {
    String inline = slots.size() == 1 ? slotJson(slots.get(0)).encode() : null;
    return tx.update("UPDATE jobs SET state = ?, finished_at = ?, error = ?, result = ?, succeeded = ?, "
            + "failed = ?, skipped = ?, cancelled = ?, total = ?, updated_at = ?, slot = ? WHERE id = ? "
            + "AND owner = ? AND state = 'running'", state, now, error, result == null ? null : result.encode(),
            p.succeeded(), p.failed(), p.skipped(), p.cancelled(), p.total(), now, inline, jobId, owner)
        .compose(n -> n == 1 && slots.size() > 1 ? upsertSlots(tx, slots).map(true) : Future.succeededFuture(n == 1));
  }

  static JsonObject slotJson(SlotRecord s) {
    JsonObject o = new JsonObject().put("slot", s.slot()).put("machine_id", s.machineId()).put("action", s.action())
        .put("state", s.state()).put("attempts", s.attempts());
    putIfSet(o, "error_code", s.errorCode());
    putIfSet(o, "error", s.error());
    putIfSet(o, "exit_code", s.exitCode());
    putIfSet(o, "started_at", s.startedAt());
    putIfSet(o, "finished_at", s.finishedAt());
    putIfSet(o, "detail", s.detail());
    return o;
  }

  private static void putIfSet(JsonObject o, String key, Object value) {
    if (value != null) {
      o.put(key, value);
    }
  }

  static SlotRecord slotFromJson(String jobId, JsonObject o) {
    Number exit = (Number) o.getValue("exit_code");
    Number started = (Number) o.getValue("started_at");
    Number finished = (Number) o.getValue("finished_at");
    return new SlotRecord(jobId, o.getInteger("slot"), o.getString("machine_id"), o.getString("action"),
        o.getString("state"), o.getInteger("attempts", 0), o.getString("error_code"), o.getString("error"),
        exit == null ? null : exit.intValue(), started == null ? null : started.longValue(),
        finished == null ? null : finished.longValue(), o.getJsonObject("detail"));
  }

  /** Slots a job never stored before (one-machine jobs keep their plan in memory) or changed since. */
  private static Future<List<Integer>> upsertSlots(Tx tx, List<SlotRecord> slots) {
    List<Object[]> rows = new ArrayList<>(slots.size());
    for (SlotRecord s : slots) {
      rows.add(new Object[] {s.jobId(), s.slot(), s.machineId(), s.action(), s.state(), s.attempts(), s.errorCode(),
          s.error(), s.exitCode(), s.startedAt(), s.finishedAt(), s.detail() == null ? null : s.detail().encode()});
    }
    return tx.batch("INSERT INTO job_slots (job_id, slot, machine_id, action, state, attempts, error_code, error, "
        + "exit_code, started_at, finished_at, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job_id, "
        + "slot) DO UPDATE SET machine_id = excluded.machine_id, state = excluded.state, attempts = excluded.attempts, "
        + "error_code = excluded.error_code, error = excluded.error, exit_code = excluded.exit_code, started_at = "
        + "excluded.started_at, finished_at = excluded.finished_at, detail = excluded.detail", rows);
  }

  static Future<JobRecord> requestCancel(Tx tx, String jobId, long now) {
    return tx.update("UPDATE jobs SET state = 'cancelled', cancel_requested = 1, finished_at = ?, "
            + "error = 'cancelled before it started', updated_at = ? WHERE id = ? AND state = 'queued'", now, now, jobId)
        .compose(n -> n == 1 ? Future.succeededFuture(1)
            : tx.update("UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE id = ? AND state = 'running'",
                now, jobId))
        .compose(n -> tx.query("SELECT * FROM jobs WHERE id = ?", jobId))
        .map(rows -> rows.isEmpty() ? null : job(rows.get(0)));
  }

  static Future<Integer> releaseClaims(Tx tx, String owner, long now) {
    return tx.update("UPDATE jobs SET owner = NULL, updated_at = ? WHERE owner = ? AND state = "
        + "'running'", now, owner);
  }

  /** Gives back {@code ids} jobs; {@code params} is the owner, then the job ids. */
  static Future<Integer> releaseClaims(Tx tx, List<Object> params, int ids) {
    return tx.update("UPDATE jobs SET owner = NULL WHERE owner = ? AND state = 'running' AND id IN ("
        + Sql.placeholders(ids) + ")", params.toArray());
  }

  /**
   * Deletes at most {@code limit} ended jobs that ended before {@code endedBefore} or fall beyond the
   * newest {@code keepEnded} (ties broken by id, so the count is exact); returns how many. The newest
   * kept job is found first through the {@code finished_at} index, so no statement compares every ended
   * job with the kept ones. Written as one {@code DELETE … id NOT IN (the newest keepEnded)}, a prune of
   * about 150,000 ended jobs on PostgreSQL (bench/run jobs) was still running after seven minutes, inside
   * a group commit, so every write behind it waited: submits hung and jobs could not record their end.
   */
  static Future<Integer> pruneBatch(Tx tx, long endedBefore, int keepEnded, int limit) {
    Future<List<DbRow>> oldestKept = keepEnded <= 0 ? Future.succeededFuture(List.of())
        : tx.query("SELECT finished_at, id FROM jobs WHERE finished_at IS NOT NULL ORDER BY finished_at DESC, id DESC "
            + "LIMIT 1 OFFSET ?", (long) keepEnded - 1);
    return oldestKept.compose(kept -> {
      String where;
      Object[] params;
      if (keepEnded <= 0) {
        where = "finished_at IS NOT NULL";
        params = new Object[0];
      } else if (kept.isEmpty()) {
        where = "finished_at IS NOT NULL AND finished_at < ?"; // fewer than keepEnded have ended: age alone
        params = new Object[] {endedBefore};
      } else {
        long f = kept.get(0).lng("finished_at");
        where = "finished_at IS NOT NULL AND (finished_at < ? OR finished_at < ? OR (finished_at = ? AND id < ?))";
        params = new Object[] {endedBefore, f, f, kept.get(0).string("id")};
      }
      // oldest first, through the index: the rows a previous batch deleted are not scanned again
      return tx.query("SELECT id FROM jobs WHERE " + where + " ORDER BY finished_at LIMIT " + limit, params);
    }).compose(rows -> {
      if (rows.isEmpty()) {
        return Future.succeededFuture(0);
      }
      Object[] ids = rows.stream().map(r -> r.string("id")).toArray();
      String in = " IN (" + Sql.placeholders(ids.length) + ")";
      return tx.update("DELETE FROM job_slots WHERE job_id" + in, ids)
          .compose(x -> tx.update("DELETE FROM jobs WHERE finished_at IS NOT NULL AND id" + in, ids));
    });
  }

  /** Instances silent for a day own nothing any more (their jobs were taken over or handed back). */
  static Future<Integer> forgetSilentInstances(Tx tx, long now) {
    return tx.update("DELETE FROM instances WHERE heartbeat_at < ? AND NOT EXISTS (SELECT 1 FROM jobs "
        + "WHERE jobs.owner = instances.id AND jobs.state = 'running')", now - 86_400_000L);
  }

  static Future<Map<String, Long>> countByState(Tx tx) {
    return tx.query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").map(rows -> {
      Map<String, Long> out = new HashMap<>();
      rows.forEach(r -> out.put(r.string("state"), r.lng("n")));
      return out;
    });
  }

  /** The one statement that stores a job (API, cron and autoscaler alike); callers add their conflict clause. */
  static final String INSERT_JOB = "INSERT INTO jobs (id, app, kind, state, spec, priority, idempotency_key, "
      + "request_hash, submitted_by, created_at, updated_at, schedule_id, scheduled_at, fired_as, owner, heartbeat_at, "
      + "started_at, claims) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  static Object[] jobRow(NewJob j, String scheduleId, Long scheduledAt, String firedAs) {
    return jobRow(j, scheduleId, scheduledAt, firedAs, null);
  }

  /** {@code owner} non-null: stored claimed by it, so no claim statement has to take it from the queue. */
  static Object[] jobRow(NewJob j, String scheduleId, Long scheduledAt, String firedAs, String owner) {
    Long at = owner == null ? null : j.createdAt();
    return new Object[] {j.id(), j.app(), j.kind(), owner == null ? JobRecord.QUEUED : JobRecord.RUNNING,
        j.spec().encode(), j.priority(), j.idempotencyKey(), j.requestHash(), j.submittedBy(), j.createdAt(),
        j.createdAt(), scheduleId, scheduledAt, firedAs, owner, at, at, owner == null ? 0 : 1};
  }

  static JobRecord job(DbRow r) {
    return new JobRecord(
        r.string("id"),
        r.string("app"),
        r.string("kind"),
        r.string("state"),
        r.json("spec"),
        r.integer("priority"),
        r.string("idempotency_key"),
        r.string("request_hash"),
        r.string("submitted_by"),
        r.lng("created_at"),
        r.lng("updated_at"),
        r.longOrNull("started_at"),
        r.longOrNull("finished_at"),
        r.string("owner"),
        r.longOrNull("heartbeat_at"),
        r.integer("claims"),
        r.bool("cancel_requested"),
        r.bool("planned"),
        new JobRecord.Progress(r.integer("total"), r.integer("succeeded"), r.integer("failed"), r.integer("skipped"),
            r.integer("cancelled")),
        r.string("error"),
        r.json("result"),
        r.string("schedule_id"),
        r.longOrNull("scheduled_at"),
        r.string("fired_as"));
  }

  static SlotRecord slot(DbRow r) {
    return new SlotRecord(
        r.string("job_id"),
        r.integer("slot"),
        r.string("machine_id"),
        r.string("action"),
        r.string("state"),
        r.integer("attempts"),
        r.string("error_code"),
        r.string("error"),
        r.intOrNull("exit_code"),
        r.longOrNull("started_at"),
        r.longOrNull("finished_at"),
        r.json("detail"));
  }
}
