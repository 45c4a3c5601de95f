package dev.flightdeck.store;

import io.vertx.core.json.JsonObject;

/**
 * A stored job. Times are epoch milliseconds (null when not reached yet). {@code owner} and
 * {@code heartbeatAt} describe the instance running it; {@code claims} counts how often it was
 * claimed (more than one means it was resumed or taken over). Jobs made by a schedule carry its id,
 * the tick they stand for ({@code scheduledAt}, null for a manual trigger) and how they were fired
 * ({@code tick}, {@code catch_up}, {@code manual}).
 */
public record JobRecord(
    String id,
    String app,
    String kind,
    String state,
    JsonObject spec,
    int priority,
    String idempotencyKey,
    String requestHash,
    String submittedBy,
    long createdAt,
    long updatedAt,
    Long startedAt,
    Long finishedAt,
    String owner,
    Long heartbeatAt,
    int claims,
    boolean cancelRequested,
    boolean planned,
    Progress progress,
    String error,
    JsonObject result,
    String scheduleId,
    Long scheduledAt,
    String firedAs) {

  public static final String QUEUED = "queued";
  public static final String RUNNING = "running";
  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String CANCELLED = "cancelled";

  public boolean ended() {
    return SUCCEEDED.equals(state) || FAILED.equals(state) || CANCELLED.equals(state);
  }

  /** Counts of the job's per-machine slots by outcome. */
  public record Progress(int total, int succeeded, int failed, int skipped, int cancelled) {
    public static final Progress NONE = new Progress(0, 0, 0, 0, 0);

    public int done() {
      return succeeded + failed + skipped + cancelled;
    }

    public int remaining() {
      return Math.max(0, total - done());
    }
  }
}
