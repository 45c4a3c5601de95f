package dev.flightdeck.jobs;

import dev.flightdeck.dispatch.Dispatcher;
import dev.flightdeck.fleet.FleetCache;
import dev.flightdeck.fly.FlyClient;
import dev.flightdeck.store.HeartbeatResult;
import dev.flightdeck.store.JobRecord;
import dev.flightdeck.store.JobStore;
import dev.flightdeck.time.TimeSource;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims jobs from the store and runs them: polls (and is woken on local submits), heart-beats its
 * claims, notices cancel requests and lost claims, and prunes old jobs. Runs on the engine context
 * next to the dispatcher.
 */
public final class JobRunner {

  private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

  final Context context;
  final JobStore store;
  final Dispatcher dispatcher;
  final FleetCache fleet;
  final FlyClient fly;
  final TimeSource time;
  final JobsConfig config;
  final String instanceId;
  final JobEvents events;
  final JobPlanner planner;
  final String createTagKey;
  private final Map<String, JobExecution> running = new LinkedHashMap<>();
  private long pollTimer = -1;
  private long heartbeatTimer = -1;
  private long pruneTimer = -1;
  private boolean claiming;
  private boolean claimAgain;
  private boolean firstClaim = true;
  private volatile boolean stopped;
  private volatile boolean claimingEnabled = true;
  private BiConsumer<String, String> onEnded = (kind, state) -> { };
  private final List<Observer> observers = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** What the runner does, for metrics. Called on the engine context. */
  public interface Observer {
    /** A job was claimed at {@code now}; {@code takeover}: it had an owner before. */
    default void claimed(JobRecord job, long now, boolean takeover) { }

    /** A job ended, {@code runMs} after it first started ({@code totalMs} after it was submitted). */
    default void ended(String kind, String state, long runMs, long totalMs) { }
  }

  public JobRunner(Context context, JobStore store, Dispatcher dispatcher, FleetCache fleet, FlyClient fly,
      TimeSource time, JobsConfig config, String instanceId, JobEvents events) {
    this.context = context;
    this.store = store;
    this.dispatcher = dispatcher;
    this.fleet = fleet;
    this.fly = fly;
    this.time = time;
    this.config = config;
    this.instanceId = instanceId;
    this.events = events;
    this.createTagKey = dispatcher.config().createTagKey();
    this.planner = new JobPlanner(fleet, fly, createTagKey);
  }

  public void observe(Observer o) {
    observers.add(o);
  }

  /** Called with (kind, state) whenever a job ends. */
  public void onJobEnded(BiConsumer<String, String> listener) {
    this.onEnded = listener;
  }

  public void start() {
    context.runOnContext(v -> {
      claim();
      schedulePoll();
      heartbeatTimer = time.setTimer(config.heartbeatIntervalMs(), this::heartbeat);
      pruneTimer = time.setTimer(1000, this::prune);
    });
  }

  /** A job was submitted here: look for work now rather than at the next poll. */
  public void wake() {
    if (Vertx.currentContext() == context) {
      claim();
    } else {
      context.runOnContext(v -> claim());
    }
  }

  /** A cancel was requested here for a job this instance may be running. */
  public void cancelLocal(String jobId) {
    context.runOnContext(v -> {
      JobExecution e = running.get(jobId);
      if (e != null) {
        e.cancel();
      }
    });
  }

  /** Stops claiming new jobs (graceful shutdown); running ones carry on. */
  public void stopClaiming() {
    claimingEnabled = false;
  }

  /** Hands every running job back unfinished (shutdown); returns their ids. */
  public Future<List<String>> handBackAll() {
    Promise<List<String>> p = Promise.promise();
    context.runOnContext(v -> {
      List<String> ids = new ArrayList<>(running.keySet());
      new ArrayList<>(running.values()).forEach(JobExecution::handBack);
      p.complete(ids);
    });
    return p.future();
  }

