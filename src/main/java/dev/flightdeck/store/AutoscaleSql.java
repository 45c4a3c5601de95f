package dev.flightdeck.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The autoscaler's statements, over {@link Tx}; {@link SqlJobStore} runs them in its transactions. */
final class AutoscaleSql {

  private AutoscaleSql() {}

  static Future<Boolean> createPolicy(Tx tx, PolicyRecord p) {
    return tx.update("INSERT INTO scaling_policies (id, app, name, spec, version, created_at, updated_at, created_by) "
            + "VALUES (?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT DO NOTHING", p.id(), p.app(), p.name(), p.spec().encode(),
            p.createdAt(), p.updatedAt(), p.createdBy())
        .map(n -> n == 1);
  }

  static Future<PolicyRecord> getPolicy(Tx tx, String id, String lock) {
    return tx.query("SELECT * FROM scaling_policies WHERE id = ?" + lock, id)
        .map(rows -> rows.isEmpty() ? null : policy(rows.get(0)));
  }

  static Future<List<PolicyRecord>> allPolicies(Tx tx) {
    return tx.query("SELECT * FROM scaling_policies ORDER BY id").map(rows -> rows.stream().map(AutoscaleSql::policy)
        .toList());
  }

  static Future<Page<PolicyRecord>> listPolicies(Tx tx, JobFilter f, String cursor, int limit) {
    return Sql.pageOf(tx, "scaling_policies", f, cursor, limit, AutoscaleSql::policy, PolicyRecord::createdAt,
        PolicyRecord::id);
  }

  static Future<ScheduleStore.Replaced> replacePolicy(Tx tx, String id, String name, JsonObject spec, long now) {
    return tx.query("SELECT p2.id FROM scaling_policies p1 JOIN scaling_policies p2 ON p2.app = p1.app AND p2.name = ? "
            + "AND p2.id <> p1.id WHERE p1.id = ?", name, id)
        .compose(rows -> !rows.isEmpty() ? Future.succeededFuture(ScheduleStore.Replaced.NAME_TAKEN)
            : tx.update("UPDATE scaling_policies SET name = ?, spec = ?, version = version + 1, updated_at = ? "
                + "WHERE id = ?", name, spec.encode(), now, id)
                .map(n -> n == 1 ? ScheduleStore.Replaced.OK : ScheduleStore.Replaced.NOT_FOUND));
  }

  static Future<Boolean> deletePolicy(Tx tx, String id) {
    return tx.update("DELETE FROM scaling_decisions WHERE policy_id = ?", id)
        .compose(x -> tx.update("DELETE FROM scaling_policies WHERE id = ?", id))
        .map(n -> n == 1);
  }

  static Future<Void> recordAlerts(Tx tx, List<StoredAlert> alerts, long now) {
    List<Object[]> firing = new ArrayList<>();
    List<Object[]> resolved = new ArrayList<>();
    for (StoredAlert a : alerts) {
      String labels = new JsonObject(new LinkedHashMap<>(a.labels())).encode();
      if ("firing".equals(a.status())) {
        firing.add(new Object[] {a.fingerprint(), a.startsAt(), labels, a.endsAt(), now, now});
      } else {
        resolved.add(new Object[] {a.fingerprint(), a.startsAt(), labels, a.endsAt(), now, now});
      }
    }
    Future<?> f = Future.succeededFuture();
    if (!firing.isEmpty()) {
      // a resolved alert stays resolved: a late firing notification must not revive it
      f = f.compose(v -> tx.batch("INSERT INTO alerts (fingerprint, starts_at, status, labels, ends_at, received_at, "
          + "last_seen_at) VALUES (?, ?, 'firing', ?, ?, ?, ?) ON CONFLICT (fingerprint, starts_at) DO UPDATE SET "
          + "labels = excluded.labels, ends_at = excluded.ends_at, last_seen_at = excluded.last_seen_at "
          + "WHERE alerts.status = 'firing'", firing));
    }
    if (!resolved.isEmpty()) {
      f = f.compose(v -> tx.batch("INSERT INTO alerts (fingerprint, starts_at, status, labels, ends_at, received_at, "
          + "last_seen_at) VALUES (?, ?, 'resolved', ?, ?, ?, ?) ON CONFLICT (fingerprint, starts_at) DO UPDATE SET "
          + "status = 'resolved', ends_at = excluded.ends_at, last_seen_at = excluded.last_seen_at", resolved));
    }
    return f.mapEmpty();
  }

