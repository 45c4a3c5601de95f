package dev.flightdeck.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every job-store operation, written once over {@link Tx}; {@link SqliteJobStore} and
 * {@link PgJobStore} differ only in how statements reach the database, in transactions and group
 * commits, and in the claim query's locking clause.
 */
abstract class SqlJobStore implements JobStore {

  /** Runs a write in the next group commit. */
  protected abstract <T> Future<T> write(Tx.Work<T> work);

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

  @Override
  public Future<InsertOutcome> insert(NewJob j) {
    return write(tx -> {
      Future<InsertOutcome> existing = j.idempotencyKey() == null ? Future.succeededFuture(null)
          : byKey(tx, j);
      return existing.compose(found -> {
        if (found != null) {
          return Future.succeededFuture(found);
        }
        return tx.update(INSERT_JOB + " ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING",
            jobRow(j, null, null, null))
            .compose(n -> n == 1 ? Future.succeededFuture(InsertOutcome.inserted(fresh(j)))
                // another instance stored the same key in the meantime
                : byKey(tx, j));
      });
    });
  }

  private Future<InsertOutcome> byKey(Tx tx, NewJob j) {
    return tx.query("SELECT * FROM jobs WHERE idempotency_key = ?", j.idempotencyKey()).map(rows -> {
      if (rows.isEmpty()) {
        return null;
      }
      JobRecord found = job(rows.get(0));
      boolean same = found.requestHash() != null && found.requestHash().equals(j.requestHash());
      return new InsertOutcome(same ? InsertOutcome.Kind.EXISTING : InsertOutcome.Kind.CONFLICT, found);
    });
  }

  private static JobRecord fresh(NewJob j) {
    return new JobRecord(j.id(), j.app(), j.kind(), JobRecord.QUEUED, j.spec(), j.priority(), j.idempotencyKey(),
        j.requestHash(), j.submittedBy(), j.createdAt(), j.createdAt(), null, null, null, null, 0, false, false,
        JobRecord.Progress.NONE, null, null, null, null, null);
  }

  @Override
  public Future<JobRecord> get(String id) {
    return read(tx -> tx.query("SELECT * FROM jobs WHERE id = ?", id)
        .map(rows -> rows.isEmpty() ? null : job(rows.get(0))));
  }

  @Override
  public Future<List<SlotRecord>> slots(String jobId) {
    return read(tx -> tx.query("SELECT * FROM job_slots WHERE job_id = ? ORDER BY slot", jobId).map(rows -> {
      List<SlotRecord> out = new ArrayList<>(rows.size());
      for (DbRow r : rows) {
        out.add(slot(r));
      }
      return out;
    }));
  }

  @Override
  public Future<Page<JobRecord>> list(JobFilter f, String cursor, int limit) {
    if (f.appPatterns().isEmpty()) {
      return Future.succeededFuture(new Page<>(List.of(), null));
    }
    StringBuilder sql = new StringBuilder("SELECT * FROM jobs WHERE (");
    List<Object> params = new ArrayList<>();
    for (int i = 0; i < f.appPatterns().size(); i++) {
      sql.append(i == 0 ? "" : " OR ").append("app LIKE ? ESCAPE '\\'");
      params.add(like(f.appPatterns().get(i)));
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
      String[] c;
      try {
        c = decodeCursor(cursor);
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(e);
      }
      sql.append(" AND (created_at < ? OR (created_at = ? AND id < ?))");
      long at = Long.parseLong(c[0]);
      params.add(at);
      params.add(at);
      params.add(c[1]);
    }
    sql.append(" ORDER BY created_at DESC, id DESC LIMIT ?");
    params.add((long) limit + 1);
    return read(tx -> tx.query(sql.toString(), params.toArray()).map(rows -> {
      List<JobRecord> items = new ArrayList<>();
      for (int i = 0; i < Math.min(limit, rows.size()); i++) {
        items.add(job(rows.get(i)));
      }
      String next = rows.size() > limit && !items.isEmpty()
          ? encodeCursor(items.get(items.size() - 1)) : null;
      return new Page<>(items, next);
    }));
  }

  /** A glob ({@code *}) as a LIKE pattern with {@code \} as the escape. */
  static String like(String glob) {
    StringBuilder sb = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> sb.append('%');
        case '%', '_', '\\' -> sb.append('\\').append(c);
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  static String encodeCursor(JobRecord j) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((j.createdAt() + ":" + j.id()).getBytes(StandardCharsets.UTF_8));
  }

