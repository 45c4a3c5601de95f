package dev.flightdeck.fly;

import io.vertx.core.json.JsonObject;

/** A successful wait: the state reached, at which version and after which event. */
public record WaitResult(boolean ok, String state, String version, String eventId) {

  static WaitResult fromJson(JsonObject o) {
    return new WaitResult(Json.bool(o, "ok"), Json.str(o, "state"), Json.str(o, "version"), Json.str(o, "event_id"));
  }
}
