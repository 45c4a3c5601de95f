package dev.flightdeck.jobs;

import dev.flightdeck.dispatch.Dispatcher;
import dev.flightdeck.fleet.FleetCache;
import dev.flightdeck.fly.FlyClient;
import dev.flightdeck.store.HeartbeatResult;
import dev.flightdeck.store.JobRecord;
import dev.flightdeck.store.JobStore;
import dev.flightdeck.time.Periodic;
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
  /** Running jobs per app: an app at {@code jobs.max_running_per_app} is left out of claims. */
  private final Map<String, Integer> perApp = new java.util.HashMap<>();
  /** Claims run one at a time, at most this many jobs each. */
  static final int CLAIM_BATCH = 512;
  private long lastTakeoverCheck = Long.MIN_VALUE;
  /**
   * Since when this instance has reached the store without a failure (-1: it just failed). Other
   * instances' heartbeats failed too while the store was away, so nobody is judged silent until a
   * whole heartbeat timeout has passed since the store came back (found by the chaos run: after a
   * PostgreSQL restart one instance took over jobs the others were still running).
   */
  private long storeOkSince = -1;
  private long claimRounds;
  /** The last claim may have left queued jobs behind (it was full, or apps at their cap were left out). */
  private boolean mayHaveMore = true;
  /** Polling for queued jobs, heart-beating and pruning. */
  private final List<Periodic> loops = new ArrayList<>();
  private boolean claiming;
  private boolean claimAgain;
  /** Jobs were handed back here (claims cleared): the next claim looks for them too. */
  private boolean handedBack;
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
    this.planner = new JobPlanner(fleet, fly, createTagKey, time);
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
      loops.add(Periodic.every(time, config.pollIntervalMs(), () -> {
        claim();
        return null;
      }).start());
      loops.add(Periodic.every(time, config.heartbeatIntervalMs(), this::heartbeat).start());
      loops.add(Periodic.every(time, config.retention().pruneIntervalMs(), this::prune).start(1000));
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

  /**
   * Jobs were handed back (their claims cleared, they stay running): claim them now rather than at
   * the next takeover check, up to a heartbeat interval away.
   */
  public void resumeHandedBack() {
    context.runOnContext(v -> {
      handedBack = true;
      claim();
    });
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

  /** Whether this runner was stopped (a job still ending then leaves its end to whoever resumes it). */
  boolean isStopped() {
    return stopped;
  }

  public void stop() {
    stopped = true;
    context.runOnContext(v -> loops.forEach(Periodic::stop));
  }

  void jobEnded(JobRecord job, String state, long startedAt) {
    onEnded.accept(job.kind(), state);
    long now = time.millis();
    observers.forEach(o -> o.ended(job.kind(), state, Math.max(0, now - startedAt), Math.max(0, now - job.createdAt())));
  }

  private void claim() {
    if (stopped || !claimingEnabled) {
      return;
    }
    if (claiming) {
      claimAgain = true;
      return;
    }
    int free = Math.min(CLAIM_BATCH, config.maxRunning() - running.size());
    if (free <= 0) {
      mayHaveMore = true;
      return;
    }
    claiming = true;
    claimRounds++;
    long now = time.millis();
    // taking over is looked for once per heartbeat interval, not on every claim: it is rare, and
    // the queued-jobs claim stays a single index range scan
    long staleBefore = Long.MIN_VALUE;
    boolean mayJudge = !store.shared() || (storeOkSince >= 0 && now - storeOkSince >= config.heartbeatTimeoutMs());
    if ((firstClaim && !store.shared()) || (mayJudge && (lastTakeoverCheck == Long.MIN_VALUE
        || now - lastTakeoverCheck >= config.heartbeatIntervalMs()))) {
      lastTakeoverCheck = now;
      // alone on SQLite, whatever was running when this process last stopped is ours to resume
      staleBefore = firstClaim && !store.shared() ? Long.MAX_VALUE : now - config.heartbeatTimeoutMs();
    }
    if (staleBefore == Long.MIN_VALUE && handedBack) {
      // every instance counts as alive here, so this takes only jobs nobody owns: no one is judged
      staleBefore = Long.MIN_VALUE + 1;
    }
    boolean lookingForHandedBack = handedBack;
    handedBack = false;
    java.util.Set<String> full = new java.util.HashSet<>();
    perApp.forEach((app, n) -> {
      if (n >= config.maxRunningPerApp()) {
        full.add(app);
      }
    });
    store.claimJobs(instanceId, free, now, staleBefore, full).onComplete(ar -> {
      claiming = false;
      claimRounds++;
      storeReached(ar.succeeded(), now);
      if (ar.succeeded()) {
        firstClaim = false;
        List<JobRecord> jobs = ar.result().jobs();
        mayHaveMore = jobs.size() == free || !full.isEmpty();
        for (JobRecord j : jobs) {
          startJob(j, ar.result().takenOverFrom().get(j.id()));
        }
        if (claimAgain || jobs.size() == free) {
          claimAgain = false;
          claim();
        }
      } else {
        LOG.warn("claiming jobs failed: {}", ar.cause().getMessage());
        claimAgain = false;
        handedBack |= lookingForHandedBack;
      }
    });
  }

  /** {@code takenOverFrom}: the instance that stopped heart-beating while it ran the job, or null. */
  private void startJob(JobRecord j, String takenOverFrom) {
    if (running.containsKey(j.id())) {
      return;
    }
    if (takenOverFrom != null) {
      LOG.info("taking over job {} (previous owner {} stopped heart-beating)", j.id(), takenOverFrom);
    }
    long now = time.millis();
    observers.forEach(o -> o.claimed(j, now, takenOverFrom != null));
    JobExecution e = new JobExecution(this, j);
    running.put(j.id(), e);
    perApp.merge(j.app(), 1, Integer::sum);
    e.finished().onComplete(ar -> {
      running.remove(j.id());
      perApp.computeIfPresent(j.app(), (app, n) -> n > 1 ? n - 1 : null);
      if (mayHaveMore) {
        claim(); // a slot freed up for what the last claim left behind; otherwise the next wake or poll
      }
    });
    e.start();
  }

  private Future<?> heartbeat() {
    if (stopped) {
      return null;
    }
    List<String> ids = new ArrayList<>(running.keySet());
    long sent = time.millis();
    return store.heartbeat(instanceId, ids, sent).onComplete(ar -> {
      storeReached(ar.succeeded(), sent);
      if (ar.succeeded()) {
        for (HeartbeatResult h : ar.result()) {
          JobExecution e = running.get(h.jobId());
          if (e == null || e.ending()) {
            continue; // its end may have been committed since the heartbeat read it
          }
          if (!h.owned()) {
            e.abandon();
          } else if (h.cancelRequested()) {
            e.cancel();
          }
        }
        handBackOrphans();
      } else {
        LOG.warn("heartbeat failed: {}", ar.cause().getMessage());
      }
    });
  }

  private void storeReached(boolean ok, long at) {
    if (!ok) {
      storeOkSince = -1;
    } else if (storeOkSince < 0) {
      storeOkSince = at;
    }
  }

  /**
   * Jobs the store says this instance runs but that do not run here: a claim committed whose answer
   * was lost, or an end that could not be recorded. This instance heart-beats, so nobody would take
   * them over: give them back (owner cleared) so the next claim, here or elsewhere, resumes them.
   */
  private void handBackOrphans() {
    if (claiming || stopped) {
      return;
    }
    long round = claimRounds;
    store.runningOwnedBy(instanceId).onSuccess(owned -> {
      if (claiming || round != claimRounds || stopped) {
        return; // a claim ran meanwhile: its jobs may be among these; look again next time
      }
      List<String> orphans = new ArrayList<>();
      for (String id : owned) {
        if (!running.containsKey(id)) {
          orphans.add(id);
        }
      }
      if (!orphans.isEmpty()) {
        LOG.warn("handing back {} job(s) held in the store but not running here: {}", orphans.size(),
            orphans.size() > 10 ? orphans.subList(0, 10) + "…" : orphans);
        store.releaseClaims(instanceId, orphans).onSuccess(n -> resumeHandedBack());
      }
    });
  }

  private Future<?> prune() {
    if (stopped) {
      return null;
    }
    long before = time.millis() - config.retention().maxAgeHours() * 3_600_000L;
    return store.prune(before, config.retention().maxEndedJobs()).onSuccess(n -> {
      if (n > 0) {
        LOG.info("pruned {} ended job(s)", n);
      }
    });
  }
}
