package dev.flightdeck.jobs;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one JSON object of a request, field by field, with errors that name the field's path.
 * {@link #done()} refuses fields nobody read (unknown fields).
 */
public final class Fields {

  private final JsonObject o;
  private final String path;
  private final Set<String> read = new java.util.HashSet<>();

  public Fields(JsonObject o, String path) {
    this.o = o == null ? new JsonObject() : o;
    this.path = path;
  }

  public static Fields of(Object value, String path) {
    if (value == null) {
      return new Fields(new JsonObject(), path);
    }
    if (!(value instanceof JsonObject obj)) {
      throw type(path, "an object", value);
    }
    return new Fields(obj, path);
  }

  public String name(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  public boolean has(String key) {
    read.add(key);
    return o.getValue(key) != null;
  }

  public Object raw(String key) {
    read.add(key);
    return o.getValue(key);
  }

  public String string(String key, boolean required) {
    Object v = raw(key);
    if (v == null) {
      if (required) {
        throw new InvalidJobException("missing_field", name(key), name(key) + " is required");
      }
      return null;
    }
    if (!(v instanceof String s)) {
      throw type(name(key), "a string", v);
    }
    if (required && s.isBlank()) {
      throw new InvalidJobException("invalid_field", name(key), name(key) + " must not be empty");
    }
    return s;
  }

  public String oneOf(String key, Set<String> allowed, String dflt) {
    String s = string(key, false);
    if (s == null) {
      return dflt;
    }
    if (!allowed.contains(s)) {
      throw new InvalidJobException("invalid_field", name(key), name(key) + " must be one of "
          + String.join(", ", new java.util.TreeSet<>(allowed)) + ", got '" + s + "'");
    }
    return s;
  }

  public Long integer(String key, long min, long max, Long dflt) {
    Object v = raw(key);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
        || Math.abs(n.doubleValue()) > 9.0e15) {
      throw type(name(key), "a whole number", v);
    }
    long l = n.longValue();
    if (l < min || l > max) {
      throw new InvalidJobException("invalid_field", name(key), name(key) + " must be between " + min + " and " + max
          + ", got " + l);
    }
    return l;
  }

  public Double number(String key, double min, double max, Double dflt) {
    Object v = raw(key);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
      throw type(name(key), "a number", v);
    }
    double d = n.doubleValue();
    if (d < min || d > max) {
      throw new InvalidJobException("invalid_field", name(key), name(key) + " must be between " + min + " and " + max
          + ", got " + d);
    }
    return d;
  }

  public boolean bool(String key, boolean dflt) {
    Object v = raw(key);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Boolean b)) {
      throw type(name(key), "true or false", v);
    }
    return b;
  }

  public JsonObject object(String key) {
    Object v = raw(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonObject j)) {
      throw type(name(key), "an object", v);
    }
    return j;
  }

  public List<String> strings(String key, int maxItems) {
    Object v = raw(key);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof JsonArray a)) {
      throw type(name(key), "a list of strings", v);
    }
    if (a.size() > maxItems) {
      throw new InvalidJobException("invalid_field", name(key), name(key) + " may hold at most " + maxItems + " items");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      Object x = a.getValue(i);
      if (!(x instanceof String s) || s.isBlank()) {
        throw type(name(key) + "[" + i + "]", "a non-empty string", x);
      }
      out.add(s);
    }
    return out;
  }

  public List<Long> integers(String key, int maxItems, long min, long max) {
    Object v = raw(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonArray a)) {
      throw type(name(key), "a list of whole numbers", v);
    }
    if (a.size() > maxItems) {
      throw new InvalidJobException("invalid_field", name(key), name(key) + " may hold at most " + maxItems + " items");
    }
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      Object x = a.getValue(i);
      if (!(x instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < min
          || n.longValue() > max) {
        throw type(name(key) + "[" + i + "]", "a whole number between " + min + " and " + max, x);
      }
      out.add(n.longValue());
    }
    return out;
  }

  public Map<String, String> stringMap(String key, int maxEntries) {
    JsonObject m = object(key);
    if (m == null) {
      return Map.of();
    }
    if (m.size() > maxEntries) {
      throw new InvalidJobException("invalid_field", name(key), name(key) + " may hold at most " + maxEntries
          + " entries");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : m) {
      if (!(e.getValue() instanceof String s)) {
        throw type(name(key) + "." + e.getKey(), "a string", e.getValue());
      }
      out.put(e.getKey(), s);
    }
    return out;
  }

  /** Refuses every field that was not read. */
  public void done() {
    for (String k : o.fieldNames()) {
      if (!read.contains(k)) {
        throw new InvalidJobException("unknown_field", name(k), "unknown field " + name(k));
      }
    }
  }

  public static InvalidJobException type(String field, String expected, Object got) {
    String kind = got == null ? "null" : got instanceof String ? "a string" : got instanceof Number ? "a number"
        : got instanceof Boolean ? "a boolean" : got instanceof JsonArray ? "a list" : "an object";
    return new InvalidJobException("invalid_type", field, field + " must be " + expected + ", got " + kind);
  }
}
