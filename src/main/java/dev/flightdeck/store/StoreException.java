package dev.flightdeck.store;

/** The store could not do what was asked (database down, disk full, …). */
public final class StoreException extends RuntimeException {

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /** True when the cause says the disk (or quota) is full. */
  public boolean diskFull() {
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
