package dev.flightdeck.store;

import dev.flightdeck.store.ScheduleStore.FireOutcome;
import dev.flightdeck.store.ScheduleStore.FirePlan;
import dev.flightdeck.store.ScheduleStore.NewScheduledJob;
import dev.flightdeck.store.ScheduleStore.Replaced;
import dev.flightdeck.store.ScheduleStore.Skip;
import dev.flightdeck.store.ScheduleStore.TickPlanner;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The schedule statements (schedules, their skips and fired ticks), over {@link Tx}; {@link SqlJobStore} runs them. */
final class SchedulesSql {

  private SchedulesSql() {}

  static Future<Boolean> createSchedule(Tx tx, ScheduleRecord s) {
    return tx.update("INSERT INTO schedules (id, app, name, spec, paused, next_fire_at, next_due_at, version, "
            + "created_at, updated_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT DO NOTHING", s.id(),
            s.app(), s.name(), s.spec().encode(), s.paused() ? 1 : 0, s.nextFireAt(), s.nextDueAt(), s.createdAt(), s.updatedAt(),
            s.createdBy())
        .map(n -> n == 1);
  }

  static Future<ScheduleRecord> getSchedule(Tx tx, String id) {
    return tx.query("SELECT * FROM schedules WHERE id = ?", id)
        .map(rows -> rows.isEmpty() ? null : schedule(rows.get(0)));
  }

  static Future<Page<ScheduleRecord>> listSchedules(Tx tx, JobFilter f, String cursor, int limit) {
    return Sql.pageOf(tx, "schedules", f, cursor, limit, SchedulesSql::schedule, ScheduleRecord::createdAt,
        ScheduleRecord::id);
  }

  static Future<Replaced> replaceSchedule(Tx tx, String id, String name, JsonObject spec, boolean paused,
      Long nextFireAt, Long nextDueAt, long now) {
    return tx.query("SELECT s2.id FROM schedules s1 JOIN schedules s2 ON s2.app = s1.app AND s2.name = ? "
            + "AND s2.id <> s1.id WHERE s1.id = ?", name, id)
        .compose(rows -> {
          if (!rows.isEmpty()) {
            return Future.succeededFuture(Replaced.NAME_TAKEN);
          }
          return tx.update("UPDATE schedules SET name = ?, spec = ?, paused = ?, next_fire_at = ?, next_due_at = ?, "
                  + "version = version + 1, updated_at = ? WHERE id = ?", name, spec.encode(), paused ? 1 : 0, nextFireAt,
                  nextDueAt, now, id)
              .map(n -> n == 1 ? Replaced.OK : Replaced.NOT_FOUND);
        });
  }

  static Future<Boolean> deleteSchedule(Tx tx, String id) {
    return tx.update("DELETE FROM schedule_skips WHERE schedule_id = ?", id)
        .compose(x -> tx.update("DELETE FROM schedules WHERE id = ?", id))
        .map(n -> n == 1);
  }

  static Future<ScheduleRecord> setPaused(Tx tx, String id, boolean paused, Long nextFireAt, Long nextDueAt,
      long now) {
    return (paused
            ? tx.update("UPDATE schedules SET paused = 1, version = version + 1, updated_at = ? WHERE id = ?", now, id)
            : tx.update("UPDATE schedules SET paused = 0, next_fire_at = ?, next_due_at = ?, version = version + 1, "
                + "updated_at = ? WHERE id = ?", nextFireAt, nextDueAt, now, id))
        .compose(n -> tx.query("SELECT * FROM schedules WHERE id = ?", id))
        .map(rows -> rows.isEmpty() ? null : schedule(rows.get(0)));
  }

  static Future<List<JobRecord>> scheduleJobs(Tx tx, String scheduleId, int limit) {
    return tx.query("SELECT * FROM jobs WHERE schedule_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
        scheduleId, (long) limit).map(rows -> rows.stream().map(JobsSql::job).toList());
  }

  static Future<List<Skip>> scheduleSkips(Tx tx, String scheduleId, int limit) {
    return tx.query("SELECT * FROM schedule_skips WHERE schedule_id = ? ORDER BY scheduled_at DESC LIMIT ?",
        scheduleId, (long) limit).map(rows -> rows.stream().map(r -> new Skip(r.string("schedule_id"),
            r.lng("scheduled_at"), r.string("reason"), r.lng("recorded_at"))).toList());
  }

