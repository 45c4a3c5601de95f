package dev.flightdeck.testing;

import dev.flightdeck.fly.FlyApiException;
import io.vertx.core.Future;

/** Small helpers for asserting on futures. */
public final class Futures {

  private Futures() {}

  /** Succeeds with the FlyApiException {@code f} failed with; fails if {@code f} succeeded. */
  public static <T> Future<FlyApiException> apiFailure(Future<T> f) {
    return f.transform(ar -> {
      if (ar.succeeded()) {
        return Future.failedFuture(new AssertionError("expected the call to fail, but it returned " + ar.result()));
      }
      if (ar.cause() instanceof FlyApiException e) {
        return Future.succeededFuture(e);
      }
      return Future.failedFuture(new AssertionError("expected a FlyApiException, got " + ar.cause(), ar.cause()));
    });
  }
}
