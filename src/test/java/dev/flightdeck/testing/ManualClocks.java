package dev.flightdeck.testing;

import dev.flightdeck.time.ManualTimeSource;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/** Manual clocks for whole-server tests. */
public final class ManualClocks {

  private ManualClocks() {}

  /** A manual clock at the real current time (stored timestamps stay plausible). */
  public static ManualTimeSource now() {
    return new ManualTimeSource(System.currentTimeMillis());
  }

  /**
   * Runs due timers (zero-latency transitions, polls) and moves the clock 50 ms at a time until
   * {@code done} holds, for at most 10 simulated minutes.
   */
  public static void drive(Vertx vertx, ManualTimeSource clock, Supplier<Boolean> done) {
    for (int i = 0; i < 12_000 && !done.get(); i++) {
      clock.advance(50).await();
      Promise<Void> tick = Promise.promise();
      vertx.setTimer(1, t -> tick.complete());
      tick.future().await();
    }
    if (!done.get()) {
      throw new AssertionError("condition not reached within 10 simulated minutes");
    }
  }
}