  /** Fires the schedules due at {@code now}; {@code lock} is appended to their SELECT (the dialect's lock clause). */
  static Future<FireOutcome> fireDue(Tx tx, long now, int limit, TickPlanner planner, String lock) {
    return tx.query("SELECT * FROM schedules WHERE paused = 0 AND next_due_at IS NOT NULL AND "
            + "next_due_at <= ? ORDER BY next_due_at, id LIMIT ?" + lock, now, (long) limit)
        .compose(rows -> {
          if (rows.isEmpty()) {
            return Future.succeededFuture(new FireOutcome(List.of(), List.of(), 0, 0, 0));
          }
          List<ScheduleRecord> due = rows.stream().map(SchedulesSql::schedule).toList();
          Object[] ids = due.stream().map(ScheduleRecord::id).toArray();
          // set-wise, so a herd of schedules due together costs a handful of statements per batch
          return tx.query("SELECT * FROM jobs WHERE state IN ('queued', 'running') AND schedule_id IN ("
                  + Sql.placeholders(ids.length) + ") ORDER BY created_at, id", ids)
              .compose(activeRows -> {
                Map<String, List<JobRecord>> active = new HashMap<>();
                for (DbRow r : activeRows) {
                  JobRecord j = JobsSql.job(r);
                  active.computeIfAbsent(j.scheduleId(), k -> new ArrayList<>()).add(j);
                }
                List<FirePlan> plans = new ArrayList<>(due.size());
                for (ScheduleRecord sch : due) {
                  plans.add(planner.plan(sch, active.getOrDefault(sch.id(), List.of()), now));
                }
                return applyPlans(tx, due, plans, now);
              });
        });
  }

  private static Future<FireOutcome> applyPlans(Tx tx, List<ScheduleRecord> due, List<FirePlan> plans, long now) {
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
      chain = chain.compose(v -> tx.batch(INSERT_SCHEDULED, jobs.stream().map(SchedulesSql::scheduledRow).toList()))
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
            + Sql.placeholders(ids.length) + ") GROUP BY schedule_id, CASE WHEN state = 'succeeded' THEN 's' ELSE 'f' END",
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

  private static final String INSERT_SCHEDULED = JobsSql.INSERT_JOB + " ON CONFLICT DO NOTHING";

  private static Object[] scheduledRow(NewScheduledJob nj) {
    return JobsSql.jobRow(nj.job(), nj.scheduleId(), nj.scheduledAt(), nj.firedAs());
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

  static Future<JobRecord> insertTriggered(Tx tx, NewScheduledJob nj) {
    return insertScheduled(tx, nj)
        .compose(ok -> tx.query("SELECT * FROM jobs WHERE id = ?", nj.job().id()))
        .map(rows -> rows.isEmpty() ? null : JobsSql.job(rows.get(0)));
  }

  static Future<Integer> pruneSkips(Tx tx, int keep) {
    return tx.update("DELETE FROM schedule_skips WHERE EXISTS (SELECT 1 FROM (SELECT schedule_id, "
        + "scheduled_at, ROW_NUMBER() OVER (PARTITION BY schedule_id ORDER BY scheduled_at DESC) AS rn FROM "
        + "schedule_skips) r WHERE r.rn > ? AND r.schedule_id = schedule_skips.schedule_id AND r.scheduled_at = "
        + "schedule_skips.scheduled_at)", (long) keep);
  }

  static Future<List<ScheduleRecord>> nextSchedules(Tx tx, int limit) {
    return tx.query("SELECT * FROM schedules WHERE paused = 0 AND next_due_at IS NOT NULL ORDER BY "
        + "next_due_at, id LIMIT ?", (long) limit).map(rows -> rows.stream().map(SchedulesSql::schedule).toList());
  }

  static ScheduleRecord schedule(DbRow r) {
    return new ScheduleRecord(r.string("id"), r.string("app"), r.string("name"), r.json("spec"), r.bool("paused"),
        r.longOrNull("next_fire_at"), r.longOrNull("next_due_at"), r.integer("version"), r.lng("created_at"),
        r.lng("updated_at"), r.string("created_by"));
  }
}
