package dev.flightdeck.fly;

import io.vertx.core.json.JsonObject;

/** One entry of a machine's event log (newest first in API answers). */
public record MachineEvent(String id, String type, String status, String source, long timestamp, JsonObject request) {

  static MachineEvent fromJson(JsonObject o) {
    return new MachineEvent(
        Json.str(o, "id"),
        Json.str(o, "type"),
        Json.str(o, "status"),
        Json.str(o, "source"),
        Json.lng(o, "timestamp", 0),
        Json.obj(o, "request"));
  }

  /** The exit code of an {@code exit} event, or null when this event carries none. */
  public Integer exitCode() {
    JsonObject exit = Json.obj(request, "exit_event");
    if (exit == null || !exit.containsKey("exit_code")) {
      return null;
    }
    return (int) Json.lng(exit, "exit_code", 0);
  }
}
