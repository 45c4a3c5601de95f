package dev.flightdeck.fly;

import io.vertx.core.json.JsonObject;

/**
 * A lease as the API returns it inside its {@code {"status":"success","data":{…}}} envelope.
 * {@code expiresAt} is unix seconds; {@code version} the machine's instance_id when acquired.
 */
public record Lease(String nonce, long expiresAt, String owner, String description, String version) {

  static Lease fromEnvelope(JsonObject body) {
    JsonObject data = Json.obj(body, "data");
    JsonObject src = data != null ? data : body;
    return new Lease(
        Json.str(src, "nonce"),
        Json.lng(src, "expires_at", 0),
        Json.str(src, "owner"),
        Json.str(src, "description"),
        Json.str(src, "version"));
  }

  @Override
  public String toString() {
    // the nonce is a bearer credential for the machine while the lease lives
    return "Lease[owner=" + owner + ", expiresAt=" + expiresAt + ", description=" + description + "]";
  }
}
