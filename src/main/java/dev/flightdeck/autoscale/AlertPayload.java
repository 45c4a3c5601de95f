package dev.flightdeck.autoscale;

import dev.flightdeck.jobs.InvalidJobException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Alertmanager's webhook payload (version 4). Fields Flightdeck does not use are accepted as they
 * come — a newer Alertmanager adding one must not get its notifications refused — but the ones it
 * uses are checked, with errors naming them ({@code alerts[2].fingerprint}).
 */
public record AlertPayload(String status, String receiver, String groupKey, int truncatedAlerts,
    Map<String, String> groupLabels, Map<String, String> commonLabels, String externalUrl, List<Alert> alerts) {

  /** One alert: {@code endsAt} is null while it fires with Alertmanager's zero time ("0001-01-01…"). */
  public record Alert(String status, Map<String, String> labels, Map<String, String> annotations, Instant startsAt,
      Instant endsAt, String generatorUrl, String fingerprint) {

    public String alertname() {
      return labels.getOrDefault("alertname", "");
    }
  }

  public static AlertPayload parse(JsonObject o) {
    Object version = o.getValue("version");
    if (version != null && !"4".equals(String.valueOf(version))) {
      throw bad("version", "only Alertmanager webhook version 4 is understood, got " + version);
    }
    String status = status(o, "status");
    Object raw = o.getValue("alerts");
    if (!(raw instanceof JsonArray arr)) {
      throw bad("alerts", "alerts must be an array of alerts");
    }
    if (arr.size() > 10_000) {
      throw bad("alerts", "at most 10000 alerts per notification");
    }
    List<Alert> alerts = new ArrayList<>();
    for (int i = 0; i < arr.size(); i++) {
      String at = "alerts[" + i + "]";
      if (!(arr.getValue(i) instanceof JsonObject a)) {
        throw bad(at, at + " must be an object");
      }
      Map<String, String> labels = labels(a, at + ".labels", true);
      String fp = string(a, at + ".fingerprint", "fingerprint", true);
      Instant starts = time(a, at + ".startsAt", "startsAt", true);
      Instant ends = time(a, at + ".endsAt", "endsAt", false);
      if (ends != null && ends.getEpochSecond() <= 0) {
        ends = null; // Alertmanager's "0001-01-01T00:00:00Z": no end yet
      }
      alerts.add(new Alert(status(a, at + ".status"), labels, labels(a, at + ".annotations", false), starts, ends,
          string(a, at + ".generatorURL", "generatorURL", false), fp));
    }
    Object truncated = o.getValue("truncatedAlerts");
    if (truncated != null && !(truncated instanceof Number)) {
      throw bad("truncatedAlerts", "truncatedAlerts must be a number");
    }
    return new AlertPayload(status, string(o, "receiver", "receiver", false), string(o, "groupKey", "groupKey", false),
        truncated == null ? 0 : ((Number) truncated).intValue(), labels(o, "groupLabels", false),
        labels(o, "commonLabels", false), string(o, "externalURL", "externalURL", false), alerts);
  }

  private static String status(JsonObject o, String field) {
    String key = field.contains(".") ? "status" : field;
    String s = string(o, field, key, true);
    if (!s.equals("firing") && !s.equals("resolved")) {
      throw bad(field, field + " must be firing or resolved, got '" + s + "'");
    }
    return s;
  }

  private static String string(JsonObject o, String field, String key, boolean required) {
    Object v = o.getValue(key);
    if (v == null) {
      if (required) {
        throw bad(field, field + " is required");
      }
      return null;
    }
    if (!(v instanceof String s)) {
      throw bad(field, field + " must be a string");
    }
    if (required && s.isBlank()) {
      throw bad(field, field + " must not be empty");
    }
    return s;
  }

  private static Instant time(JsonObject o, String field, String key, boolean required) {
    String s = string(o, field, key, required);
    if (s == null) {
      return null;
    }
    Instant t;
    try {
      t = Instant.parse(s);
    } catch (DateTimeParseException e) {
      try {
        t = java.time.OffsetDateTime.parse(s).toInstant();
      } catch (DateTimeParseException e2) {
        throw bad(field, field + " must be an RFC 3339 time, got '" + s + "'");
      }
    }
    // Alertmanager's zero time (year 1) is fine; a time that no millisecond count holds is not
    if (t.isBefore(dev.flightdeck.jobs.JobRoutes.EARLIEST) || t.isAfter(dev.flightdeck.jobs.JobRoutes.LATEST)) {
      throw bad(field, field + " must be a time from year 0000 to 9999, got '" + s + "'");
    }
    return t;
  }

  private static Map<String, String> labels(JsonObject o, String field, boolean required) {
    String key = field.substring(field.lastIndexOf('.') + 1);
    Object v = o.getValue(key);
    if (v == null) {
      if (required) {
        throw bad(field, field + " is required");
      }
      return Map.of();
    }
    if (!(v instanceof JsonObject m)) {
      throw bad(field, field + " must be an object of strings");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : m) {
      if (!(e.getValue() instanceof String s)) {
        throw bad(field + "." + e.getKey(), field + "." + e.getKey() + " must be a string");
      }
      out.put(e.getKey(), s);
    }
    return out;
  }

  private static InvalidJobException bad(String field, String message) {
    return new InvalidJobException("invalid_payload", field, message);
  }
}
