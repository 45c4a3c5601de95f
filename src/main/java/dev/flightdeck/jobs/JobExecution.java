package dev.flightdeck.jobs;

import dev.flightdeck.dispatch.Action;
import dev.flightdeck.dispatch.MachineOp;
import dev.flightdeck.dispatch.OpResult;
import dev.flightdeck.fly.CreateMachineRequest;
import dev.flightdeck.fly.FlyApiException;
import dev.flightdeck.fly.Lease;
import dev.flightdeck.fly.MachineConfig;
import dev.flightdeck.fly.MachineEvent;
import dev.flightdeck.store.JobRecord;
import dev.flightdeck.store.SlotRecord;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one claimed job on the engine context: plans it (or loads its plan when resuming), hands
 * its slots to the dispatcher phase by phase, records every result durably, applies the failure
 * policy, timeout and cancellation, and finally ends the job. If the claim is lost (another
 * instance took the job over) it stops at once and writes nothing more.
 */
final class JobExecution {

  private static final Logger LOG = LoggerFactory.getLogger(JobExecution.class);

  private final JobRunner r;
  private JobRecord job;
  private JobSpec spec;
  private final List<SlotRecord> slots = new ArrayList<>();
  private final Map<Integer, SlotRecord> dirty = new LinkedHashMap<>();
  private final Promise<Void> finished = Promise.promise();
  private boolean flushing;
  private Promise<Void> flushed;
  private int outstanding;
  private boolean cancelRequested;
  private String abortReason;
  private long deadline;
  private long started;
  private int planAttempts;
  private long timeoutTimer = -1;
  /**
   * Where the job is; every step checks it. PREPARING: planning or loading its plan; RUNNING: its
   * machines are being worked; ENDING: its end is being written; ENDED: written; RELEASED: the claim
   * was lost or the job handed back, so nothing more is written or sent.
   */
  enum Phase { PREPARING, RUNNING, ENDING, ENDED, RELEASED }

  private Phase phase = Phase.PREPARING;
  /**
   * A one-machine job keeps its plan in memory: nothing is written between the claim and the end,
   * which stores the slot with the job's outcome. Resumed, such a job is planned again (the plan is
   * the same machine) and reconciled like any other.
   */
  private boolean planInMemory;
  private int endAttempts;
  /**
   * Slots an earlier run of this job may have acted on without its result being recorded: in flight
   * when it stopped (handed back, killed, taken over), or planned in memory only. Their machines are
   * read before anything is sent again.
   */
  private final java.util.Set<Integer> maybeSentBefore = new java.util.HashSet<>();

  JobExecution(JobRunner runner, JobRecord job) {
    this.r = runner;
    this.job = job;
  }

  String id() {
    return job.id();
  }

  Future<Void> finished() {
    return finished.future();
  }

  /** Its end is being recorded (or was): the store may already show it ended. */
  boolean ending() {
    return phase == Phase.ENDING || phase == Phase.ENDED;
  }

  // ------------------------------------------------------------------ start

  void start() {
    try {
      spec = JobSpec.parse(job.spec(), r.config.defaultTimeoutSeconds());
    } catch (InvalidJobException e) {
      end(JobRecord.FAILED, "stored job no longer valid: " + e.getMessage());
      return;
    }
    cancelRequested = job.cancelRequested();
    started = job.startedAt() == null ? r.time.millis() : job.startedAt();
    deadline = started + spec.options().timeoutSeconds() * 1000;
    long left = deadline - r.time.millis();
    if (left <= 0) {
      abortReason = "timed out after " + spec.options().timeoutSeconds() + " s";
    } else {
      timeoutTimer = r.time.setTimer(left, this::timedOut);
    }
    prepare();
  }

