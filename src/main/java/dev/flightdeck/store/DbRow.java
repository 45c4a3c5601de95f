package dev.flightdeck.store;

import io.vertx.core.json.JsonObject;
import java.util.Map;

/** A result row, the same for JDBC and the PostgreSQL client; column names in lower case. */
record DbRow(Map<String, Object> values) {

  String string(String col) {
    Object v = values.get(col);
    return v == null ? null : v.toString();
  }

  Long longOrNull(String col) {
    Object v = values.get(col);
    return v == null ? null : ((Number) v).longValue();
  }

  long lng(String col) {
    Long v = longOrNull(col);
    return v == null ? 0 : v;
  }

  int integer(String col) {
    return (int) lng(col);
  }

  Integer intOrNull(String col) {
    Long v = longOrNull(col);
    return v == null ? null : v.intValue();
  }

  boolean bool(String col) {
    Object v = values.get(col);
    if (v instanceof Boolean b) {
      return b;
    }
    return v != null && ((Number) v).intValue() != 0;
  }

  JsonObject json(String col) {
    String s = string(col);
    return s == null ? null : new JsonObject(s);
  }
}
