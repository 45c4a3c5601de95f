package dev.flightdeck.store;

/** What an insert did: stored it, found the same request under its idempotency key, or found another. */
public record InsertOutcome(Kind kind, JobRecord job) {

  public enum Kind { INSERTED, EXISTING, CONFLICT }

  public static InsertOutcome inserted(JobRecord j) {
    return new InsertOutcome(Kind.INSERTED, j);
  }
}
