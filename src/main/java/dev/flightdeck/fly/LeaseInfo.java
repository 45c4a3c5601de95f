package dev.flightdeck.fly;

import io.vertx.core.json.JsonObject;

/** Who holds a machine's lease, as {@code include_leases=true} shows it (no nonce). */
public record LeaseInfo(String owner, String description, long expiresAt) {

  static LeaseInfo fromJson(JsonObject o) {
    if (o == null || o.isEmpty()) {
      return null;
    }
    return new LeaseInfo(Json.str(o, "owner"), Json.str(o, "description"), Json.lng(o, "expires_at", 0));
  }
}
