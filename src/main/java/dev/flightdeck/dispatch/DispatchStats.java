package dev.flightdeck.dispatch;

/** Counters of one dispatcher; read on its context (a snapshot copy is handed out). */
public final class DispatchStats {

  long submitted;
  long succeeded;
  long failed;
  long cancelled;
  long apiCalls;
  long retries;
  long rateLimited;
  long leaseConflicts;
  long ambiguous;
  long bucketWaits;
  long bucketWaitMs;
  long backoffMs;
  long leasesAcquired;
  long leasesReleased;
  long leasesLost;
  int leasesHeld;
  int inFlight;
  int queued;
  int maxInFlightSeen;

  /** An immutable copy. */
  public record Snapshot(long submitted, long succeeded, long failed, long cancelled, long apiCalls, long retries,
      long rateLimited, long leaseConflicts, long ambiguous, long bucketWaits, long bucketWaitMs, long backoffMs,
      long leasesAcquired, long leasesReleased, long leasesLost, int leasesHeld, int inFlight, int queued,
      int maxInFlightSeen) {}

  Snapshot snapshot() {
    return new Snapshot(submitted, succeeded, failed, cancelled, apiCalls, retries, rateLimited, leaseConflicts,
        ambiguous, bucketWaits, bucketWaitMs, backoffMs, leasesAcquired, leasesReleased, leasesLost, leasesHeld,
        inFlight, queued, maxInFlightSeen);
  }
}
