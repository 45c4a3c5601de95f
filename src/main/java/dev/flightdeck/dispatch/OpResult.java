package dev.flightdeck.dispatch;

import dev.flightdeck.fly.Machine;

/**
 * How an operation ended: outcome, error code and the API's text when it failed, how many tries
 * and API calls it took, the machine as last seen, and timings (epoch ms).
 */
public record OpResult(
    String opId,
    String jobId,
    String app,
    String machineId,
    String action,
    Outcome outcome,
    String errorCode,
    String error,
    int attempts,
    int apiCalls,
    Machine machine,
    long queuedAt,
    long startedAt,
    long finishedAt) {

  public enum Outcome { SUCCEEDED, FAILED, CANCELLED }

  public boolean succeeded() {
    return outcome == Outcome.SUCCEEDED;
  }

  /** Milliseconds from first dispatch to the end. */
  public long runMs() {
    return startedAt == 0 ? 0 : finishedAt - startedAt;
  }

  /** Milliseconds from submission to the end. */
  public long totalMs() {
    return finishedAt - queuedAt;
  }
}