  /**
   * Plans (or loads the stored plan) and reconciles, then runs. A planning failure the API or the
   * store may get over (5xx, 429, no answer, store unavailable) is retried with backoff until the
   * job's deadline, so an outage does not fail jobs that have not started yet.
   */
  private void prepare() {
    Future<Void> ready = job.planned() ? r.store.slots(job.id()).map(this::loaded) : plan();
    ready.compose(v -> job.claims() > 1 ? reconcile() : Future.succeededFuture())
        .onSuccess(v -> {
          if (phase != Phase.PREPARING) {
            return; // released (or ended) while planning
          }
          phase = Phase.RUNNING;
          publish();
          runPhases();
        })
        .onFailure(err -> {
          if (released()) {
            finished.tryComplete();
            return;
          }
          if (retryable(err) && !cancelRequested && abortReason == null && !ending()) {
            long delay = Math.min(30_000L, 500L << Math.min(planAttempts++, 6));
            if (r.time.millis() + delay < deadline) {
              log(org.slf4j.event.Level.WARN).log("job {}: planning failed ({}); trying again in {} ms", job.id(),
                  err.getMessage(), delay);
              r.time.setTimer(delay, () -> {
                if (!ending() && !released() && !cancelRequested && abortReason == null) {
                  prepare();
                }
              });
              return;
            }
          }
          String why = err instanceof InvalidJobException ije ? ije.getMessage()
              : err instanceof FlyApiException fe ? "planning failed: " + fe.getMessage()
              : "planning failed: " + err.getMessage();
          end(JobRecord.FAILED, why);
        });
  }

  private static boolean retryable(Throwable err) {
    return (err instanceof FlyApiException fe && fe.errorClass() == dev.flightdeck.fly.ErrorClass.RETRYABLE)
        || err instanceof dev.flightdeck.store.StoreException;
  }

  private Void loaded(List<SlotRecord> stored) {
    slots.clear();
    slots.addAll(stored);
    for (SlotRecord s : stored) {
      if (SlotRecord.RUNNING.equals(s.state())) {
        maybeSentBefore.add(s.slot()); // launched, so the earlier run may have sent it
      }
    }
    return null;
  }

  private Future<Void> plan() {
    return r.planner.plan(job.id(), spec, r.config.planMaxAgeMs()).compose(planned -> {
      slots.clear();
      slots.addAll(planned);
      planInMemory = planned.size() == 1 && !"create".equals(planned.get(0).action())
          && !"run".equals(planned.get(0).action());
      if (planInMemory) {
        planned.forEach(s -> dirty.put(s.slot(), s));
        if (job.claims() > 1) {
          planned.forEach(s -> maybeSentBefore.add(s.slot())); // nothing recorded says how far it got
        }
        return Future.succeededFuture(true);
      }
      return r.store.savePlan(job.id(), r.instanceId, planned, r.time.millis());
    }).compose(owned -> owned ? Future.succeededFuture() : lostClaim());
  }

  /**
   * A job taken over or resumed: re-read the fleet, release leases the previous run left on its
   * machines, and find machines a previous run created (by their tag) so none is made twice.
   */
  private Future<Void> reconcile() {
    log(org.slf4j.event.Level.INFO).log("resuming job {} (claim #{}), reconciling its machines from the API", job.id(), job.claims());
    return r.fleet.refresh(spec.app()).recover(e -> Future.succeededFuture(null)).compose(v -> {
      List<Future<Void>> work = new ArrayList<>();
      for (SlotRecord s : slots) {
        if (s.done()) {
          continue;
        }
        if (s.machineId() == null && ("create".equals(s.action()) || "run".equals(s.action()))) {
          work.add(adoptCreated(s));
        } else if (s.machineId() != null && (SlotRecord.RUNNING.equals(s.state()) || planInMemory)) {
          // a plan kept in memory does not say whether the earlier run got as far as leasing
          work.add(releaseLeftLease(s.machineId()));
        }
      }
      return Future.join(work).mapEmpty();
    });
  }

