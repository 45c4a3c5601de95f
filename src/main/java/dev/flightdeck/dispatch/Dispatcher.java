package dev.flightdeck.dispatch;

import dev.flightdeck.fleet.FleetCache;
import dev.flightdeck.fly.FlyClient;
import dev.flightdeck.fly.FlyOperation;
import dev.flightdeck.time.TimeSource;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Turns machine operations into Machines API calls as fast as the API allows, built like a work
 * queue from small parts: a {@link FairQueue} (priority, then round-robin between apps and within
 * an app between its jobs, each job within its own limit), {@link SerialKeys} (one operation per machine at a time), a
 * {@link DelayingQueue} (operations backing off or waiting for their first call's rate token), an
 * {@link ApiRateLimiter} (the API's documented limits, client-side), and global and per-app
 * in-flight limits. Each operation is run by an {@link OpExecution}; a cancel is one flag every
 * step of it checks. Everything runs on one context; public methods hop onto it.
 */
public final class Dispatcher {

  final Context context;
  final FlyClient fly;
  final FleetCache fleet;
  final TimeSource time;
  final DispatchConfig config;
  final BackoffPolicy backoff;
  final DispatchStats stats = new DispatchStats();
  private final ApiRateLimiter limiter;
  private final String instanceId;
  /** The lease owner name the API shows for Flightdeck's token, learned from the first lease. */
  private String owner;

  private final FairQueue queue = new FairQueue();
  private final SerialKeys<OpExecution> machines = new SerialKeys<>();
  private final DelayingQueue<OpExecution> delayed = new DelayingQueue<>();
  private final Map<String, Integer> appInFlight = new HashMap<>();
  private final Map<OpExecution, Boolean> leaseHolders = new java.util.IdentityHashMap<>();
  private int inFlight;
  private long wakeTimer = -1;
  private long wakeAt = Long.MAX_VALUE;
  private boolean pumping;

  public Dispatcher(Context context, FlyClient fly, FleetCache fleet, TimeSource time, DispatchConfig config,
      String instanceId, long seed) {
    this.context = context;
    this.fly = fly;
    this.fleet = fleet;
    this.time = time;
    this.config = config;
    this.instanceId = instanceId;
    this.backoff = new BackoffPolicy(config.backoff(), new SplittableRandom(seed));
    this.limiter = new ApiRateLimiter(time, config.rateLimits(), backoff, stats);
  }

  String instanceId() {
    return instanceId;
  }

  /** Flightdeck's lease owner name as the API reports it, or null before the first lease. */
  String owner() {
    return owner;
  }

  void learnOwner(String name) {
    if (owner == null && name != null && !name.isBlank()) {
      owner = name;
    }
  }

  // ---------------------------------------------------------------- public API

  /** Queues an operation; the future completes when it has ended, successfully or not. */
  public Future<OpResult> submit(MachineOp op) {
    return onContext(() -> {
      Future<OpResult> f = enqueue(op);
      pump();
      return f;
    });
  }

  /** Queues several operations at once. */
  public Future<List<Future<OpResult>>> submitAll(List<MachineOp> ops) {
    return onContext(() -> {
      List<Future<OpResult>> out = new ArrayList<>(ops.size());
      for (MachineOp op : ops) {
        out.add(enqueue(op));
      }
      pump();
      return Future.succeededFuture(out);
    });
  }

  private Future<OpResult> enqueue(MachineOp op) {
    OpExecution e = new OpExecution(this, op, time.millis());
    stats.submitted++;
    queue.add(e);
    return e.promise.future();
  }

  /**
   * Cancels a job's operations: queued ones end CANCELLED at once; running ones stop at their
   * next step and release their lease. Returns how many were dropped from the queue.
   */
  public Future<Integer> cancelJob(String jobId) {
    return onContext(() -> {
      List<OpExecution> dropped = new ArrayList<>(queue.removeJob(jobId));
      dropped.addAll(delayed.removeIf(e -> e.op.jobId().equals(jobId)));
      dropped.addAll(machines.removeWaiting(e -> e.op.jobId().equals(jobId)));
      dropped.forEach(this::finishCancelled);
      for (OpExecution e : machines.running()) {
        if (e.op.jobId().equals(jobId)) {
          e.cancel();
        }
      }
      return Future.succeededFuture(dropped.size());
    });
  }

  /** Changes a job's own concurrency limit (e.g. a rolling update's max_unavailable). */
  public Future<Void> setJobMaxConcurrent(String jobId, int max) {
    return onContext(() -> {
      if (queue.setMaxConcurrent(jobId, max)) {
        pump();
      }
      return Future.succeededFuture();
    });
  }

  public Future<DispatchStats.Snapshot> stats() {
    return onContext(() -> {
      stats.queued = queue.queued() + delayed.size() + machines.waiting();
      return Future.succeededFuture(stats.snapshot());
    });
  }

  /** Operations in flight per app, a copy (metrics). */
  public Future<Map<String, Integer>> inFlightByApp() {
    return onContext(() -> Future.succeededFuture(new HashMap<>(appInFlight)));
  }

  /** Current in-flight count of one app (context only; for metrics and tests). */
  public int inFlight(String app) {
    return appInFlight.getOrDefault(app, 0);
  }

  public DispatchConfig config() {
    return config;
  }

  // ---------------------------------------------------------------- scheduling

  private void pump() {
    if (pumping) {
      return;
    }
    pumping = true;
    try {
      long now = time.millis();
      for (OpExecution e = delayed.pollDue(now); e != null; e = delayed.pollDue(now)) {
        if (e.isCancelled()) {
          finishCancelled(e);
        } else {
          queue.putBack(e);
        }
      }
      long[] minWait = {Long.MAX_VALUE};
      FairQueue.Judge judge = e -> judge(e, now, minWait);
      while (inFlight < config.maxInFlight()) {
        OpExecution next = queue.next(judge);
        if (next == null) {
          break;
        }
        launch(next, now);
      }
      long nextWake = minWait[0] == Long.MAX_VALUE ? Long.MAX_VALUE : now + minWait[0];
      scheduleWake(Math.min(nextWake, delayed.nextDue()), now);
    } finally {
      pumping = false;
    }
  }

  /** Whether the operation at the head of a queue runs now, waits for its machine, or waits for its rate token. */
  private FairQueue.Verdict judge(OpExecution e, long now, long[] minWait) {
    if (appInFlight.getOrDefault(e.op.app(), 0) >= config.maxInFlightPerApp()) {
      return FairQueue.Verdict.NOT_NOW;
    }
    if (machines.busy(e.serialKey)) {
      machines.park(e.serialKey, e);
      return FairQueue.Verdict.MOVED;
    }
    long wait = limiter.firstCallWait(e, now);
    if (wait <= 0) {
      return FairQueue.Verdict.TAKE;
    }
    if (e.op.action() instanceof Action.Create) {
      minWait[0] = Math.min(minWait[0], wait); // the app's create bucket: every create behind waits too
      return FairQueue.Verdict.NOT_NOW;
    }
    stats.bucketWaits++;
    stats.bucketWaitMs += wait;
    delayed.add(e, now + wait);
    return FairQueue.Verdict.MOVED;
  }

  private void launch(OpExecution e, long now) {
    limiter.payFirstCall(e, now);
    machines.enter(e.serialKey, e);
    inFlight++;
    stats.inFlight = inFlight;
    stats.maxInFlightSeen = Math.max(stats.maxInFlightSeen, inFlight);
    appInFlight.merge(e.op.app(), 1, Integer::sum);
    Future<OpExecution.Disposition> run;
    try {
      run = e.run();
    } catch (RuntimeException ex) {
      run = Future.failedFuture(ex);
    }
    run.onComplete(ar -> afterRun(e, ar.succeeded() ? ar.result()
        : new OpExecution.Finished(new OpResult(e.op.opId(), e.op.jobId(), e.op.app(), e.op.machineId(),
            e.op.action().name(), OpResult.Outcome.FAILED, "internal", String.valueOf(ar.cause()), e.attempts,
            e.apiCalls, null, e.queuedAt, e.startedAt, time.millis()))));
  }

  private void afterRun(OpExecution e, OpExecution.Disposition d) {
    inFlight--;
    stats.inFlight = inFlight;
    appInFlight.merge(e.op.app(), -1, Integer::sum);
    queue.stoppedRunning(e);
    OpExecution next = machines.leave(e.serialKey);
    if (next != null) {
      queue.putBack(next);
    }
    if (d instanceof OpExecution.Deferred def && !e.isCancelled()) {
      delayed.add(e, time.millis() + def.delayMs());
    } else if (d instanceof OpExecution.Deferred) {
      finishCancelled(e);
    } else {
      OpResult r = ((OpExecution.Finished) d).result();
      switch (r.outcome()) {
        case SUCCEEDED -> stats.succeeded++;
        case FAILED -> stats.failed++;
        case CANCELLED -> stats.cancelled++;
      }
      queue.done(e);
      e.promise.tryComplete(r);
    }
    pump();
  }

  private void scheduleWake(long at, long now) {
    if (at == Long.MAX_VALUE || (wakeTimer >= 0 && wakeAt <= at)) {
      return;
    }
    if (wakeTimer >= 0) {
      time.cancelTimer(wakeTimer);
    }
    wakeAt = at;
    wakeTimer = time.setTimer(Math.max(1, at - now), () -> {
      wakeTimer = -1;
      wakeAt = Long.MAX_VALUE;
      pump();
    });
  }

  private void finishCancelled(OpExecution e) {
    stats.cancelled++;
    queue.done(e);
    e.promise.tryComplete(new OpResult(e.op.opId(), e.op.jobId(), e.op.app(), e.op.machineId(),
        e.op.action().name(), OpResult.Outcome.CANCELLED, "cancelled", "job cancelled before this operation ran",
        e.attempts, e.apiCalls, null, e.queuedAt, e.startedAt, time.millis()));
  }

  /** Makes one API call for {@code e} through the rate limiter (see {@link ApiRateLimiter#call}). */
  <T> Future<T> call(OpExecution e, FlyOperation op, ApiRateLimiter.BucketKey bucketKey, Supplier<Future<T>> call) {
    return limiter.call(e, op, bucketKey, call);
  }

  /** A timer as a future; a cancelled operation's sleep ends early (it checks why it woke). */
  Future<Void> sleep(OpExecution e, long ms) {
    if (e != null && e.isCancelled()) {
      return Future.succeededFuture();
    }
    Promise<Void> p = Promise.promise();
    long timer = time.setTimer(Math.max(0, ms), () -> {
      if (e != null) {
        e.napping(null);
      }
      p.tryComplete();
    });
    if (e != null) {
      e.napping(() -> {
        time.cancelTimer(timer);
        p.tryComplete();
      });
    }
    return p.future();
  }

  // ---------------------------------------------------------------- leases held

  void leaseTaken(OpExecution e) {
    if (leaseHolders.put(e, Boolean.TRUE) == null) {
      stats.leasesAcquired++;
      stats.leasesHeld = leaseHolders.size();
    }
  }

  void leaseGone(OpExecution e) {
    if (leaseHolders.remove(e) != null) {
      stats.leasesHeld = leaseHolders.size();
    }
  }

  private <T> Future<T> onContext(Supplier<Future<T>> work) {
    if (Vertx.currentContext() == context) {
      return work.get();
    }
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> {
      try {
        work.get().onComplete(p);
      } catch (RuntimeException ex) {
        p.fail(ex);
      }
    });
    return p.future();
  }
}
