package dev.flightdeck.store;

import io.vertx.core.json.JsonArray;

/**
 * One autoscaler decision: which way the alerts pushed ({@code up}/{@code down}), what came of it
 * ({@code scaled}, {@code dry_run}, {@code no_change}, {@code cooldown}, {@code blocked}, …) and why,
 * the started machines counted and wanted, the job submitted (if any) and the alerts behind it.
 */
public record DecisionRecord(String id, String policyId, long at, String trigger, String direction, String outcome,
    String reason, Integer current, Integer desired, String jobId, JsonArray alerts) {}