  /**
   * A create slot resumed without its machine id: an earlier run may have made the machine. Asked of
   * the API, destroyed machines included (a run's machine may have run and gone since), not of the
   * cache, which forgets destroyed machines.
   */
  private Future<Void> adoptCreated(SlotRecord s) {
    String tag = job.id() + "/" + s.slot();
    return r.fly.listMachines(spec.app(), dev.flightdeck.fly.ListMachinesQuery.ALL.withIncludeDeleted(true)
        .withMetadata(Map.of(r.createTagKey, tag))).map(found -> {
          if (!found.isEmpty()) {
            set(s.with(s.state(), found.get(0).id(), s.attempts(), null, null, null, s.startedAt(), null));
          }
          return null;
        });
  }

  private Future<Void> releaseLeftLease(String machineId) {
    String mine = " job " + job.id() + " ";
    return r.fly.getLease(spec.app(), machineId).compose((Lease l) -> {
      if (l.description() != null && l.description().contains(mine)) {
        log(org.slf4j.event.Level.INFO).log("releasing lease on {} left by a previous run of job {}", machineId, job.id());
        return r.fly.releaseLease(spec.app(), machineId, l.nonce());
      }
      return Future.succeededFuture();
    }).recover(e -> Future.succeededFuture());
  }

  // ------------------------------------------------------------------ phases

  /**
   * Phase 0 first, then phase 1: for a rolling update, machines not running before running ones;
   * for a scale-up, starting idle machines before creating new ones.
   */
  private void runPhases() {
    if (abortReason != null || cancelRequested) {
      cancelPending();
      maybeEnd();
      return;
    }
    List<SlotRecord> phase0 = new ArrayList<>();
    List<SlotRecord> phase1 = new ArrayList<>();
    for (SlotRecord s : slots) {
      if (!s.done()) {
        (phase(s) == 1 ? phase1 : phase0).add(s);
      }
    }
    if (phase0.isEmpty() && phase1.isEmpty()) {
      maybeEnd();
      return;
    }
    if (!phase0.isEmpty()) {
      int limit = "update".equals(spec.kind()) ? Math.min(30, spec.options().maxConcurrent()) : spec.options()
          .maxConcurrent();
      launch(phase0, limit);
    } else {
      launch(phase1, "update".equals(spec.kind()) ? rollingLimit(phase1.size()) : spec.options().maxConcurrent());
    }
  }

  private static int phase(SlotRecord s) {
    return s.detail() == null ? 0 : s.detail().getInteger(JobPlanner.PHASE, 0);
  }

  /** max_unavailable: a count (≥ 1) or a fraction of the running machines being updated. */
  private int rollingLimit(int runningTargets) {
    double mu = ((JobSpec.UpdateParams) spec.params()).maxUnavailable();
    int n = mu >= 1 ? (int) Math.floor(mu) : (int) Math.ceil(runningTargets * mu);
    return Math.max(1, Math.min(n, spec.options().maxConcurrent()));
  }

  private void launch(List<SlotRecord> batch, int limit) {
    long now = r.time.millis();
    for (SlotRecord s : batch) {
      set(s.with(SlotRecord.RUNNING, s.machineId(), s.attempts(), null, null, null,
          s.startedAt() == null ? now : s.startedAt(), null));
    }
    // record which slots are in flight before anything is sent, so a resume knows
    flush().onSuccess(v -> {
      if (released() || ending()) {
        return; // a cancel or timeout during the write ended the job: nothing may be sent now
      }
      for (SlotRecord s : batch) {
        if (slots.get(s.slot()).done()) {
          continue; // cancelled while the write ran
        }
        outstanding++;
        runSlot(slots.get(s.slot()), limit).onComplete(ar -> {
          outstanding--;
          slotDone();
        });
      }
    });
  }

  private Future<Void> runSlot(SlotRecord s, int limit) {
    if ("run".equals(s.action())) {
      return runEphemeral(s, limit);
    }
    MachineOp op = op(s, limit, s.machineId() != null && "create".equals(s.action())
        ? new Action.Wait(List.of("started", "failed")) : action(s), s.slot() + "");
    return r.dispatcher.submit(op).map(res -> {
      record(s.slot(), res, null);
      return null;
    });
  }

