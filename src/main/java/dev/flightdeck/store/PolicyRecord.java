package dev.flightdeck.store;

import io.vertx.core.json.JsonObject;

/**
 * A stored scaling policy: its validated definition ({@code spec}) and the state decisions need —
 * when it last scaled up and down (cooldowns), the job it last submitted, and the last recorded
 * outcome (so periodic re-evaluations record only what changed).
 */
public record PolicyRecord(String id, String app, String name, JsonObject spec, int version, Long lastUpAt,
    Long lastDownAt, String lastJobId, String lastOutcome, long createdAt, long updatedAt, String createdBy) {}
