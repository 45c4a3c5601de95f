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
  /** Run slots, in all and per app: an app at {@code jobs.max_running_per_app} is left out of claims. */
  private final RunSlots slots;
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
    this.slots = new RunSlots(config.maxRunning(), config.maxRunningPerApp());
  }

  String instanceId() {
    return instanceId;
  }

  /**
   * A slot for a job of {@code app} being submitted here, which is then stored already claimed by this
   * instance ({@link JobStore#insertClaimed}) and run at once: one write less per job than storing it
   * queued and claiming it. Only while the last claim left nothing queued behind (a job submitted now
   * must not pass older ones waiting in the store), the store answers and this instance has room, for
   * the app too, beside what a claim in flight may fill. The caller reports the insert's answer to
   * {@link #directAnswered}.
   */
  boolean tryDirect(String app) {
    return slots.tryDirect(app);
  }

  /**
   * The insert of a job for which {@link #tryDirect} gave a slot answered: {@code job} was stored
   * claimed here, or null (an idempotent replay, a refusal, a failure: if the store did commit it,
   * the orphan check hands it back). A runner stopped meanwhile gives the job back for another to run.
   */
  void directAnswered(String app, JobRecord job) {
    context.runOnContext(v -> {
      if (job == null) {
        slots.directAnswered(app, false);
      } else if (stopped) {
        slots.directAnswered(app, false);
        store.releaseClaims(instanceId, List.of(job.id()))
            .onFailure(e -> LOG.warn("could not hand back job {}: {}", job.id(), e.getMessage()));
      } else {
        startJob(job, null, true);
        slots.directAnswered(app, true);
      }
    });
  }

  /** Opens the direct way ({@link #tryDirect}) when nothing queued may be waiting and the store answers. */
  private void refreshDirect() {
    slots.open(!stopped && claimingEnabled && !firstClaim && storeOkSince >= 0 && !mayHaveMore && !handedBack);
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
      // the first prune a minute in (or sooner with a shorter interval), off a start's busiest moments
      loops.add(Periodic.every(time, config.retention().pruneIntervalMs(), this::prune)
          .start(Math.min(config.retention().pruneIntervalMs(), 60_000)));
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
      refreshDirect();
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
    slots.open(false);
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

  /** Jobs running here, and those submitted here whose claimed insert has not answered yet (they may run here). */
  public Future<Integer> runningCount() {
    Promise<Integer> p = Promise.promise();
    context.runOnContext(v -> p.complete(running.size() + slots.pendingDirect()));
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
    slots.open(false);
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
    int free = slots.beginClaim(CLAIM_BATCH);
    if (free <= 0) {
      slots.endClaim();
      mayHaveMore = true;
      refreshDirect();
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
    java.util.Set<String> full = slots.fullApps();
    store.claimJobs(instanceId, free, now, staleBefore, full).onComplete(ar -> {
      claiming = false;
      claimRounds++;
      storeReached(ar.succeeded(), now);
      if (ar.succeeded()) {
        firstClaim = false;
        List<JobRecord> jobs = ar.result().jobs();
        mayHaveMore = jobs.size() == free || !full.isEmpty();
        for (JobRecord j : jobs) {
          startJob(j, ar.result().takenOverFrom().get(j.id()), false);
        }
        slots.endClaim();
        refreshDirect();
        if (claimAgain || jobs.size() == free) {
          claimAgain = false;
          claim();
        }
      } else {
        LOG.warn("claiming jobs failed: {}", ar.cause().getMessage());
        claimAgain = false;
        handedBack |= lookingForHandedBack;
        slots.endClaim();
        refreshDirect();
      }
    });
  }

  /**
   * {@code takenOverFrom}: the instance that stopped heart-beating while it ran the job, or null;
   * {@code slotTaken}: a direct submit took its slot already.
   */
  private void startJob(JobRecord j, String takenOverFrom, boolean slotTaken) {
    if (running.containsKey(j.id())) {
      return;
    }
    if (!slotTaken) {
      slots.take(j.app());
    }
    if (takenOverFrom != null) {
      LOG.info("taking over job {} (previous owner {} stopped heart-beating)", j.id(), takenOverFrom);
    }
    long now = time.millis();
    observers.forEach(o -> o.claimed(j, now, takenOverFrom != null));
    JobExecution e = new JobExecution(this, j);
    running.put(j.id(), e);
    e.finished().onComplete(ar -> {
      running.remove(j.id());
      slots.give(j.app());
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
    refreshDirect();
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
    long quiet = slots.quietMark();
    store.runningOwnedBy(instanceId).onSuccess(owned -> {
      if (claiming || round != claimRounds || stopped || !slots.quietSince(quiet)) {
        return; // a claim or a direct submit ran meanwhile: its jobs may be among these; look again next time
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