  /** A run slot: create the machine (unless a previous run did), wait for it to exit, read its exit code. */
  private Future<Void> runEphemeral(SlotRecord s, int limit) {
    JobSpec.RunParams p = (JobSpec.RunParams) spec.params();
    Future<String> created;
    if (s.machineId() != null) {
      created = Future.succeededFuture(s.machineId());
    } else {
      JsonObject cfg = p.config().copy();
      if (!cfg.containsKey("auto_destroy")) {
        cfg.put("auto_destroy", true);
      }
      if (!cfg.containsKey("restart")) {
        cfg.put("restart", new JsonObject().put("policy", "no"));
      }
      CreateMachineRequest req = CreateMachineRequest.of(MachineConfig.of(cfg)).withRegion(region(s));
      MachineOp create = op(s, limit, new Action.Create(req, Integer.toString(s.slot())), s.slot() + "/create");
      created = r.dispatcher.submit(new MachineOp(create.opId(), create.jobId(), create.priority(),
              create.jobMaxConcurrent(), create.app(), null, create.action(), false, create.timeoutMs(),
              create.leaseTtlSeconds()))
          .map(res -> {
            if (!res.succeeded()) {
              record(s.slot(), res, null);
              return null;
            }
            SlotRecord cur = slots.get(s.slot());
            set(cur.with(cur.state(), res.machineId(), res.attempts(), null, null, null, cur.startedAt(), null));
            flush();
            return res.machineId();
          });
    }
    return created.compose(id -> {
      if (id == null) {
        return Future.succeededFuture();
      }
      SlotRecord cur = slots.get(s.slot());
      // a boot that failed ends the run too (its exit event carries the code)
      MachineOp wait = op(cur, limit, new Action.Wait(List.of("stopped", "destroyed", "failed")), s.slot() + "/wait");
      return r.dispatcher.submit(wait).map(res -> {
        record(s.slot(), res, exitCode(res));
        return null;
      });
    });
  }

  private static Integer exitCode(OpResult res) {
    if (res.machine() == null) {
      return null;
    }
    for (MachineEvent e : res.machine().events()) {
      if ("exit".equals(e.type()) && e.exitCode() != null) {
        return e.exitCode();
      }
    }
    return null;
  }

  private MachineOp op(SlotRecord s, int limit, Action action, String suffix) {
    long left = Math.max(1, deadline - r.time.millis());
    MachineOp op = new MachineOp(job.id() + "/" + suffix, job.id(), spec.options().priority(), limit, spec.app(),
        action instanceof Action.Create ? null : s.machineId(), action, true, left, spec.options().leaseTtlSeconds());
    // an earlier run acted no sooner than the job first started (or, never started, was submitted);
    // or the machine was picked from this instance's fleet cache while other instances act on the
    // group too (two scale-downs on two instances picked one machine; ChaosIT saw the second stop a
    // stopped one): either way it is read under the lease and acted on only if it does not show it done
    if ((job.claims() > 1 && maybeSentBefore.contains(s.slot())) || takesDownFromSharedSnapshot(action)) {
      op = op.withResumedSince(job.startedAt() != null ? job.startedAt() : job.createdAt());
    }
    return op;
  }

  /**
   * A scale-down's stop or suspend with a store that several instances share. The API accepts a stop
   * of a stopped machine, so only a read tells; alone, this instance's cache knows its own stops.
   */
  private boolean takesDownFromSharedSnapshot(Action action) {
    return "scale".equals(job.kind()) && r.store.shared()
        && (action instanceof Action.Stop || action instanceof Action.Suspend);
  }

  private String region(SlotRecord s) {
    return s.detail() == null ? null : s.detail().getString(JobPlanner.REGION);
  }

