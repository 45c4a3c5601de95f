package dev.flightdeck.fly;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Lenient readers for API JSON: the API's types drift (numbers as strings, missing fields). */
final class Json {

  private Json() {}

  static String str(JsonObject o, String key) {
    Object v = o == null ? null : o.getValue(key);
    return v == null ? null : v.toString();
  }

  static long lng(JsonObject o, String key, long dflt) {
    Object v = o == null ? null : o.getValue(key);
    if (v instanceof Number n) {
      return n.longValue();
    }
    if (v instanceof String s && !s.isBlank()) {
      try {
        return Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        return dflt;
      }
    }
    return dflt;
  }

  static boolean bool(JsonObject o, String key) {
    Object v = o == null ? null : o.getValue(key);
    return v instanceof Boolean b ? b : v instanceof String s && Boolean.parseBoolean(s);
  }

  static Instant instant(JsonObject o, String key) {
    String s = str(o, key);
    if (s == null || s.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  static JsonObject obj(JsonObject o, String key) {
    Object v = o == null ? null : o.getValue(key);
    return v instanceof JsonObject j ? j : null;
  }

  static JsonArray arr(JsonObject o, String key) {
    Object v = o == null ? null : o.getValue(key);
    return v instanceof JsonArray a ? a : new JsonArray();
  }

  static Map<String, String> stringMap(JsonObject o) {
    Map<String, String> out = new LinkedHashMap<>();
    if (o != null) {
      for (Map.Entry<String, Object> e : o) {
        if (e.getValue() != null) {
          out.put(e.getKey(), e.getValue().toString());
        }
      }
    }
    return out;
  }
}