  static Future<List<StoredAlert>> firingAlerts(Tx tx, long seenSince) {
    return tx.query("SELECT * FROM alerts WHERE status = 'firing' AND last_seen_at >= ? ORDER BY starts_at, "
        + "fingerprint", seenSince).map(rows -> rows.stream().map(AutoscaleSql::alert).toList());
  }

  static Future<Integer> pruneAlerts(Tx tx, long seenBefore) {
    return tx.update("DELETE FROM alerts WHERE status = 'resolved' OR last_seen_at < ?", seenBefore);
  }

  static Future<DecisionRecord> decide(Tx tx, String policyId, int keep, String lock,
      AutoscaleStore.DecisionMaker maker) {
    return getPolicy(tx, policyId, lock).compose(p -> {
      if (p == null) {
        return Future.succeededFuture(null);
      }
      Future<String> lastState = p.lastJobId() == null ? Future.succeededFuture(null)
          : tx.query("SELECT state FROM jobs WHERE id = ?", p.lastJobId())
              .map(rows -> rows.isEmpty() ? null : rows.get(0).string("state"));
      return lastState.compose(state -> {
        AutoscaleStore.Outcome o = maker.decide(p, state);
        DecisionRecord d = o.decision();
        Future<?> f = Future.succeededFuture();
        if (o.job() != null) {
          NewJob j = o.job();
          f = f.compose(v -> tx.update(JobsSql.INSERT_JOB, JobsSql.jobRow(j, null, null, null)));
        }
        if (o.record() && d != null) {
          f = f.compose(v -> tx.update("INSERT INTO scaling_decisions (id, policy_id, at, trigger_kind, direction, "
                  + "outcome, reason, current_count, desired_count, job_id, alerts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  d.id(), d.policyId(), d.at(), d.trigger(), d.direction(), d.outcome(), d.reason(), d.current(),
                  d.desired(), d.jobId(), d.alerts().encode()))
              .compose(v -> tx.update("DELETE FROM scaling_decisions WHERE policy_id = ? AND id NOT IN (SELECT id FROM "
                  + "scaling_decisions WHERE policy_id = ? ORDER BY at DESC, id DESC LIMIT ?)", policyId, policyId,
                  (long) keep));
        }
        f = f.compose(v -> tx.update("UPDATE scaling_policies SET last_up_at = ?, last_down_at = ?, last_job_id = ?, "
            + "last_outcome = ? WHERE id = ?", o.lastUpAt(), o.lastDownAt(),
            o.job() != null ? o.job().id() : p.lastJobId(), o.lastOutcome(), policyId));
        return f.map(v -> d);
      });
    });
  }

  static Future<List<DecisionRecord>> decisions(Tx tx, String policyId, int limit) {
    return tx.query("SELECT * FROM scaling_decisions WHERE policy_id = ? ORDER BY at DESC, id DESC LIMIT ?", policyId,
        (long) limit).map(rows -> rows.stream().map(AutoscaleSql::decision).toList());
  }

  static PolicyRecord policy(DbRow r) {
    return new PolicyRecord(r.string("id"), r.string("app"), r.string("name"), r.json("spec"), r.integer("version"),
        r.longOrNull("last_up_at"), r.longOrNull("last_down_at"), r.string("last_job_id"), r.string("last_outcome"),
        r.lng("created_at"), r.lng("updated_at"), r.string("created_by"));
  }

  private static StoredAlert alert(DbRow r) {
    Map<String, String> labels = new LinkedHashMap<>();
    r.json("labels").forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue())));
    return new StoredAlert(r.string("fingerprint"), r.lng("starts_at"), r.string("status"), labels,
        r.longOrNull("ends_at"), r.lng("received_at"), r.lng("last_seen_at"));
  }

  private static DecisionRecord decision(DbRow r) {
    return new DecisionRecord(r.string("id"), r.string("policy_id"), r.lng("at"), r.string("trigger_kind"),
        r.string("direction"), r.string("outcome"), r.string("reason"), r.intOrNull("current_count"),
        r.intOrNull("desired_count"), r.string("job_id"), new JsonArray(r.string("alerts")));
  }
}