  /** Throws IllegalArgumentException for a cursor this store did not make. */
  static String[] decodeCursor(String cursor) {
    String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    int i = s.indexOf(':');
    if (i <= 0) {
      throw new IllegalArgumentException("bad cursor");
    }
    Long.parseLong(s.substring(0, i));
    return new String[] {s.substring(0, i), s.substring(i + 1)};
  }

  @Override
  public Future<List<JobRecord>> claim(String owner, int limit, long now, long staleBefore) {
    return claim(owner, limit, now, staleBefore, java.util.Set.of());
  }

  /**
   * Liveness is one row per instance ({@code instances}): claiming and heart-beating write it, so a
   * heartbeat is one statement however many jobs run. A running job is stale when its owner's row is
   * older than {@code staleBefore}, missing, or the owner gave the job back (owner NULL).
   */
  @Override
  public Future<List<JobRecord>> claim(String owner, int limit, long now, long staleBefore,
      java.util.Set<String> excludedApps) {
    if (limit <= 0) {
      return Future.succeededFuture(List.of());
    }
    List<Object> exclude = new ArrayList<>(excludedApps);
    String notApps = exclude.isEmpty() ? "" : " AND app NOT IN (" + placeholders(exclude.size()) + ")";
    String set = "UPDATE jobs SET state = 'running', owner = ?, heartbeat_at = ?, claims = claims + 1, "
        + "started_at = COALESCE(started_at, ?), updated_at = ? WHERE id IN (SELECT id FROM jobs WHERE ";
    return write(tx -> {
      Future<Integer> alive = beat(tx, owner, now);
      Future<List<DbRow>> stale;
      if (staleBefore == Long.MIN_VALUE) {
        stale = alive.map(x -> List.of());
      } else {
        List<Object> p = new ArrayList<>(List.of(owner, now, now, now, staleBefore));
        p.addAll(exclude);
        p.add((long) limit);
        stale = alive.compose(x -> tx.query(set + "state = 'running' AND (owner IS NULL OR NOT EXISTS (SELECT 1 FROM "
            + "instances i WHERE i.id = jobs.owner AND i.heartbeat_at >= ?))" + notApps
            + " ORDER BY priority DESC, created_at, id LIMIT ?" + lockClause() + ") RETURNING *", p.toArray()));
      }
      return stale.compose(taken -> {
        int left = limit - taken.size();
        if (left <= 0) {
          return Future.succeededFuture(taken);
        }
        List<Object> p = new ArrayList<>(List.of(owner, now, now, now));
        p.addAll(exclude);
        p.add((long) left);
        return tx.query(set + "state = 'queued' AND cancel_requested = 0" + notApps
            + " ORDER BY priority DESC, created_at, id LIMIT ?" + lockClause() + ") RETURNING *", p.toArray())
            .map(queued -> {
              List<DbRow> all = new ArrayList<>(taken);
              all.addAll(queued);
              return all;
            });
      }).map(rows -> {
        List<JobRecord> out = new ArrayList<>(rows.size());
        for (DbRow r : rows) {
          out.add(job(r));
        }
        out.sort((a, b) -> a.priority() != b.priority() ? Integer.compare(b.priority(), a.priority())
            : Long.compare(a.createdAt(), b.createdAt()));
        return out;
      });
    });
  }

  /** This instance is alive at {@code now}. */
  private static Future<Integer> beat(Tx tx, String owner, long now) {
    return tx.update("INSERT INTO instances (id, heartbeat_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET "
        + "heartbeat_at = excluded.heartbeat_at", owner, now);
  }

