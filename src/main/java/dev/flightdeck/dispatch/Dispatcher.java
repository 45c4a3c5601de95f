package dev.flightdeck.dispatch;

import dev.flightdeck.fleet.FleetCache;
import dev.flightdeck.fly.FlyApiException;
import dev.flightdeck.fly.FlyClient;
import dev.flightdeck.fly.FlyOperation;
import dev.flightdeck.time.TimeSource;
import dev.flightdeck.time.TokenBuckets;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Turns machine operations into Machines API calls as fast as the API allows: at most one
 * Flightdeck operation per machine at a time, global and per-app in-flight limits, a per-job
 * limit, client-side token buckets mirroring the API's limits, and round-robin between jobs
 * (higher priority first) so a 10,000-machine job does not starve a 3-machine one. Each operation
 * is run by an {@link OpExecution}. Everything runs on one context; public methods hop onto it.
 */
public final class Dispatcher {

  final Context context;
  final FlyClient fly;
  final FleetCache fleet;
  final TimeSource time;
  final DispatchConfig config;
  final BackoffPolicy backoff;
  final DispatchStats stats = new DispatchStats();
  private final TokenBuckets buckets = new TokenBuckets();
  private final String instanceId;
  /** The lease owner name the API shows for Flightdeck's token, learned from the first lease. */
  private String owner;

  private final TreeMap<Integer, ArrayDeque<Lane>> rings = new TreeMap<>(Comparator.reverseOrder());
  private final Map<String, Lane> lanes = new HashMap<>();
  private final Map<String, OpExecution> busy = new HashMap<>();
  private final Map<String, ArrayDeque<OpExecution>> parked = new HashMap<>();
  private final PriorityQueue<OpExecution> deferred =
      new PriorityQueue<>(Comparator.comparingLong((OpExecution e) -> e.notBefore));
  private final Map<String, Integer> appInFlight = new HashMap<>();
  private final Map<OpExecution, Boolean> leaseHolders = new java.util.IdentityHashMap<>();
  private int inFlight;
  private long wakeTimer = -1;
  private long wakeAt = Long.MAX_VALUE;
  private boolean pumping;

  /** The queued operations of one job, per app (creates apart), taken in rotation. */
  private static final class Lane {
    final String jobId;
    final int priority;
    int maxConcurrent;
    int inFlight;
    int queued;
    final LinkedHashMap<String, ArrayDeque<OpExecution>> queues = new LinkedHashMap<>();
    final ArrayDeque<String> keys = new ArrayDeque<>();

    Lane(String jobId, int priority, int maxConcurrent) {
      this.jobId = jobId;
      this.priority = priority;
      this.maxConcurrent = maxConcurrent;
    }

    void add(OpExecution e, boolean front) {
      String key = e.op.action() instanceof Action.Create ? e.op.app() + "#create" : e.op.app();
      ArrayDeque<OpExecution> q = queues.computeIfAbsent(key, k -> new ArrayDeque<>());
      if (q.isEmpty() && !keys.contains(key)) {
        keys.addLast(key);
      }
      if (front) {
        q.addFirst(e);
      } else {
        q.addLast(e);
      }
      queued++;
    }
  }

