package dev.flightdeck.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * A job in a few lines, however many machines it has: what, who, when, how far, how it ended, and
 * its machines counted by state, with the first failed ones named ({@code --output json} has all).
 */
final class JobSummary {

  static final int FAILED_SHOWN = 10;

  private JobSummary() {}

  static String of(JsonObject j, Instant now) {
    StringBuilder b = new StringBuilder();
    b.append(j.getString("id")).append("  ").append(j.getString("kind")).append(" on ").append(j.getString("app"))
        .append("  ").append(j.getString("state").toUpperCase(java.util.Locale.ROOT)).append('\n');
    b.append("submitted by ").append(j.getString("submitted_by", "?")).append(", ")
        .append(Cli.Human.age(j.getString("created_at"), now));
    if (j.getString("schedule_id") != null) {
      b.append(" (schedule ").append(j.getString("schedule_id")).append(')');
    }
    b.append('\n');
    if (j.getString("started_at") != null) {
      b.append("started ").append(Cli.Human.age(j.getString("started_at"), now));
      if (j.getLong("duration_ms") != null) {
        b.append(j.getString("finished_at") != null ? ", took " : ", running for ")
            .append(Cli.Human.duration(j.getLong("duration_ms")));
      }
      if (j.getInteger("claims", 1) > 1) {
        b.append(" (resumed ").append(j.getInteger("claims") - 1).append(" time(s))");
      }
      b.append('\n');
    }
    JsonObject p = j.getJsonObject("progress", new JsonObject());
    b.append("machines: ").append(p.getInteger("total", 0)).append(" — ")
        .append(p.getInteger("succeeded", 0)).append(" succeeded, ")
        .append(p.getInteger("skipped", 0)).append(" skipped, ")
        .append(p.getInteger("failed", 0)).append(" failed, ")
        .append(p.getInteger("cancelled", 0)).append(" cancelled, ")
        .append(p.getInteger("remaining", 0)).append(" remaining\n");
    if (j.getString("error") != null) {
      b.append("error: ").append(j.getString("error")).append('\n');
    }
    JsonArray machines = j.getJsonArray("machines", new JsonArray());
    Map<String, Integer> failedByCode = new TreeMap<>();
    int shown = 0;
    StringBuilder failed = new StringBuilder();
    for (Object o : machines) {
      JsonObject m = (JsonObject) o;
      if (!"failed".equals(m.getString("state"))) {
        continue;
      }
      failedByCode.merge(String.valueOf(m.getString("error_code")), 1, Integer::sum);
      if (shown++ < FAILED_SHOWN) {
        failed.append("  ").append(m.getString("machine_id")).append("  ").append(m.getString("error_code"))
            .append(": ").append(m.getString("error")).append('\n');
      }
    }
    if (!failedByCode.isEmpty()) {
      b.append("failed machines by reason: ").append(failedByCode).append('\n').append(failed);
      if (shown > FAILED_SHOWN) {
        b.append("  … and ").append(shown - FAILED_SHOWN).append(" more (--output json lists every machine)\n");
      }
    }
    return b.toString();
  }
}