  private Action action(SlotRecord s) {
    return switch (s.action()) {
      case "start" -> new Action.Start(job.claims() > 1 ? stateBefore(s) : null);
      case "stop" -> new Action.Stop(spec.params() instanceof JobSpec.StopParams p ? p.stop()
          : dev.flightdeck.fly.StopOptions.DEFAULT);
      case "suspend" -> new Action.Suspend();
      case "restart" -> new Action.Restart(((JobSpec.RestartParams) spec.params()).restart());
      case "destroy" -> new Action.Destroy(spec.params() instanceof JobSpec.DestroyParams p ? p.force()
          : !"stopped".equals(stateBefore(s)));
      case "update" -> {
        JobSpec.UpdateParams p = (JobSpec.UpdateParams) spec.params();
        // machines that are not running are updated without being started
        yield new Action.Update(p.image(), p.config(), phase(s) == 0);
      }
      case "create" -> {
        JsonObject cfg = s.detail() != null && s.detail().getJsonObject(JobPlanner.CONFIG) != null
            ? s.detail().getJsonObject(JobPlanner.CONFIG)
            : ((JobSpec.CreateParams) spec.params()).config();
        boolean skip = spec.params() instanceof JobSpec.CreateParams cp && cp.skipLaunch();
        yield new Action.Create(CreateMachineRequest.of(MachineConfig.of(cfg)).withRegion(region(s))
            .withSkipLaunch(skip), Integer.toString(s.slot()));
      }
      default -> throw new IllegalStateException("no action for " + s.action());
    };
  }

  private static String stateBefore(SlotRecord s) {
    return s.detail() == null ? null : s.detail().getString("state_before");
  }

  // ------------------------------------------------------------------ results

  private void record(int slot, OpResult res, Integer exitCode) {
    SlotRecord cur = slots.get(slot);
    String state;
    String code = res.errorCode();
    String error = res.error();
    switch (res.outcome()) {
      case SUCCEEDED -> state = SlotRecord.SUCCEEDED;
      case CANCELLED -> state = SlotRecord.CANCELLED;
      default -> state = SlotRecord.FAILED;
    }
    if ("run".equals(cur.action()) && res.succeeded()) {
      JobSpec.RunParams p = (JobSpec.RunParams) spec.params();
      if (exitCode == null) {
        state = SlotRecord.FAILED;
        code = "no_exit_code";
        error = "the machine ended without an exit event";
      } else if (!p.allowFailure() && !p.successExitCodes().contains((long) exitCode)) {
        state = SlotRecord.FAILED;
        code = "exit_code";
        error = "exited with code " + exitCode;
      }
    }
    String machineId = res.machineId() != null ? res.machineId() : cur.machineId();
    if (SlotRecord.FAILED.equals(state)) {
      log(org.slf4j.event.Level.WARN).addKeyValue("operation", cur.action()).addKeyValue("machine_id", machineId)
          .addKeyValue("error_code", code).log("job {}: {} of machine {} failed after {} attempt(s): {}", job.id(),
              cur.action(), machineId, res.attempts(), error);
    }
    set(cur.with(state, machineId, cur.attempts() + res.attempts(), code, error, exitCode, cur.startedAt(),
        r.time.millis()));
    flush();
    publishSlot(slots.get(slot));
    if (SlotRecord.FAILED.equals(state) && abortReason == null && spec.options().abortAfter() > 0
        && count(SlotRecord.FAILED) >= spec.options().abortAfter()) {
      abortReason = "aborted after " + count(SlotRecord.FAILED) + " failed machine(s) (failure_policy abort, "
          + "abort_after " + spec.options().abortAfter() + ")";
      r.dispatcher.cancelJob(job.id());
    }
  }

  private void slotDone() {
    if (outstanding > 0) {
      return;
    }
    // a phase ended: start the next one, or end the job
    runPhases();
  }

  private void cancelPending() {
    long now = r.time.millis();
    for (SlotRecord s : new ArrayList<>(slots)) {
      if (!s.done()) {
        set(s.with(SlotRecord.CANCELLED, s.machineId(), s.attempts(), "cancelled",
            abortReason != null ? abortReason : "job cancelled", null, s.startedAt(), now));
      }
    }
    flush();
  }

  private int count(String state) {
    int n = 0;
    for (SlotRecord s : slots) {
      if (state.equals(s.state())) {
        n++;
      }
    }
    return n;
  }

