package dev.flightdeck.time;

import java.time.Instant;

/**
 * Wall-clock time and timers behind one interface, so lease TTLs, latencies, backoff, cron and
 * cooldowns can be driven by a {@link ManualTimeSource} in tests instead of real waiting.
 * Timers fire on the Vert.x context that scheduled them.
 */
public interface TimeSource {

  long millis();

  default Instant now() {
    return Instant.ofEpochMilli(millis());
  }

  /** Runs {@code task} after {@code delayMs} (0 means on the next turn of the context). */
  long setTimer(long delayMs, Runnable task);

  boolean cancelTimer(long id);
}
