package dev.flightdeck.store;

import io.vertx.core.json.JsonObject;

/**
 * A stored schedule. {@code spec} is its validated definition (cron, time zone, job template,
 * policies); {@code nextFireAt} the nominal time of the next tick to consider (null: none left),
 * {@code nextDueAt} when that tick is due: its time plus the schedule's jitter for it.
 */
public record ScheduleRecord(String id, String app, String name, JsonObject spec, boolean paused, Long nextFireAt,
    Long nextDueAt, int version, long createdAt, long updatedAt, String createdBy) {}
