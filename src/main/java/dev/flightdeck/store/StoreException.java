package dev.flightdeck.store;

/** The store could not do what was asked (database down, disk full, …). */
public final class StoreException extends RuntimeException {

  private final boolean full;

  public StoreException(String message, Throwable cause) {
    this(message, cause, false);
  }

  /** {@code full}: the store knows its disk is full (SQLite often reports that only as an I/O error). */
  public StoreException(String message, Throwable cause, boolean full) {
    super(message, cause);
    this.full = full;
  }

  /** True when the cause says the disk (or quota) is full. */
  public boolean diskFull() {
    if (full) {
      return true;
    }
    for (Throwable t = this; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (m.contains("SQLITE_FULL") || m.contains("database or disk is full") || m.contains("No space left")
          || m.contains("disk full")) {
        return true;
      }
    }
    return false;
  }
}
