package dev.flightdeck.fly;

import io.vertx.core.json.JsonObject;

/** The answer to a start: the state the machine was in before. */
public record StartResult(String previousState, boolean migrated, String newHost) {

  static StartResult fromJson(JsonObject o) {
    return new StartResult(Json.str(o, "previous_state"), Json.bool(o, "migrated"), Json.str(o, "new_host"));
  }
}
