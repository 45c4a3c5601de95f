package dev.flightdeck.sim;

import io.vertx.core.json.JsonObject;

/** A machine lease. {@code expiresAtMillis} is compared with the simulator's clock. */
record SimLease(String nonce, String owner, String description, long expiresAtMillis, String version) {

  boolean liveAt(long now) {
    return expiresAtMillis > now;
  }

  long expiresAtSeconds() {
    return (expiresAtMillis + 999) / 1000;
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("nonce", nonce)
        .put("expires_at", expiresAtSeconds())
        .put("owner", owner)
        .put("description", description == null ? "" : description)
        .put("version", version);
  }

  SimLease extendTo(long newExpiry) {
    return new SimLease(nonce, owner, description, newExpiry, version);
  }
}