  public Dispatcher(Context context, FlyClient fly, FleetCache fleet, TimeSource time, DispatchConfig config,
      String instanceId, long seed) {
    this.context = context;
    this.fly = fly;
    this.fleet = fleet;
    this.time = time;
    this.config = config;
    this.instanceId = instanceId;
    this.backoff = new BackoffPolicy(config.backoff(), new SplittableRandom(seed));
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
      OpExecution e = new OpExecution(this, op, time.millis());
      stats.submitted++;
      lane(op).add(e, false);
      stats.queued++;
      pump();
      return e.promise.future();
    });
  }

  /** Queues several operations at once. */
  public Future<List<Future<OpResult>>> submitAll(List<MachineOp> ops) {
    return onContext(() -> {
      List<Future<OpResult>> out = new ArrayList<>(ops.size());
      for (MachineOp op : ops) {
        OpExecution e = new OpExecution(this, op, time.millis());
        stats.submitted++;
        lane(op).add(e, false);
        stats.queued++;
        out.add(e.promise.future());
      }
      pump();
      return Future.succeededFuture(out);
    });
  }

  /**
   * Cancels a job's operations: queued ones end CANCELLED at once; running ones stop at their
   * next step and release their lease. Returns how many were dropped from the queue.
   */
  public Future<Integer> cancelJob(String jobId) {
    return onContext(() -> {
      int dropped = 0;
      Lane lane = lanes.get(jobId);
      if (lane != null) {
        for (ArrayDeque<OpExecution> q : lane.queues.values()) {
          for (OpExecution e : q) {
            finishCancelled(e);
            dropped++;
          }
          q.clear();
        }
        stats.queued -= lane.queued;
        lane.queued = 0;
      }
      Iterator<OpExecution> it = deferred.iterator();
      while (it.hasNext()) {
        OpExecution e = it.next();
        if (e.op.jobId().equals(jobId)) {
          it.remove();
          stats.queued--;
          finishCancelled(e);
          dropped++;
        }
      }
      for (ArrayDeque<OpExecution> q : parked.values()) {
        Iterator<OpExecution> pit = q.iterator();
        while (pit.hasNext()) {
          OpExecution e = pit.next();
          if (e.op.jobId().equals(jobId)) {
            pit.remove();
            stats.queued--;
            finishCancelled(e);
            dropped++;
          }
        }
      }
      for (OpExecution e : busy.values()) {
        if (e.op.jobId().equals(jobId)) {
          e.cancel();
        }
      }
      dropLaneIfIdle(lane);
      return Future.succeededFuture(dropped);
    });
  }

  /** Changes a job's own concurrency limit (e.g. a rolling update's max_unavailable). */
  public Future<Void> setJobMaxConcurrent(String jobId, int max) {
    return onContext(() -> {
      Lane lane = lanes.get(jobId);
      if (lane != null) {
        lane.maxConcurrent = Math.max(1, max);
        pump();
      }
      return Future.succeededFuture();
    });
  }

  public Future<DispatchStats.Snapshot> stats() {
    return onContext(() -> Future.succeededFuture(stats.snapshot()));
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

  private Lane lane(MachineOp op) {
    Lane lane = lanes.get(op.jobId());
    if (lane == null) {
      lane = new Lane(op.jobId(), op.priority(), Math.max(1, op.jobMaxConcurrent()));
      lanes.put(op.jobId(), lane);
      rings.computeIfAbsent(lane.priority, p -> new ArrayDeque<>()).addLast(lane);
    }
    return lane;
  }

  private void pump() {
    if (pumping) {
      return;
    }
    pumping = true;
    try {
      long now = time.millis();
      releaseDue(now);
      long[] minWait = {Long.MAX_VALUE};
      while (inFlight < config.maxInFlight()) {
        OpExecution next = pickNext(now, minWait);
        if (next == null) {
          break;
        }
        launch(next, now);
      }
      long nextWake = minWait[0] == Long.MAX_VALUE ? Long.MAX_VALUE : now + minWait[0];
      if (!deferred.isEmpty()) {
        nextWake = Math.min(nextWake, deferred.peek().notBefore);
      }
      scheduleWake(nextWake, now);
    } finally {
      pumping = false;
    }
  }

  private OpExecution pickNext(long now, long[] minWait) {
    for (ArrayDeque<Lane> ring : rings.values()) {
      int n = ring.size();
      for (int i = 0; i < n; i++) {
        Lane lane = ring.pollFirst();
        ring.addLast(lane);
        if (lane.queued == 0 || lane.inFlight >= lane.maxConcurrent) {
          continue;
        }
        OpExecution e = pickFrom(lane, now, minWait);
        if (e != null) {
          return e;
        }
      }
    }
    return null;
  }

  private OpExecution pickFrom(Lane lane, long now, long[] minWait) {
    int k = lane.keys.size();
    for (int j = 0; j < k; j++) {
      String key = lane.keys.pollFirst();
      ArrayDeque<OpExecution> q = lane.queues.get(key);
      if (q == null || q.isEmpty()) {
        lane.queues.remove(key);
        continue;
      }
      lane.keys.addLast(key);
      String app = q.peekFirst().op.app();
      if (appInFlight.getOrDefault(app, 0) >= config.maxInFlightPerApp()) {
        continue;
      }
      while (!q.isEmpty()) {
        OpExecution e = q.peekFirst();
        if (busy.containsKey(e.serialKey)) {
          q.pollFirst();
          lane.queued--;
          parked.computeIfAbsent(e.serialKey, x -> new ArrayDeque<>()).addLast(e);
          continue;
        }
        long wait = firstCallWait(e, now);
        if (wait > 0) {
          if (e.op.action() instanceof Action.Create) {
            minWait[0] = Math.min(minWait[0], wait); // the app's create bucket: every create behind waits too
            break;
          }
          q.pollFirst();
          lane.queued--;
          e.notBefore = now + wait;
          deferred.add(e);
          stats.bucketWaits++;
          stats.bucketWaitMs += wait;
          continue;
        }
        q.pollFirst();
        lane.queued--;
        return e;
      }
    }
    return null;
  }

  private void launch(OpExecution e, long now) {
    takeFirstCall(e, now);
    busy.put(e.serialKey, e);
    inFlight++;
    stats.queued--;
    stats.inFlight = inFlight;
    stats.maxInFlightSeen = Math.max(stats.maxInFlightSeen, inFlight);
    appInFlight.merge(e.op.app(), 1, Integer::sum);
    Lane lane = lanes.get(e.op.jobId());
    lane.inFlight++;
    Future<OpExecution.Disposition> run;
    try {
      run = e.run();
    } catch (RuntimeException ex) {
      run = Future.failedFuture(ex);
    }
    run.onComplete(ar -> afterRun(e, lane, ar.succeeded() ? ar.result()
        : new OpExecution.Finished(new OpResult(e.op.opId(), e.op.jobId(), e.op.app(), e.op.machineId(),
            e.op.action().name(), OpResult.Outcome.FAILED, "internal", String.valueOf(ar.cause()), e.attempts,
            e.apiCalls, null, e.queuedAt, e.startedAt, time.millis()))));
  }

  private void afterRun(OpExecution e, Lane lane, OpExecution.Disposition d) {
    busy.remove(e.serialKey);
    inFlight--;
    stats.inFlight = inFlight;
    appInFlight.merge(e.op.app(), -1, Integer::sum);
    lane.inFlight--;
    ArrayDeque<OpExecution> waiting = parked.get(e.serialKey);
    if (waiting != null) {
      OpExecution next = waiting.pollFirst();
      if (waiting.isEmpty()) {
        parked.remove(e.serialKey);
      }
      if (next != null) {
        requeue(next);
      }
    }
    if (d instanceof OpExecution.Deferred def && !e.isCancelled()) {
      e.notBefore = time.millis() + def.delayMs();
      deferred.add(e);
      stats.queued++;
    } else if (d instanceof OpExecution.Deferred) {
      finishCancelled(e);
    } else {
      OpResult r = ((OpExecution.Finished) d).result();
      switch (r.outcome()) {
        case SUCCEEDED -> stats.succeeded++;
        case FAILED -> stats.failed++;
        case CANCELLED -> stats.cancelled++;
      }
      e.promise.tryComplete(r);
    }
    dropLaneIfIdle(lane);
    pump();
  }

  private void requeue(OpExecution e) {
    Lane lane = lanes.get(e.op.jobId());
    if (lane == null) {
      lane = lane(e.op);
    }
    lane.add(e, true);
  }

  private void releaseDue(long now) {
    while (!deferred.isEmpty() && deferred.peek().notBefore <= now) {
      OpExecution e = deferred.poll();
      stats.queued--;
      if (e.isCancelled()) {
        finishCancelled(e);
        continue;
      }
      requeue(e);
      stats.queued++;
    }
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

  private void dropLaneIfIdle(Lane lane) {
    if (lane != null && lane.queued == 0 && lane.inFlight == 0 && !hasDeferredOrParked(lane.jobId)) {
      lanes.remove(lane.jobId);
      ArrayDeque<Lane> ring = rings.get(lane.priority);
      if (ring != null) {
        ring.remove(lane);
        if (ring.isEmpty()) {
          rings.remove(lane.priority);
        }
      }
    }
  }

  private boolean hasDeferredOrParked(String jobId) {
    for (OpExecution e : deferred) {
      if (e.op.jobId().equals(jobId)) {
        return true;
      }
    }
    for (ArrayDeque<OpExecution> q : parked.values()) {
      for (OpExecution e : q) {
        if (e.op.jobId().equals(jobId)) {
          return true;
        }
      }
    }
    return false;
  }

  private void finishCancelled(OpExecution e) {
    stats.cancelled++;
    e.promise.tryComplete(new OpResult(e.op.opId(), e.op.jobId(), e.op.app(), e.op.machineId(),
        e.op.action().name(), OpResult.Outcome.CANCELLED, "cancelled", "job cancelled before this operation ran",
        e.attempts, e.apiCalls, null, e.queuedAt, e.startedAt, time.millis()));
  }

  // ---------------------------------------------------------------- rate buckets

  /** The bucket the first call of an operation draws from, or null. */
  private String firstCallKey(OpExecution e) {
    Action a = e.op.action();
    if (a instanceof Action.Create) {
      return e.op.app() + "|" + FlyOperation.MACHINES_CREATE.operationId();
    }
    if (a.leased()) {
      return e.op.machineId() + "|" + FlyOperation.LEASE_ACQUIRE.operationId();
    }
    if (a instanceof Action.Metadata) {
      return e.op.machineId() + "|" + a.operation().operationId();
    }
    return null;
  }

  private long firstCallWait(OpExecution e, long now) {
    if (!config.rateLimits().enabled()) {
      return 0;
    }
    String key = firstCallKey(e);
    DispatchConfig.RateLimits rl = config.rateLimits();
    return key == null ? 0 : buckets.peek(key, rl.actionPerSecond(), rl.actionBurst(), now);
  }

  private void takeFirstCall(OpExecution e, long now) {
    if (!config.rateLimits().enabled()) {
      return;
    }
    String key = firstCallKey(e);
    if (key != null) {
      DispatchConfig.RateLimits rl = config.rateLimits();
      buckets.take(key, rl.actionPerSecond(), rl.actionBurst(), now);
      e.firstCallPaid = true;
    }
  }

  private double rate(FlyOperation op) {
    DispatchConfig.RateLimits rl = config.rateLimits();
    return op == FlyOperation.MACHINES_SHOW ? rl.getMachinePerSecond() : rl.actionPerSecond();
  }

  private int burst(FlyOperation op) {
    DispatchConfig.RateLimits rl = config.rateLimits();
    return op == FlyOperation.MACHINES_SHOW ? rl.getMachineBurst() : rl.actionBurst();
  }

  /**
   * Makes one API call for {@code e}: first a token from {@code bucketKey}'s bucket (waiting for it
   * if need be), counting the call, and on a 429 emptying that bucket for a backoff delay.
   */
  <T> Future<T> call(OpExecution e, FlyOperation op, String bucketKey, Supplier<Future<T>> call) {
    Future<Void> ready;
    if (bucketKey == null || !config.rateLimits().enabled()) {
      ready = Future.succeededFuture();
    } else if (e != null && e.firstCallPaid && firstCallKey(e) != null && firstCallKey(e).equals(bucketKey)) {
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
      if (!(err instanceof FlyApiException fe) || bucketKey == null || !config.rateLimits().enabled()) {
        if (err instanceof FlyApiException fe && fe.rateLimited()) {
          stats.rateLimited++;
        }
        return;
      }
      long now = time.millis();
      if (fe.rateLimited()) {
        stats.rateLimited++;
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

  private Future<Void> token(String key, FlyOperation op) {
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