  @Override
  public Future<List<HeartbeatResult>> heartbeat(String owner, Collection<String> jobIds, long now) {
    List<String> ids = List.copyOf(jobIds);
    return write(tx -> beat(tx, owner, now)
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
        }));
  }

  @Override
  public Future<List<String>> runningOwnedBy(String owner) {
    return read(tx -> tx.query("SELECT id FROM jobs WHERE owner = ? AND state = 'running'", owner)
        .map(rows -> rows.stream().map(r -> r.string("id")).toList()));
  }

  @Override
  public Future<Boolean> savePlan(String jobId, String owner, List<SlotRecord> slots, long now) {
    return write(tx -> tx.update("UPDATE jobs SET planned = 1, total = ?, updated_at = ? WHERE id = ? AND owner = ? "
            + "AND state = 'running'", slots.size(), now, jobId, owner)
        .compose(n -> {
          if (n == 0) {
            return Future.succeededFuture(false);
          }
          return tx.update("DELETE FROM job_slots WHERE job_id = ?", jobId)
              .compose(x -> insertSlots(tx, slots))
              .map(true);
        }));
  }

  private Future<List<Integer>> insertSlots(Tx tx, List<SlotRecord> slots) {
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

  @Override
  public Future<Boolean> updateSlots(String jobId, String owner, List<SlotRecord> slots, JobRecord.Progress p,
      long now) {
    return write(tx -> tx.update("UPDATE jobs SET succeeded = ?, failed = ?, skipped = ?, cancelled = ?, total = ?, "
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
        }));
  }

  @Override
  public Future<Boolean> finish(String jobId, String owner, String state, String error, JsonObject result,
      JobRecord.Progress p, long now) {
    return finish(jobId, owner, state, error, result, p, now, List.of());
  }

  @Override
  public Future<Boolean> finish(String jobId, String owner, String state, String error, JsonObject result,
      JobRecord.Progress p, long now, List<SlotRecord> slots) {
    return write(tx -> tx.update("UPDATE jobs SET state = ?, finished_at = ?, error = ?, result = ?, succeeded = ?, "
            + "failed = ?, skipped = ?, cancelled = ?, total = ?, updated_at = ? WHERE id = ? "
            + "AND owner = ? AND state = 'running'", state, now, error, result == null ? null : result.encode(),
            p.succeeded(), p.failed(), p.skipped(), p.cancelled(), p.total(), now, jobId, owner)
        .compose(n -> n == 1 && !slots.isEmpty() ? upsertSlots(tx, slots).map(true) : Future.succeededFuture(n == 1)));
  }

  /** Slots a job never stored before (one-machine jobs keep their plan in memory) or changed since. */
  private Future<List<Integer>> upsertSlots(Tx tx, List<SlotRecord> slots) {
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

  @Override
  public Future<JobRecord> requestCancel(String jobId, long now) {
    return write(tx -> tx.update("UPDATE jobs SET state = 'cancelled', cancel_requested = 1, finished_at = ?, "
            + "error = 'cancelled before it started', updated_at = ? WHERE id = ? AND state = 'queued'", now, now, jobId)
        .compose(n -> n == 1 ? Future.succeededFuture(1)
            : tx.update("UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE id = ? AND state = 'running'",
                now, jobId))
        .compose(n -> tx.query("SELECT * FROM jobs WHERE id = ?", jobId))
        .map(rows -> rows.isEmpty() ? null : job(rows.get(0))));
  }

  @Override
  public Future<Integer> releaseClaims(String owner, long now) {
    return write(tx -> tx.update("UPDATE jobs SET owner = NULL, updated_at = ? WHERE owner = ? AND state = "
        + "'running'", now, owner));
  }

  @Override
  public Future<Integer> prune(long endedBefore, int keepEnded) {
    // ended too long ago, or beyond the newest keepEnded (ties broken by id, so the count is exact)
    String doomed = "SELECT id FROM jobs WHERE finished_at IS NOT NULL AND (finished_at < ? OR id NOT IN (SELECT id "
        + "FROM jobs WHERE finished_at IS NOT NULL ORDER BY finished_at DESC, id DESC LIMIT ?))";
    return write(tx -> tx.update("DELETE FROM job_slots WHERE job_id IN (" + doomed + ")", endedBefore,
            (long) keepEnded)
        .compose(x -> tx.update("DELETE FROM jobs WHERE id IN (" + doomed + ")", endedBefore, (long) keepEnded))
        // instances silent for a day own nothing any more (their jobs were taken over or handed back)
        .compose(n -> tx.update("DELETE FROM instances WHERE heartbeat_at < ? AND NOT EXISTS (SELECT 1 FROM jobs "
            + "WHERE jobs.owner = instances.id AND jobs.state = 'running')", System.currentTimeMillis() - 86_400_000L)
            .map(n)));
  }

  @Override
  public Future<Void> ping() {
    return read(tx -> tx.query("SELECT 1 AS one").mapEmpty());
  }

  // ---------------------------------------------------------------- schedules

  @Override
  public Future<Boolean> createSchedule(ScheduleRecord s) {
    return write(tx -> tx.update("INSERT INTO schedules (id, app, name, spec, paused, next_fire_at, next_due_at, version, "
            + "created_at, updated_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT DO NOTHING", s.id(),
            s.app(), s.name(), s.spec().encode(), s.paused() ? 1 : 0, s.nextFireAt(), s.nextDueAt(), s.createdAt(), s.updatedAt(),
            s.createdBy())
        .map(n -> n == 1));
  }

  @Override
  public Future<ScheduleRecord> getSchedule(String id) {
    return read(tx -> tx.query("SELECT * FROM schedules WHERE id = ?", id)
        .map(rows -> rows.isEmpty() ? null : schedule(rows.get(0))));
  }

  @Override
  public Future<Page<ScheduleRecord>> listSchedules(JobFilter f, String cursor, int limit) {
    if (cursor != null) {
      try {
        decodeCursor(cursor);
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(e);
      }
    }
    return read(tx -> pageOf(tx, "schedules", f, cursor, limit, SqlJobStore::schedule, ScheduleRecord::createdAt,
        ScheduleRecord::id));
  }

  /**
   * A page of a table with {@code app}, {@code created_at} and {@code id} columns, newest first,
   * limited to the apps the caller may see; the cursor (already checked) is the last row's
   * created_at and id.
   */
  static <T> Future<Page<T>> pageOf(Tx tx, String table, JobFilter f, String cursor, int limit,
      java.util.function.Function<DbRow, T> map, java.util.function.ToLongFunction<T> createdAt,
      java.util.function.Function<T, String> id) {
    if (f.appPatterns().isEmpty()) {
      return Future.succeededFuture(new Page<>(List.of(), null));
    }
    StringBuilder sql = new StringBuilder("SELECT * FROM " + table + " WHERE (");
    List<Object> params = new ArrayList<>();
    for (int i = 0; i < f.appPatterns().size(); i++) {
      sql.append(i == 0 ? "" : " OR ").append("app LIKE ? ESCAPE '\\'");
      params.add(like(f.appPatterns().get(i)));
    }
    sql.append(")");
    if (f.app() != null) {
      sql.append(" AND app = ?");
      params.add(f.app());
    }
    if (cursor != null) {
      String[] c = decodeCursor(cursor);
      long at = Long.parseLong(c[0]);
      sql.append(" AND (created_at < ? OR (created_at = ? AND id < ?))");
      params.add(at);
      params.add(at);
      params.add(c[1]);
    }
    sql.append(" ORDER BY created_at DESC, id DESC LIMIT ?");
    params.add((long) limit + 1);
    return tx.query(sql.toString(), params.toArray()).map(rows -> {
      List<T> items = new ArrayList<>();
      for (int i = 0; i < Math.min(limit, rows.size()); i++) {
        items.add(map.apply(rows.get(i)));
      }
      String next = null;
      if (rows.size() > limit && !items.isEmpty()) {
        T last = items.get(items.size() - 1);
        next = Base64.getUrlEncoder().withoutPadding()
            .encodeToString((createdAt.applyAsLong(last) + ":" + id.apply(last)).getBytes(StandardCharsets.UTF_8));
      }
      return new Page<>(items, next);
    });
  }

  @Override
  public Future<Replaced> replaceSchedule(String id, String name, JsonObject spec, boolean paused, Long nextFireAt,
      Long nextDueAt, long now) {
    return write(tx -> tx.query("SELECT s2.id FROM schedules s1 JOIN schedules s2 ON s2.app = s1.app AND s2.name = ? "
            + "AND s2.id <> s1.id WHERE s1.id = ?", name, id)
        .compose(rows -> {
          if (!rows.isEmpty()) {
            return Future.succeededFuture(Replaced.NAME_TAKEN);
          }
          return tx.update("UPDATE schedules SET name = ?, spec = ?, paused = ?, next_fire_at = ?, next_due_at = ?, "
                  + "version = version + 1, updated_at = ? WHERE id = ?", name, spec.encode(), paused ? 1 : 0, nextFireAt,
                  nextDueAt, now, id)
              .map(n -> n == 1 ? Replaced.OK : Replaced.NOT_FOUND);
        }));
  }

  @Override
  public Future<Boolean> deleteSchedule(String id) {
    return write(tx -> tx.update("DELETE FROM schedule_skips WHERE schedule_id = ?", id)
        .compose(x -> tx.update("DELETE FROM schedules WHERE id = ?", id))
        .map(n -> n == 1));
  }

  @Override
  public Future<ScheduleRecord> setPaused(String id, boolean paused, Long nextFireAt, Long nextDueAt, long now) {
    return write(tx -> (paused
            ? tx.update("UPDATE schedules SET paused = 1, version = version + 1, updated_at = ? WHERE id = ?", now, id)
            : tx.update("UPDATE schedules SET paused = 0, next_fire_at = ?, next_due_at = ?, version = version + 1, "
                + "updated_at = ? WHERE id = ?", nextFireAt, nextDueAt, now, id))
        .compose(n -> tx.query("SELECT * FROM schedules WHERE id = ?", id))
        .map(rows -> rows.isEmpty() ? null : schedule(rows.get(0))));
  }

  @Override
  public Future<List<JobRecord>> scheduleJobs(String scheduleId, int limit) {
    return read(tx -> tx.query("SELECT * FROM jobs WHERE schedule_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
        scheduleId, (long) limit).map(rows -> rows.stream().map(SqlJobStore::job).toList()));
  }

  @Override
  public Future<List<Skip>> scheduleSkips(String scheduleId, int limit) {
    return read(tx -> tx.query("SELECT * FROM schedule_skips WHERE schedule_id = ? ORDER BY scheduled_at DESC LIMIT ?",
        scheduleId, (long) limit).map(rows -> rows.stream().map(r -> new Skip(r.string("schedule_id"),
            r.lng("scheduled_at"), r.string("reason"), r.lng("recorded_at"))).toList()));
  }

  @Override
  public Future<FireOutcome> fireDue(long now, int limit, TickPlanner planner) {
    return write(tx -> tx.query("SELECT * FROM schedules WHERE paused = 0 AND next_due_at IS NOT NULL AND "
            + "next_due_at <= ? ORDER BY next_due_at, id LIMIT ?" + lockClause(), now, (long) limit)
        .compose(rows -> {
          if (rows.isEmpty()) {
            return Future.succeededFuture(new FireOutcome(List.of(), List.of(), 0, 0, 0));
          }
          List<ScheduleRecord> due = rows.stream().map(SqlJobStore::schedule).toList();
          Object[] ids = due.stream().map(ScheduleRecord::id).toArray();
          // set-wise, so a herd of schedules due together costs a handful of statements per batch
          return tx.query("SELECT * FROM jobs WHERE state IN ('queued', 'running') AND schedule_id IN ("
                  + placeholders(ids.length) + ") ORDER BY created_at, id", ids)
              .compose(activeRows -> {
                Map<String, List<JobRecord>> active = new HashMap<>();
                for (DbRow r : activeRows) {
                  JobRecord j = job(r);
                  active.computeIfAbsent(j.scheduleId(), k -> new ArrayList<>()).add(j);
                }
                List<FirePlan> plans = new ArrayList<>(due.size());
                for (ScheduleRecord sch : due) {
                  plans.add(planner.plan(sch, active.getOrDefault(sch.id(), List.of()), now));
                }
                return applyPlans(tx, due, plans, now);
              });
        }));
  }

  private Future<FireOutcome> applyPlans(Tx tx, List<ScheduleRecord> due, List<FirePlan> plans, long now) {
    List<NewScheduledJob> jobs = new ArrayList<>();
    List<Skip> skips = new ArrayList<>();
    List<String> cancels = new ArrayList<>();
    List<Object[]> moves = new ArrayList<>();
    for (int i = 0; i < due.size(); i++) {
      FirePlan plan = plans.get(i);
      ScheduleRecord sch = due.get(i);
      jobs.addAll(plan.jobs());
      skips.addAll(plan.skips());
      cancels.addAll(plan.cancelJobIds());
      moves.add(new Object[] {plan.nextFireAt(), plan.nextDueAt(), now, sch.id(), sch.nextFireAt()});
    }
    List<NewScheduledJob> inserted = new ArrayList<>();
    List<Skip> skipped = new ArrayList<>();
    int[] counts = new int[2];
    Future<Void> chain = Future.succeededFuture();
    for (String jobId : cancels) { // replace policy: the running run goes before the new one starts
      chain = chain.compose(v -> tx.update("UPDATE jobs SET state = 'cancelled', cancel_requested = 1, "
              + "finished_at = ?, error = 'replaced by a newer run of its schedule', updated_at = ? WHERE id = ? "
              + "AND state = 'queued'", now, now, jobId)
          .compose(n -> n == 1 ? Future.succeededFuture(1) : tx.update("UPDATE jobs SET cancel_requested = 1, "
              + "updated_at = ? WHERE id = ? AND state = 'running'", now, jobId))
          .map(n -> {
            counts[1] += n;
            return null;
          }));
    }
    if (!jobs.isEmpty()) {
      chain = chain.compose(v -> tx.batch(INSERT_SCHEDULED, jobs.stream().map(SqlJobStore::scheduledRow).toList()))
          .map(changed -> {
            for (int i = 0; i < jobs.size(); i++) {
              if (changed.get(i) == 1) {
                inserted.add(jobs.get(i));
              } else {
                counts[0]++; // that tick was fired already (another instance)
              }
            }
            return null;
          });
    }
    if (!skips.isEmpty()) {
      chain = chain.compose(v -> tx.batch("INSERT INTO schedule_skips (schedule_id, scheduled_at, reason, recorded_at) "
              + "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", skips.stream().map(k -> new Object[] {k.scheduleId(),
                  k.scheduledAt(), k.reason(), k.recordedAt()}).toList()))
          .map(changed -> {
            for (int i = 0; i < skips.size(); i++) {
              if (changed.get(i) == 1) {
                skipped.add(skips.get(i));
              }
            }
            return null;
          });
    }
    chain = chain.compose(v -> tx.batch("UPDATE schedules SET next_fire_at = ?, next_due_at = ?, updated_at = ? WHERE "
        + "id = ? AND next_fire_at = ?", moves)).mapEmpty();
    return chain.compose(v -> pruneHistories(tx, due, plans))
        .map(v -> new FireOutcome(inserted, skipped, counts[0], counts[1], due.size()));
  }

  /** Prunes the ended runs of the schedules that just fired, only where they exceed their limits. */
  private static Future<Void> pruneHistories(Tx tx, List<ScheduleRecord> due, List<FirePlan> plans) {
    Map<String, FirePlan> fired = new HashMap<>();
    for (int i = 0; i < due.size(); i++) {
      if (!plans.get(i).jobs().isEmpty()) {
        fired.put(due.get(i).id(), plans.get(i));
      }
    }
    if (fired.isEmpty()) {
      return Future.succeededFuture();
    }
    Object[] ids = fired.keySet().toArray();
    return tx.query("SELECT schedule_id, CASE WHEN state = 'succeeded' THEN 's' ELSE 'f' END AS outcome, COUNT(*) AS n "
            + "FROM jobs WHERE state IN ('succeeded', 'failed', 'cancelled') AND schedule_id IN ("
            + placeholders(ids.length) + ") GROUP BY schedule_id, CASE WHEN state = 'succeeded' THEN 's' ELSE 'f' END",
            ids)
        .compose(rows -> {
          Future<Void> chain = Future.succeededFuture();
          for (DbRow r : rows) {
            String id = r.string("schedule_id");
            FirePlan plan = fired.get(id);
            boolean succeeded = "s".equals(r.string("outcome"));
            int keep = succeeded ? plan.keepSucceeded() : plan.keepFailed();
            if (r.lng("n") > keep) {
              chain = chain.compose(v -> pruneHistory(tx, id, succeeded ? "('succeeded')" : "('failed', 'cancelled')",
                  keep));
            }
          }
          return chain;
        });
  }

  /** The one statement that stores a job (API, cron and autoscaler alike); callers add their conflict clause. */
  static final String INSERT_JOB = "INSERT INTO jobs (id, app, kind, state, spec, priority, idempotency_key, "
      + "request_hash, submitted_by, created_at, updated_at, schedule_id, scheduled_at, fired_as) "
      + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  static Object[] jobRow(NewJob j, String scheduleId, Long scheduledAt, String firedAs) {
    return new Object[] {j.id(), j.app(), j.kind(), JobRecord.QUEUED, j.spec().encode(), j.priority(),
        j.idempotencyKey(), j.requestHash(), j.submittedBy(), j.createdAt(), j.createdAt(), scheduleId, scheduledAt,
        firedAs};
  }

  private static final String INSERT_SCHEDULED = INSERT_JOB + " ON CONFLICT DO NOTHING";

  private static Object[] scheduledRow(NewScheduledJob nj) {
    return jobRow(nj.job(), nj.scheduleId(), nj.scheduledAt(), nj.firedAs());
  }

  private static Future<Boolean> insertScheduled(Tx tx, NewScheduledJob nj) {
    return tx.update(INSERT_SCHEDULED, scheduledRow(nj)).map(n -> n == 1);
  }

  /** Keeps the newest {@code keep} ended jobs of a schedule in {@code states}; deletes the older ones. */
  private static Future<Void> pruneHistory(Tx tx, String scheduleId, String states, int keep) {
    String doomed = "SELECT id FROM jobs WHERE schedule_id = ? AND state IN " + states + " AND id NOT IN (SELECT id "
        + "FROM jobs WHERE schedule_id = ? AND state IN " + states + " ORDER BY created_at DESC, id DESC LIMIT ?)";
    return tx.update("DELETE FROM job_slots WHERE job_id IN (" + doomed + ")", scheduleId, scheduleId, (long) keep)
        .compose(x -> tx.update("DELETE FROM jobs WHERE id IN (" + doomed + ")", scheduleId, scheduleId, (long) keep))
        .mapEmpty();
  }

  @Override
  public Future<JobRecord> insertTriggered(NewScheduledJob nj) {
    return write(tx -> insertScheduled(tx, nj)
        .compose(ok -> tx.query("SELECT * FROM jobs WHERE id = ?", nj.job().id()))
        .map(rows -> rows.isEmpty() ? null : job(rows.get(0))));
  }

  @Override
  public Future<Integer> pruneSkips(int keep) {
    return write(tx -> tx.update("DELETE FROM schedule_skips WHERE EXISTS (SELECT 1 FROM (SELECT schedule_id, "
        + "scheduled_at, ROW_NUMBER() OVER (PARTITION BY schedule_id ORDER BY scheduled_at DESC) AS rn FROM "
        + "schedule_skips) r WHERE r.rn > ? AND r.schedule_id = schedule_skips.schedule_id AND r.scheduled_at = "
        + "schedule_skips.scheduled_at)", (long) keep));
  }

  static ScheduleRecord schedule(DbRow r) {
    return new ScheduleRecord(r.string("id"), r.string("app"), r.string("name"), r.json("spec"), r.bool("paused"),
        r.longOrNull("next_fire_at"), r.longOrNull("next_due_at"), r.integer("version"), r.lng("created_at"),
        r.lng("updated_at"), r.string("created_by"));
  }

  @Override
  public Future<Integer> releaseClaims(String owner, Collection<String> jobIds) {
    if (jobIds.isEmpty()) {
      return Future.succeededFuture(0);
    }
    List<Object> params = new ArrayList<>();
    params.add(owner);
    params.addAll(jobIds);
    return write(tx -> tx.update("UPDATE jobs SET owner = NULL WHERE owner = ? AND state = 'running' AND id IN ("
        + placeholders(jobIds.size()) + ")", params.toArray()));
  }

  @Override
  public Future<Map<String, Long>> countByState() {
    return read(tx -> tx.query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").map(rows -> {
      Map<String, Long> out = new HashMap<>();
      rows.forEach(r -> out.put(r.string("state"), r.lng("n")));
      return out;
    }));
  }

  @Override
  public Future<List<ScheduleRecord>> nextSchedules(int limit) {
    return read(tx -> tx.query("SELECT * FROM schedules WHERE paused = 0 AND next_due_at IS NOT NULL ORDER BY "
        + "next_due_at, id LIMIT ?", (long) limit).map(rows -> rows.stream().map(SqlJobStore::schedule).toList()));
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
    if (cursor != null) {
      try {
        decodeCursor(cursor);
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(e);
      }
    }
    return read(tx -> AutoscaleSql.listPolicies(tx, filter, cursor, limit));
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
    return write(tx -> AutoscaleSql.decide(tx, policyId, keepDecisions, lockClause(), maker));
  }

  @Override
  public Future<List<DecisionRecord>> decisions(String policyId, int limit) {
    return read(tx -> AutoscaleSql.decisions(tx, policyId, limit));
  }

  // ---------------------------------------------------------------- rows

  static String placeholders(int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "?" : ", ?");
    }
    return sb.toString();
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
