package dev.flightdeck.sim;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Request parsing with the real API's (Go's encoding/json) error texts, e.g.
 * {@code json: cannot unmarshal array into Go value of type main.stopRequest}.
 */
final class GoJson {

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  static final Map<String, Integer> SIGNALS = Map.ofEntries(
      Map.entry("SIGHUP", 1), Map.entry("SIGINT", 2), Map.entry("SIGQUIT", 3), Map.entry("SIGILL", 4),
      Map.entry("SIGTRAP", 5), Map.entry("SIGABRT", 6), Map.entry("SIGFPE", 8), Map.entry("SIGKILL", 9),
      Map.entry("SIGUSR1", 10), Map.entry("SIGSEGV", 11), Map.entry("SIGUSR2", 12), Map.entry("SIGPIPE", 13),
      Map.entry("SIGALRM", 14), Map.entry("SIGTERM", 15));

  private GoJson() {}

  /** The body as an object; empty body is an empty object. */
  static JsonObject object(Buffer body, String goType) {
    if (body == null || body.length() == 0) {
      return new JsonObject();
    }
    String s = body.toString().trim();
    if (s.isEmpty()) {
      return new JsonObject();
    }
    Object parsed;
    try {
      parsed = io.vertx.core.json.Json.decodeValue(s);
    } catch (DecodeException e) {
      throw SimError.badRequest("invalid character in request body: " + firstLine(e.getMessage()));
    }
    if (parsed instanceof JsonObject o) {
      return o;
    }
    throw SimError.badRequest("json: cannot unmarshal " + goKind(parsed) + " into Go value of type " + goType);
  }

  static String goKind(Object v) {
    if (v instanceof JsonArray) {
      return "array";
    }
    if (v instanceof String) {
      return "string";
    }
    if (v instanceof Number) {
      return "number";
    }
    if (v instanceof Boolean) {
      return "bool";
    }
    if (v instanceof JsonObject) {
      return "object";
    }
    return "null";
  }

  static String string(JsonObject o, String field, String struct) {
    Object v = o.getValue(field);
    if (v == null) {
      return null;
    }
    if (v instanceof String s) {
      return s;
    }
    throw typeError(v, struct, field, "string");
  }

  static JsonObject object(JsonObject o, String field, String struct, String goType) {
    Object v = o.getValue(field);
    if (v == null) {
      return null;
    }
    if (v instanceof JsonObject j) {
      return j;
    }
    throw typeError(v, struct, field, goType);
  }

  static boolean bool(JsonObject o, String field, String struct) {
    Object v = o.getValue(field);
    if (v == null) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    throw typeError(v, struct, field, "bool");
  }

  static Long integer(JsonObject o, String field, String struct) {
    Object v = o.getValue(field);
    if (v == null) {
      return null;
    }
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      return n.longValue();
    }
    throw typeError(v, struct, field, "int");
  }

  private static SimError typeError(Object v, String struct, String field, String goType) {
    return SimError.badRequest("json: cannot unmarshal " + goKind(v) + " into Go struct field " + struct + "." + field
        + " of type " + goType);
  }

  /** A signal given as a name ("SIGTERM") or a number (15), as fly-go sends both. */
  static String signal(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof Number n) {
      for (Map.Entry<String, Integer> e : SIGNALS.entrySet()) {
        if (e.getValue() == n.intValue()) {
          return e.getKey();
        }
      }
      throw SimError.badRequest("invalid signal: " + n);
    }
    String s = v.toString().trim().toUpperCase(java.util.Locale.ROOT);
    if (s.matches("\\d+")) {
      return signal(Integer.parseInt(s));
    }
    if (!s.startsWith("SIG")) {
      s = "SIG" + s;
    }
    if (!SIGNALS.containsKey(s)) {
      throw SimError.badRequest("invalid signal: " + v);
    }
    return s;
  }

  /**
   * A Go duration ("10s", "1m30s", "500ms"), or a number: nanoseconds as fly-go writes them.
   * Returns milliseconds.
   */
  static long durationMillis(Object v, String field) {
    if (v == null) {
      return -1;
    }
    if (v instanceof Number n) {
      return n.longValue() / 1_000_000L;
    }
    String s = v.toString().trim();
    if (s.matches("\\d+")) {
      return Long.parseLong(s) * 1000L; // bare numbers in query strings are seconds
    }
    Matcher m = DURATION.matcher(s);
    double total = 0;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        throw SimError.badRequest("time: invalid duration \"" + s + "\" in " + field);
      }
      double n = Double.parseDouble(m.group(1));
      total += switch (m.group(2)) {
        case "ns" -> n / 1_000_000.0;
        case "us", "µs" -> n / 1000.0;
        case "ms" -> n;
        case "s" -> n * 1000.0;
        case "m" -> n * 60_000.0;
        default -> n * 3_600_000.0;
      };
      end = m.end();
    }
    if (end != s.length() || s.isEmpty()) {
      throw SimError.badRequest("time: invalid duration \"" + s + "\" in " + field);
    }
    return (long) total;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