  JobRecord.Progress progress() {
    return new JobRecord.Progress(slots.size(), count(SlotRecord.SUCCEEDED), count(SlotRecord.FAILED),
        count(SlotRecord.SKIPPED), count(SlotRecord.CANCELLED));
  }

  private void set(SlotRecord s) {
    slots.set(s.slot(), s);
    dirty.put(s.slot(), s);
  }

  // ------------------------------------------------------------------ persistence

  /** Writes dirty slots (coalescing while a write runs); completes when everything is stored. */
  private Future<Void> flush() {
    if (planInMemory) {
      return Future.succeededFuture(); // the end writes the slot
    }
    if (flushed == null) {
      flushed = Promise.promise();
    }
    Future<Void> f = flushed.future();
    if (!flushing) {
      writeDirty();
    }
    return f;
  }

  private void writeDirty() {
    if (released()) {
      return;
    }
    if (dirty.isEmpty()) {
      Promise<Void> p = flushed;
      flushed = null;
      if (p != null) {
        p.tryComplete();
      }
      return;
    }
    flushing = true;
    List<SlotRecord> batch = new ArrayList<>(dirty.values());
    dirty.clear();
    r.store.updateSlots(job.id(), r.instanceId, batch, progress(), r.time.millis()).onComplete(ar -> {
      flushing = false;
      if (ar.succeeded() && !ar.result()) {
        lostClaim();
        return;
      }
      if (ar.failed()) {
        // keep them for the next write; the store may be back by then
        log(org.slf4j.event.Level.WARN).log("job {}: could not record progress: {}", job.id(), ar.cause().getMessage());
        batch.forEach(s -> dirty.putIfAbsent(s.slot(), s));
        r.time.setTimer(1000, () -> {
          if (!flushing) {
            writeDirty();
          }
        });
        return;
      }
      publish();
      writeDirty();
    });
  }

  // ------------------------------------------------------------------ control

  void cancel() {
    if (cancelRequested || ending()) {
      return;
    }
    cancelRequested = true;
    log(org.slf4j.event.Level.INFO).log("cancelling job {}", job.id());
    r.dispatcher.cancelJob(job.id());
    if (outstanding == 0) {
      runPhases();
    }
  }

  private void timedOut() {
    timeoutTimer = -1;
    if (abortReason == null && !ending()) {
      abortReason = "timed out after " + spec.options().timeoutSeconds() + " s";
      log(org.slf4j.event.Level.INFO).log("job {}: {}; cancelling what it still has to do", job.id(), abortReason);
      r.dispatcher.cancelJob(job.id());
      if (outstanding == 0) {
        runPhases();
      }
    }
  }

  /** Another instance owns the job now: stop without writing anything. */
  void abandon() {
    if (released()) {
      return;
    }
    phase = Phase.RELEASED;
    log(org.slf4j.event.Level.WARN).log("job {}: the claim was lost (another instance took it over); stopping here", job.id());
    r.dispatcher.cancelJob(job.id());
    if (timeoutTimer >= 0) {
      r.time.cancelTimer(timeoutTimer);
    }
    finished.tryComplete();
  }

  /**
   * Shutting down: stop here without recording an end, so the job stays running under its claim
   * and a restart (or another instance) resumes it. In-flight operations are cancelled, which
   * releases their leases.
   */
  void handBack() {
    if (released()) {
      return;
    }
    phase = Phase.RELEASED;
    log(org.slf4j.event.Level.INFO).log("job {}: handing it back unfinished (shutting down); it resumes on the next start or another instance",
        job.id());
    r.dispatcher.cancelJob(job.id());
    if (timeoutTimer >= 0) {
      r.time.cancelTimer(timeoutTimer);
    }
    finished.tryComplete();
  }

  /** A log event carrying the job's id, app and kind as fields (JSON logs). */
  private org.slf4j.spi.LoggingEventBuilder log(org.slf4j.event.Level level) {
    return LOG.atLevel(level).addKeyValue("job_id", job.id()).addKeyValue("app", job.app())
        .addKeyValue("kind", job.kind());
  }

