package dev.flightdeck.sim;

import io.vertx.core.json.JsonObject;

/** One machine event as the API shows it: type, status, source (user or flyd), ms timestamp. */
record SimEvent(String id, String type, String status, String source, long timestamp, JsonObject request) {

  JsonObject toJson() {
    JsonObject o = new JsonObject()
        .put("id", id)
        .put("type", type)
        .put("status", status)
        .put("source", source)
        .put("timestamp", timestamp);
    if (request != null) {
      o.put("request", request); // rendered and dropped at once, like the machine's config next to it
    }
    return o;
  }
}
