package dev.flightdeck.time;

import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * A task run again and again, one run at a time: the next run is timed from the end of the last
 * (a slow store never stacks runs), a run that fails or throws does not end the loop, and
 * {@link #stop()} ends it for good, cancelling the pending timer. Used from one context: timers
 * fire on the context that set them, and start/stop are called there.
 */
public final class Periodic {

  private final TimeSource time;
  private final long intervalMs;
  private final Supplier<Future<?>> task;
  private long timer = -1;
  private boolean running;
  private boolean stopped;

  private Periodic(TimeSource time, long intervalMs, Supplier<Future<?>> task) {
    if (intervalMs < 0) {
      throw new IllegalArgumentException("interval must not be negative: " + intervalMs);
    }
    this.time = time;
    this.intervalMs = intervalMs;
    this.task = task;
  }

  /** A loop running {@code task} every {@code intervalMs} once started; {@code task} completes when a run is done. */
  public static Periodic every(TimeSource time, long intervalMs, Supplier<Future<?>> task) {
    return new Periodic(time, intervalMs, task);
  }

  /** First run after one interval. */
  public Periodic start() {
    return start(intervalMs);
  }

  /** First run after {@code firstDelayMs}, then every interval. Starting twice, or after stop, does nothing. */
  public Periodic start(long firstDelayMs) {
    if (!running && !stopped) {
      running = true;
      arm(firstDelayMs);
    }
    return this;
  }

  public void stop() {
    stopped = true;
    if (timer >= 0) {
      time.cancelTimer(timer);
      timer = -1;
    }
  }

  public boolean stopped() {
    return stopped;
  }

  private void arm(long delayMs) {
    if (!stopped) {
      timer = time.setTimer(delayMs, this::run);
    }
  }

  private void run() {
    timer = -1;
    if (stopped) {
      return;
    }
    Future<?> done;
    try {
      done = task.get();
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    (done == null ? Future.succeededFuture() : done).onComplete(ar -> arm(intervalMs));
  }
}
