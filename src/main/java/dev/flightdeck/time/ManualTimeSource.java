package dev.flightdeck.time;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that only moves when told to. Timers are kept until {@link #advance} passes their due
 * time, then run on the context that scheduled them, in due-time order.
 */
public final class ManualTimeSource implements TimeSource {

  private record Task(long due, long id, Context context, Runnable run) {}

  private final AtomicLong now;
  private final AtomicLong ids = new AtomicLong();
  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>((a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.id, b.id));

  public ManualTimeSource(long startMillis) {
    this.now = new AtomicLong(startMillis);
  }

  @Override
  public long millis() {
    return now.get();
  }

  @Override
  public long setTimer(long delayMs, Runnable task) {
    long id = ids.incrementAndGet();
    List<Promise<Void>> ready = new ArrayList<>();
    synchronized (this) {
      tasks.add(new Task(now.get() + Math.max(0, delayMs), id, Vertx.currentContext(), task));
      watchers.removeIf(w -> {
        if (tasks.size() >= w.count) {
          ready.add(w.promise);
          return true;
        }
        return false;
      });
    }
    ready.forEach(Promise::tryComplete);
    return id;
  }

  private record Watcher(int count, Promise<Void> promise) {}

  private final List<Watcher> watchers = new ArrayList<>();

  /**
   * Completes once at least {@code count} timers are pending: how a test knows that the code under
   * test has scheduled its timeout before moving the clock past it.
   */
  public Future<Void> whenPending(int count) {
    synchronized (this) {
      if (tasks.size() >= count) {
        return Future.succeededFuture();
      }
      Promise<Void> p = Promise.promise();
      watchers.add(new Watcher(count, p));
      return p.future();
    }
  }

  @Override
  public synchronized boolean cancelTimer(long id) {
    return tasks.removeIf(t -> t.id == id);
  }

  public synchronized int pendingTimers() {
    return tasks.size();
  }

  /**
   * Moves the clock forward by {@code ms}, running every timer that falls due on the way with the
   * clock set to its due time. Timers scheduled by those tasks are honoured too. The future
   * completes once all of them have run.
   */
  public Future<Void> advance(long ms) {
    long target = now.get() + ms;
    return runUntil(target);
  }

  /** Runs the timers that are already due, without moving the clock. */
  public Future<Void> runDue() {
    return runUntil(now.get());
  }

  private Future<Void> runUntil(long target) {
    Task next;
    synchronized (this) {
      next = tasks.peek();
      if (next == null || next.due > target) {
        now.set(Math.max(now.get(), target));
        return Future.succeededFuture();
      }
      tasks.poll();
      now.set(Math.max(now.get(), next.due));
    }
    return run(next).compose(v -> runUntil(target));
  }

  private static Future<Void> run(Task task) {
    if (task.context == null) {
      task.run.run();
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    task.context.runOnContext(v -> {
      try {
        task.run.run();
      } finally {
        done.complete();
      }
    });
    return done.future();
  }

  /** Due times of pending timers, earliest first (for assertions). */
  public synchronized List<Long> dueTimes() {
    List<Long> out = new ArrayList<>();
    tasks.stream().sorted((a, b) -> Long.compare(a.due, b.due)).forEach(t -> out.add(t.due));
    return out;
  }
}
