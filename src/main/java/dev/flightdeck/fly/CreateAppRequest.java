package dev.flightdeck.fly;

import io.vertx.core.json.JsonObject;

/** Body of {@code POST /v1/apps}. */
public record CreateAppRequest(String name, String orgSlug, String network) {

  JsonObject toJson() {
    JsonObject o = new JsonObject().put("name", name).put("org_slug", orgSlug);
    if (network != null) {
      o.put("network", network);
    }
    return o;
  }
}