  public Future<Integer> runningCount() {
    Promise<Integer> p = Promise.promise();
    context.runOnContext(v -> p.complete(running.size()));
    return p.future();
  }

  /** Ids of the jobs running here now. */
  public Future<List<String>> runningIds() {
    Promise<List<String>> p = Promise.promise();
    context.runOnContext(v -> p.complete(new ArrayList<>(running.keySet())));
    return p.future();
  }

  public void stop() {
    stopped = true;
    context.runOnContext(v -> {
      for (long t : new long[] {pollTimer, heartbeatTimer, pruneTimer}) {
        if (t >= 0) {
          time.cancelTimer(t);
        }
      }
    });
  }

  void jobEnded(JobRecord job, String state, long startedAt) {
    onEnded.accept(job.kind(), state);
    long now = time.millis();
    observers.forEach(o -> o.ended(job.kind(), state, Math.max(0, now - startedAt), Math.max(0, now - job.createdAt())));
  }

  private void schedulePoll() {
    if (stopped) {
      return;
    }
    pollTimer = time.setTimer(config.pollIntervalMs(), () -> {
      pollTimer = -1;
      claim();
      schedulePoll();
    });
  }

  private void claim() {
    if (stopped || !claimingEnabled) {
      return;
    }
    if (claiming) {
      claimAgain = true;
      return;
    }
    int free = config.maxRunning() - running.size();
    if (free <= 0) {
      return;
    }
    claiming = true;
    long now = time.millis();
    // alone on SQLite, whatever was running when this process last stopped is ours to resume
    long staleBefore = firstClaim && !store.shared() ? Long.MAX_VALUE : now - config.heartbeatTimeoutMs();
    store.claim(instanceId, free, now, staleBefore).onComplete(ar -> {
      claiming = false;
      if (ar.succeeded()) {
        firstClaim = false;
        for (JobRecord j : ar.result()) {
          startJob(j);
        }
        if (claimAgain || ar.result().size() == free) {
          claimAgain = false;
          claim();
        }
      } else {
        LOG.warn("claiming jobs failed: {}", ar.cause().getMessage());
        claimAgain = false;
      }
    });
  }

  private void startJob(JobRecord j) {
    if (running.containsKey(j.id())) {
      return;
    }
    if (j.claims() > 1) {
      LOG.info("taking over job {} (previous owner {})", j.id(), j.owner());
    }
    long now = time.millis();
    observers.forEach(o -> o.claimed(j, now, j.claims() > 1));
    JobExecution e = new JobExecution(this, j);
    running.put(j.id(), e);
    e.finished().onComplete(ar -> {
      running.remove(j.id());
      claim();
    });
    e.start();
  }

  private void heartbeat() {
    heartbeatTimer = -1;
    if (stopped) {
      return;
    }
    List<String> ids = new ArrayList<>(running.keySet());
    store.heartbeat(instanceId, ids, time.millis()).onComplete(ar -> {
      if (ar.succeeded()) {
        for (HeartbeatResult h : ar.result()) {
          JobExecution e = running.get(h.jobId());
          if (e == null) {
            continue;
          }
          if (!h.owned()) {
            e.abandon();
          } else if (h.cancelRequested()) {
            e.cancel();
          }
        }
      } else {
        LOG.warn("heartbeat failed: {}", ar.cause().getMessage());
      }
      if (!stopped) {
        heartbeatTimer = time.setTimer(config.heartbeatIntervalMs(), this::heartbeat);
      }
    });
  }

  private void prune() {
    pruneTimer = -1;
    if (stopped) {
      return;
    }
    long before = time.millis() - config.retention().maxAgeHours() * 3_600_000L;
    store.prune(before, config.retention().maxEndedJobs()).onComplete(ar -> {
      if (ar.succeeded() && ar.result() > 0) {
        LOG.info("pruned {} ended job(s)", ar.result());
      }
      if (!stopped) {
        pruneTimer = time.setTimer(config.retention().pruneIntervalMs(), this::prune);
      }
    });
  }
}