  private boolean released() {
    return phase == Phase.RELEASED;
  }

  private <T> Future<T> lostClaim() {
    abandon();
    return Future.failedFuture("claim lost");
  }

  private void maybeEnd() {
    if (outstanding > 0 || ending() || released()) {
      return;
    }
    for (SlotRecord s : slots) {
      if (!s.done()) {
        return;
      }
    }
    String state;
    String error = null;
    int failed = count(SlotRecord.FAILED);
    if (cancelRequested) {
      state = JobRecord.CANCELLED;
      error = "cancelled";
    } else if (abortReason != null) {
      state = JobRecord.FAILED;
      error = abortReason;
    } else if (failed > 0) {
      state = JobRecord.FAILED;
      error = failed + " of " + slots.size() + " machine(s) failed";
    } else {
      state = JobRecord.SUCCEEDED;
    }
    end(state, error);
  }

  private void end(String state, String error) {
    if (ending()) {
      return;
    }
    phase = Phase.ENDING;
    if (timeoutTimer >= 0) {
      r.time.cancelTimer(timeoutTimer);
    }
    writeEnd(state, error);
  }

  /**
   * Records the end; a store failure is retried with backoff while this instance runs (the job stays
   * owned here meanwhile, so nobody else resumes and repeats it). Stopped first, the job is left to
   * whoever resumes it.
   */
  private void writeEnd(String state, String error) {
    Future<Boolean> written = planInMemory
        ? r.store.finish(job.id(), r.instanceId, state, error, result(), progress(), r.time.millis(),
            new ArrayList<>(dirty.values()))
        : flush().compose(v -> r.store.finish(job.id(), r.instanceId, state, error, result(), progress(),
            r.time.millis()));
    written.onComplete(ar -> {
      if (ar.succeeded() && ar.result()) {
        phase = Phase.ENDED;
        dirty.clear();
        log(org.slf4j.event.Level.INFO).log("job {} {} ({})", job.id(), state, progressText());
        r.events.publish(job.id(), new JsonObject().put("type", "end").put("state", state).put("error", error)
            .put("progress", JobJson.progress(progress())));
        r.jobEnded(job, state, started == 0 ? job.createdAt() : started);
      } else if (ar.failed() && !released() && !r.isStopped()) {
        long delay = Math.min(30_000L, 250L << Math.min(endAttempts++, 7));
        log(org.slf4j.event.Level.WARN).log("job {}: could not record its end ({}); trying again in {} ms", job.id(),
            ar.cause().getMessage(), delay);
        r.time.setTimer(delay, () -> {
          if (!released()) {
            writeEnd(state, error);
          }
        });
        return;
      } else if (ar.failed()) {
        log(org.slf4j.event.Level.WARN).log("job {}: could not record its end: {}", job.id(), ar.cause().getMessage());
      }
      finished.tryComplete();
    });
  }

  private String progressText() {
    JobRecord.Progress p = progress();
    return p.succeeded() + " succeeded, " + p.failed() + " failed, " + p.skipped() + " skipped, " + p.cancelled()
        + " cancelled of " + p.total();
  }

  private JsonObject result() {
    JsonObject out = JobJson.progress(progress());
    if ("run".equals(spec.kind())) {
      JsonObject codes = new JsonObject();
      for (SlotRecord s : slots) {
        if (s.machineId() != null && s.exitCode() != null) {
          codes.put(s.machineId(), s.exitCode());
        }
      }
      out.put("exit_codes", codes);
    }
    return out;
  }

  private void publish() {
    if (!r.events.watched(job.id())) {
      return; // counting every slot for an event nobody reads costs a big job O(n) per result
    }
    r.events.publish(job.id(), new JsonObject().put("type", "progress").put("state", JobRecord.RUNNING)
        .put("progress", JobJson.progress(progress())));
  }

  private void publishSlot(SlotRecord s) {
    if (!r.events.watched(job.id())) {
      return;
    }
    r.events.publish(job.id(), new JsonObject().put("type", "machine").put("machine", JobJson.slot(s)));
  }
}
