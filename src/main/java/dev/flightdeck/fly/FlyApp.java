package dev.flightdeck.fly;

import io.vertx.core.json.JsonObject;

/** An app as {@code GET /v1/apps/{app}} and the app list return it. */
public record FlyApp(String id, String name, String status, String orgSlug, int machineCount, String network) {

  static FlyApp fromJson(JsonObject o) {
    return new FlyApp(
        Json.str(o, "id"),
        Json.str(o, "name"),
        Json.str(o, "status"),
        Json.str(Json.obj(o, "organization"), "slug"),
        (int) Json.lng(o, "machine_count", 0),
        Json.str(o, "network"));
  }
}
