package dev.flightdeck.store;

import io.vertx.core.json.JsonObject;

/** A job to store: what was submitted, by whom, with which idempotency key and request hash. */
public record NewJob(String id, String app, String kind, JsonObject spec, int priority, String idempotencyKey,
    String requestHash, String submittedBy, long createdAt) {}
