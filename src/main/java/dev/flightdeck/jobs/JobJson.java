package dev.flightdeck.jobs;

import dev.flightdeck.store.JobRecord;
import dev.flightdeck.store.SlotRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/** Jobs as the API shows them. */
public final class JobJson {

  private JobJson() {}

  static String time(Long ms) {
    return ms == null ? null : Instant.ofEpochMilli(ms).toString();
  }

  public static JsonObject progress(JobRecord.Progress p) {
    return new JsonObject()
        .put("total", p.total())
        .put("succeeded", p.succeeded())
        .put("failed", p.failed())
        .put("skipped", p.skipped())
        .put("cancelled", p.cancelled())
        .put("remaining", p.remaining());
  }

  public static JsonObject job(JobRecord j, List<SlotRecord> slots) {
    JsonObject o = new JsonObject()
        .put("id", j.id())
        .put("app", j.app())
        .put("kind", j.kind())
        .put("state", j.state())
        .put("priority", j.priority())
        .put("progress", progress(j.progress()))
        .put("created_at", time(j.createdAt()))
        .put("started_at", time(j.startedAt()))
        .put("finished_at", time(j.finishedAt()))
        .put("duration_ms", j.startedAt() == null ? null
            : (j.finishedAt() != null ? j.finishedAt() : j.updatedAt()) - j.startedAt())
        .put("error", j.error())
        .put("cancel_requested", j.cancelRequested())
        .put("claims", j.claims())
        .put("owner", j.owner())
        .put("submitted_by", j.submittedBy())
        .put("spec", j.spec());
    if (j.idempotencyKey() != null) {
      o.put("idempotency_key", j.idempotencyKey());
    }
    if (j.result() != null) {
      o.put("result", j.result());
    }
    if (j.scheduleId() != null) {
      o.put("schedule_id", j.scheduleId()).put("scheduled_at", time(j.scheduledAt())).put("fired_as", j.firedAs());
    }
    if (slots != null) {
      JsonArray arr = new JsonArray();
      slots.forEach(s -> arr.add(slot(s)));
      o.put("machines", arr);
    }
    return o;
  }

  public static JsonObject slot(SlotRecord s) {
    return new JsonObject()
        .put("slot", s.slot())
        .put("machine_id", s.machineId())
        .put("action", s.action())
        .put("state", s.state())
        .put("attempts", s.attempts())
        .put("error_code", s.errorCode())
        .put("error", s.error())
        .put("exit_code", s.exitCode())
        .put("started_at", time(s.startedAt()))
        .put("finished_at", time(s.finishedAt()))
        .put("duration_ms", s.startedAt() == null || s.finishedAt() == null ? null : s.finishedAt() - s.startedAt());
  }

  /** A dry run's plan: what each slot would do. */
  public static JsonObject plan(JobSpec spec, List<SlotRecord> slots) {
    JsonArray ops = new JsonArray();
    for (SlotRecord s : slots) {
      JsonObject op = new JsonObject().put("slot", s.slot()).put("action", s.action()).put("machine_id", s.machineId())
          .put("state", s.state());
      if (s.error() != null) {
        op.put("note", s.error());
      }
      if (s.detail() != null) {
        if (s.detail().getString("state_before") != null) {
          op.put("machine_state", s.detail().getString("state_before"));
        }
        if (s.detail().getString(JobPlanner.REGION) != null) {
          op.put("region", s.detail().getString(JobPlanner.REGION));
        }
      }
      ops.add(op);
    }
    long act = slots.stream().filter(s -> SlotRecord.PENDING.equals(s.state())).count();
    return new JsonObject().put("dry_run", true).put("app", spec.app()).put("kind", spec.kind())
        .put("operations", act).put("plan", ops);
  }
}
