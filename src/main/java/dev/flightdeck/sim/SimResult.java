package dev.flightdeck.sim;

/** A successful API answer; {@code body} is a JsonObject, a JsonArray or null for no body. */
record SimResult(int status, Object body) {

  static SimResult ok(Object body) {
    return new SimResult(200, body);
  }

  static SimResult empty(int status) {
    return new SimResult(status, null);
  }
}
