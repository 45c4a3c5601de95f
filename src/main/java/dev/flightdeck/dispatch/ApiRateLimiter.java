package dev.flightdeck.dispatch;

import dev.flightdeck.fly.FlyApiException;
import dev.flightdeck.fly.FlyOperation;
import dev.flightdeck.time.TimeSource;
import dev.flightdeck.time.TokenBuckets;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.function.Supplier;

/**
 * Client-side token buckets mirroring the Machines API's documented limits (one bucket per
 * machine and action, or per app for creates), so calls wait here instead of drawing 429s. An
 * operation's first call is paid when it is launched (the dispatcher defers one whose bucket is
 * empty instead of letting it hold a run slot); later calls wait for a token. Not thread-safe.
 */
final class ApiRateLimiter {

  /**
   * A bucket: the machine (or, for creates, the app) and the operation whose limit it counts. A record
   * rather than a joined string: no string is built and hashed for every call, and the machine id's
   * hash is the one its string already cached.
   */
  record BucketKey(String subject, FlyOperation operation) {
    static BucketKey of(String subject, FlyOperation operation) {
      return new BucketKey(subject, operation);
    }

    @Override
    public String toString() {
      return subject + "|" + operation.operationId();
    }
  }

  private final TokenBuckets<BucketKey> buckets = new TokenBuckets<>();
  private final TimeSource time;
  private final DispatchConfig.RateLimits limits;
  private final BackoffPolicy backoff;
  private final DispatchStats stats;

  ApiRateLimiter(TimeSource time, DispatchConfig.RateLimits limits, BackoffPolicy backoff, DispatchStats stats) {
    this.time = time;
    this.limits = limits;
    this.backoff = backoff;
    this.stats = stats;
  }

  /** The bucket an operation's first call draws from, or null. */
  static BucketKey firstCallKey(MachineOp op) {
    Action a = op.action();
    if (a instanceof Action.Create) {
      return BucketKey.of(op.app(), FlyOperation.MACHINES_CREATE);
    }
    if (a.leased()) {
      return BucketKey.of(op.machineId(), FlyOperation.LEASE_ACQUIRE);
    }
    if (a instanceof Action.Metadata) {
      return BucketKey.of(op.machineId(), a.operation());
    }
    return null;
  }

  /** How long {@code e}'s first call would wait for its token now (0: it can go). */
  long firstCallWait(OpExecution e, long now) {
    BucketKey key = limits.enabled() ? firstCallKey(e.op) : null;
    return key == null ? 0 : buckets.peek(key, limits.actionPerSecond(), limits.actionBurst(), now);
  }

  /** Takes the token of {@code e}'s first call as it is launched. */
  void payFirstCall(OpExecution e, long now) {
    BucketKey key = limits.enabled() ? firstCallKey(e.op) : null;
    if (key != null) {
      buckets.take(key, limits.actionPerSecond(), limits.actionBurst(), now);
      e.firstCallPaid = true;
    }
  }

  /**
   * Makes one API call for {@code e} (null: no operation's): first a token from {@code bucketKey}'s
   * bucket (waiting for it if need be), counting the call; on a 429 the bucket backs off, on a 5xx
   * its token is given back.
   */
  <T> Future<T> call(OpExecution e, FlyOperation op, BucketKey bucketKey, Supplier<Future<T>> call) {
    Future<Void> ready;
    if (bucketKey == null || !limits.enabled()) {
      ready = Future.succeededFuture();
    } else if (e != null && e.firstCallPaid && bucketKey.equals(firstCallKey(e.op))) {
      e.firstCallPaid = false; // taken when the operation was launched
      ready = Future.succeededFuture();
    } else {
      ready = token(bucketKey, op);
    }
    return ready.compose(v -> {
      stats.apiCalls++;
      if (e != null) {
        e.apiCalls++;
      }
      return call.get();
    }).onFailure(err -> {
      if (!(err instanceof FlyApiException fe)) {
        return;
      }
      if (fe.rateLimited()) {
        stats.rateLimited++;
      }
      if (bucketKey == null || !limits.enabled()) {
        return;
      }
      long now = time.millis();
      if (fe.rateLimited()) {
        // the first 429 only backs this call off (the op's retry delay); a second within the backoff
        // ceiling means the server's bucket is empty, so ours is emptied and blocked too
        if (buckets.strike(bucketKey, rate(op), burst(op), now, backoff.ceiling(2))) {
          buckets.penalize(bucketKey, rate(op), burst(op), now, backoff.ceiling(1));
        } else {
          buckets.refund(bucketKey, now);
        }
      } else if (fe.status() >= 500) {
        // a 5xx is answered before the call is counted (the simulator never charges one; if the API
        // did, its next 429 would correct the bucket): the token was not spent
        buckets.refund(bucketKey, now);
      }
    });
  }

  private Future<Void> token(BucketKey key, FlyOperation op) {
    long now = time.millis();
    long wait = buckets.take(key, rate(op), burst(op), now);
    if (wait == 0) {
      return Future.succeededFuture();
    }
    stats.bucketWaits++;
    stats.bucketWaitMs += wait;
    Promise<Void> p = Promise.promise();
    time.setTimer(wait, () -> token(key, op).onComplete(p));
    return p.future();
  }

  private double rate(FlyOperation op) {
    return op == FlyOperation.MACHINES_SHOW ? limits.getMachinePerSecond() : limits.actionPerSecond();
  }

  private int burst(FlyOperation op) {
    return op == FlyOperation.MACHINES_SHOW ? limits.getMachineBurst() : limits.actionBurst();
  }
}
