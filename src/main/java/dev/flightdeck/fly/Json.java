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
    Instant fast = utcInstant(s);
    if (fast != null) {
      return fast;
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * The API's usual timestamp form, {@code 2024-05-01T12:34:56[.fraction]Z}, read without a
   * DateTimeFormatter (two of them per machine made up a tenth of parsing a machine list);
   * null for anything else, which then goes the long way.
   */
  static Instant utcInstant(String s) {
    int n = s.length();
    if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
        || s.charAt(16) != ':' || s.charAt(n - 1) != 'Z') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 7);
    int day = digits(s, 8, 10);
    int hour = digits(s, 11, 13);
    int minute = digits(s, 14, 16);
    int second = digits(s, 17, 19);
    if ((year | month | day | hour | minute | second) < 0 || hour > 23 || minute > 59 || second > 59) {
      return null;
    }
    int nanos = 0;
    if (n > 20) {
      int fractionDigits = n - 21;
      if (s.charAt(19) != '.' || fractionDigits < 1 || fractionDigits > 9) {
        return null;
      }
      int f = digits(s, 20, n - 1);
      if (f < 0) {
        return null;
      }
      nanos = f;
      for (int i = fractionDigits; i < 9; i++) {
        nanos *= 10;
      }
    }
    try {
      long days = java.time.LocalDate.of(year, month, day).toEpochDay();
      return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    } catch (java.time.DateTimeException e) {
      return null;
    }
  }

  /** The decimal number in {@code s[from, to)}, or -1 when a character there is not a digit. */
  private static int digits(String s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
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
