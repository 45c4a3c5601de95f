package dev.flightdeck.store;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Commits many writes in one transaction: writes queue up while commits are running, and the next
 * commit takes them all (up to {@code maxBatch}). Up to {@code maxInFlight} commits run at once
 * (PostgreSQL has a pool of connections to keep busy; SQLite has one writer). No write is acknowledged before its commit. If a
 * batch fails, each of its writes is retried alone, so one bad write cannot sink the others.
 */
final class GroupCommit {

  /** One queued write with the context to answer on. */
  static final class Pending<T> {
    final Tx.Work<T> work;
    final Promise<T> promise = Promise.promise();
    final Context context;
    T result;

    Pending(Tx.Work<T> work) {
      this.work = work;
      this.context = Vertx.currentContext();
    }

    void complete(T value) {
      deliver(() -> promise.tryComplete(value));
    }

    void fail(Throwable t) {
      deliver(() -> promise.tryFail(t));
    }

    private void deliver(Runnable r) {
      if (context == null) {
        r.run();
      } else {
        context.runOnContext(v -> r.run());
      }
    }
  }

  private final int maxBatch;
  private final int maxInFlight;
  private final Function<List<Pending<?>>, Future<Void>> commit;
  private final ArrayDeque<Pending<?>> queue = new ArrayDeque<>();
  private int inFlight;
  private long batches;
  private long writes;

  /** {@code commit} runs every write of the list in one transaction, setting each result, and commits. */
  GroupCommit(int maxBatch, Function<List<Pending<?>>, Future<Void>> commit) {
    this(maxBatch, 1, commit);
  }

  GroupCommit(int maxBatch, int maxInFlight, Function<List<Pending<?>>, Future<Void>> commit) {
    this.maxBatch = maxBatch;
    this.maxInFlight = Math.max(1, maxInFlight);
    this.commit = commit;
  }

  <T> Future<T> submit(Tx.Work<T> work) {
    Pending<T> p = new Pending<>(work);
    boolean start;
    synchronized (this) {
      queue.add(p);
      start = inFlight < maxInFlight;
      if (start) {
        inFlight++;
      }
    }
    if (start) {
      next();
    }
    return p.promise.future();
  }

  /** Mean writes per commit so far (for the benchmark). */
  synchronized double meanBatch() {
    return batches == 0 ? 0 : (double) writes / batches;
  }

  private void next() {
    List<Pending<?>> batch = new ArrayList<>();
    synchronized (this) {
      while (!queue.isEmpty() && batch.size() < maxBatch) {
        batch.add(queue.poll());
      }
      if (batch.isEmpty()) {
        inFlight--;
        return;
      }
      batches++;
      writes += batch.size();
    }
    commit.apply(batch).onComplete(ar -> {
      if (ar.succeeded()) {
        batch.forEach(GroupCommit::completeWithResult);
        next();
      } else if (batch.size() == 1) {
        batch.get(0).fail(ar.cause());
        next();
      } else {
        retryOneByOne(batch, 0);
      }
    });
  }

  private void retryOneByOne(List<Pending<?>> batch, int i) {
    if (i >= batch.size()) {
      next();
      return;
    }
    Pending<?> p = batch.get(i);
    commit.apply(List.of(p)).onComplete(ar -> {
      if (ar.succeeded()) {
        completeWithResult(p);
      } else {
        p.fail(ar.cause());
      }
      retryOneByOne(batch, i + 1);
    });
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void completeWithResult(Pending p) {
    p.complete(p.result);
  }
}
