package dev.flightdeck.time;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** Real time: {@code System.currentTimeMillis()} and Vert.x timers. */
public final class VertxTimeSource implements TimeSource {

  private final Vertx vertx;

  public VertxTimeSource(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public long millis() {
    return System.currentTimeMillis();
  }

  @Override
  public long setTimer(long delayMs, Runnable task) {
    if (delayMs <= 0) {
      Context ctx = vertx.getOrCreateContext();
      ctx.runOnContext(v -> task.run());
      return -1;
    }
    return vertx.setTimer(delayMs, id -> task.run());
  }

  @Override
  public boolean cancelTimer(long id) {
    return id >= 0 && vertx.cancelTimer(id);
  }
}
