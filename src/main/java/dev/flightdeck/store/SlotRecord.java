package dev.flightdeck.store;

import io.vertx.core.json.JsonObject;

/**
 * One planned unit of a job: usually one machine and one action. States: {@code pending},
 * {@code running}, {@code succeeded}, {@code failed}, {@code skipped}, {@code cancelled}.
 */
public record SlotRecord(
    String jobId,
    int slot,
    String machineId,
    String action,
    String state,
    int attempts,
    String errorCode,
    String error,
    Integer exitCode,
    Long startedAt,
    Long finishedAt,
    JsonObject detail) {

  public static final String PENDING = "pending";
  public static final String RUNNING = "running";
  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String SKIPPED = "skipped";
  public static final String CANCELLED = "cancelled";

  public boolean done() {
    return SUCCEEDED.equals(state) || FAILED.equals(state) || SKIPPED.equals(state) || CANCELLED.equals(state);
  }

  public SlotRecord with(String newState, String newMachineId, int newAttempts, String code, String err,
      Integer exit, Long started, Long finished) {
    return new SlotRecord(jobId, slot, newMachineId, action, newState, newAttempts, code, err, exit, started,
        finished, detail);
  }
}
