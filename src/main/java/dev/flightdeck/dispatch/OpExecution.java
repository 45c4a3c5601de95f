package dev.flightdeck.dispatch;

import dev.flightdeck.fleet.CachedMachine;
import dev.flightdeck.fly.CreateMachineRequest;
import dev.flightdeck.fly.ErrorClass;
import dev.flightdeck.fly.FlyApiException;
import dev.flightdeck.fly.FlyOperation;
import dev.flightdeck.fly.Lease;
import dev.flightdeck.fly.ListMachinesQuery;
import dev.flightdeck.fly.Machine;
import dev.flightdeck.fly.MachineConfig;
import dev.flightdeck.fly.UpdateMachineRequest;
import dev.flightdeck.fly.WaitOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs one {@link MachineOp}: take the lease, apply the action with the nonce, wait for the
 * machine to settle while refreshing the lease, release the lease — also on failure and
 * cancellation. Retryable failures are retried with backoff; before an action whose answer was
 * lost is repeated, the machine is read to see whether it already happened. Until the lease is
 * held (or a create has been accepted) the operation gives its slot back and is re-queued instead
 * of waiting in place.
 */
final class OpExecution {

  /** What the dispatcher should do after a run. */
  sealed interface Disposition permits Deferred, Finished {}

  /** Give the slot back and run again in {@code delayMs}. */
  record Deferred(long delayMs) implements Disposition {}

  record Finished(OpResult result) implements Disposition {}

  /** Ends the run with an outcome; carried through the future chain. */
  private static final class Stop extends RuntimeException {
    final OpResult.Outcome outcome;
    final String code;

    Stop(OpResult.Outcome outcome, String code, String message) {
      super(message, null, false, false);
      this.outcome = outcome;
      this.code = code;
    }
  }

  /** Signals that the run should give its slot back and be re-queued. */
  private static final class Defer extends RuntimeException {
    final long delayMs;

    Defer(long delayMs) {
      super(null, null, false, false);
      this.delayMs = delayMs;
    }
  }

  final Dispatcher d;
  final MachineOp op;
  final Promise<OpResult> promise = Promise.promise();
  final long queuedAt;
  final String serialKey;
  /** The first call's token was taken when the operation was launched. */
  boolean firstCallPaid;
  long startedAt;
  long deadline;
  int attempts;
  /** Retryable failures so far before anything was applied (bounded by max_attempts). */
  private int retries;
  int apiCalls;
  private String machineId;
  private String nonce;
  private long refreshTimer = -1;
  /** Local time until which our lease is surely valid (its TTL from the last acquire or refresh). */
  private long leaseValidUntil;
  private boolean cancelled;
  private boolean applied;
  private final Promise<Void> cancelSignal = Promise.promise();
  private Machine machine;
  private String versionForWait;
  private long firstConflictAt = -1;
  private String lastHolder;
  /** The machine's state in the fleet cache when the operation first ran (null if unknown). */
  private String cachedStateBefore;

  OpExecution(Dispatcher d, MachineOp op, long now) {
    this.d = d;
    this.op = op;
    this.queuedAt = now;
    this.machineId = op.machineId();
    this.serialKey = op.serialKey();
  }

  void cancel() {
    cancelled = true;
    cancelSignal.tryComplete();
    Runnable wake = nap;
    nap = null;
    if (wake != null) {
      wake.run();
    }
  }

  /** Ends the backoff this operation is sleeping in, if any (a cancel does not wait it out). */
  private Runnable nap;

  void napping(Runnable wake) {
    this.nap = wake;
  }

  boolean isCancelled() {
    return cancelled;
  }

  boolean holdsLease() {
    return nonce != null;
  }

  // ------------------------------------------------------------------ the run

  Future<Disposition> run() {
    try {
      return runSafely();
    } catch (RuntimeException e) {
      // a bug must not leave the operation in flight for ever
      stopRefreshing();
      return Future.succeededFuture(finished(OpResult.Outcome.FAILED, "internal", "internal error: " + e));
    }
  }

  private Future<Disposition> runSafely() {
    attempts++;
    long now = d.time.millis();
    if (startedAt == 0) {
      startedAt = now;
      if (machineId != null) {
        var cached = d.fleet.peek(op.app(), machineId);
        cachedStateBefore = cached == null ? null : cached.state();
      }
      // the job's time left, and never more than one operation may take; a plain wait (a run's machine
      // doing its work) is the caller's own: the work may take longer than any API operation
      long own = op.timeoutMs() > 0 ? op.timeoutMs() : d.config.opTimeoutMs();
      deadline = now + (op.action() instanceof Action.Wait ? own : Math.min(own, d.config.opTimeoutMs()));
    }
    Future<Void> work;
    if (cancelled) {
      work = Future.failedFuture(new Stop(OpResult.Outcome.CANCELLED, "cancelled", "cancelled before it started"));
    } else if (now >= deadline) {
      work = Future.failedFuture(timeout());
    } else if (op.action() instanceof Action.Create c) {
      work = create(c).compose(v -> settle()).compose(v -> releaseLease());
    } else if (op.action().leased()) {
      work = acquireLease().compose(v -> apply().compose(x -> settle())
          .transform(ar -> releaseLease().transform(x -> ar.succeeded() ? Future.succeededFuture()
              : Future.failedFuture(ar.cause()))));
    } else {
      work = apply().compose(v -> settle());
    }
    return work.transform(ar -> {
      stopRefreshing();
      if (ar.succeeded()) {
        return Future.succeededFuture(finished(OpResult.Outcome.SUCCEEDED, null, null));
      }
      Throwable t = ar.cause();
      if (t instanceof Defer def) {
        return Future.succeededFuture(new Deferred(def.delayMs));
      }
      if (t instanceof Stop s) {
        return Future.succeededFuture(finished(s.outcome, s.code, s.getMessage()));
      }
      if (t instanceof FlyApiException e) {
        return Future.succeededFuture(finished(OpResult.Outcome.FAILED, code(e), e.getMessage()));
      }
      return Future.succeededFuture(finished(OpResult.Outcome.FAILED, "internal", String.valueOf(t)));
    });
  }

  private Disposition finished(OpResult.Outcome outcome, String code, String error) {
    return new Finished(new OpResult(op.opId(), op.jobId(), op.app(), machineId, op.action().name(), outcome, code,
        error, attempts, apiCalls, machine, queuedAt, startedAt, d.time.millis()));
  }

  private static String code(FlyApiException e) {
    return switch (e.errorClass()) {
      case LEASE_CONFLICT -> "lease_conflict";
      case NOT_FOUND -> "not_found";
      case PRECONDITION -> "precondition";
      case INVALID, CONFLICT -> "invalid";
      case UNAUTHORIZED -> "unauthorized";
      case WAIT_TIMEOUT -> "timeout";
      case RETRYABLE, AMBIGUOUS -> "retries_exhausted";
    };
  }

  private Stop timeout() {
    return new Stop(OpResult.Outcome.FAILED, "timeout", op.action().name() + " of " + target()
        + " did not finish within " + (deadline - startedAt) + " ms");
  }

  private String target() {
    return machineId != null ? "machine " + machineId : "a new machine in " + op.app();
  }

  // ------------------------------------------------------------------ create

  private Future<Void> create(Action.Create c) {
    String tag = op.jobId() + "/" + c.slot();
    MachineConfig tagged = c.request().config().withMetadata(d.config.createTagKey(), tag);
    CreateMachineRequest req = new CreateMachineRequest(tagged, c.request().name(), c.request().region(),
        c.request().skipLaunch(), c.request().skipServiceRegistration(),
        op.await() ? Integer.valueOf(leaseTtl()) : c.request().leaseTtl());
    if (machineId != null) {
      return Future.succeededFuture(); // created on an earlier run that was then deferred
    }
    return d.call(this, FlyOperation.MACHINES_CREATE, ApiRateLimiter.BucketKey.of(op.app(), FlyOperation.MACHINES_CREATE),
            () -> d.fly.createMachine(op.app(), req))
        .compose(m -> {
          created(m, m.nonce());
          return Future.<Void>succeededFuture();
        })
        .recover(err -> {
          if (!(err instanceof FlyApiException e)) {
            return Future.failedFuture(err);
          }
          if (e.errorClass() == ErrorClass.AMBIGUOUS || e.errorClass() == ErrorClass.CONFLICT) {
            d.stats.ambiguous++;
            return afterUnclearCreate(tag, e);
          }
          if (e.errorClass() == ErrorClass.RETRYABLE) {
            return Future.failedFuture(retryLater(e));
          }
          return Future.failedFuture(e);
        });
  }

  /** Looks for the machine a create with no clear answer may have made: adopts it, or tries again later. */
  private Future<Void> afterUnclearCreate(String tag, FlyApiException e) {
    return findCreated(tag, 2).recover(lookup -> Future.failedFuture(uncheckable(tag, e, lookup))).compose(found -> {
      if (found != null) {
        return adoptLease(found).map(nonceFound -> {
          created(found, nonceFound);
          return (Void) null;
        });
      }
      if (e.errorClass() == ErrorClass.CONFLICT) {
        return Future.failedFuture(e);
      }
      return Future.failedFuture(retryLater(e));
    });
  }

  /** A create with no clear answer that could not be looked up either: never made again blindly. */
  private static Throwable uncheckable(String tag, FlyApiException create, Throwable lookup) {
    if (!(lookup instanceof FlyApiException le)) {
      return lookup;
    }
    return new Stop(OpResult.Outcome.FAILED, "retries_exhausted", "the create of " + tag + " got no clear answer ("
        + create.getMessage() + ") and looking it up kept failing: " + le.getMessage());
  }

  private void created(Machine m, String leaseNonce) {
    machineId = m.id();
    machine = m;
    applied = true;
    versionForWait = m.instanceId();
    d.fleet.recordMachine(op.app(), m);
    if (leaseNonce != null) {
      nonce = leaseNonce;
      d.leaseTaken(this);
      startRefreshing();
    }
  }

  /**
   * Looks a machine up by its create tag, trying again once when it is not there: the list can lag
   * behind a create. A failing list is retried with backoff: without an answer the create is neither
   * made again nor given up on.
   */
  private Future<Machine> findCreated(String tag, int tries) {
    // list limits are not documented: no client bucket, a 429 is retried like a 5xx
    return readRetrying(() -> d.call(this, FlyOperation.MACHINES_LIST, null,
            // destroyed ones too: an ephemeral machine can run, exit and be destroyed before a slow answer
            // comes back, and creating it again would run the work twice
            () -> d.fly.listMachines(op.app(), ListMachinesQuery.ALL.withIncludeDeleted(true)
                .withMetadata(Map.of(d.config.createTagKey(), tag)))),
            1)
        .compose(list -> {
          if (!list.isEmpty() || tries <= 1) {
            return Future.succeededFuture(list.isEmpty() ? null : list.get(0));
          }
          return d.sleep(this, d.backoff.ceiling(1)).compose(v -> findCreated(tag, tries - 1));
        });
  }

  /** After a lost create answer, the lease made by {@code lease_ttl} is ours if nobody else has one. */
  private Future<String> adoptLease(Machine m) {
    if (!op.await()) {
      return Future.succeededFuture(null);
    }
    return d.call(this, FlyOperation.LEASE_SHOW, null, () -> d.fly.getLease(op.app(), m.id()))
        .map(l -> d.owner() == null || d.owner().equals(l.owner()) ? l.nonce() : null)
        .otherwise((String) null);
  }

  // ------------------------------------------------------------------ lease

  private int leaseTtl() {
    return op.leaseTtlSeconds() > 0 ? op.leaseTtlSeconds() : d.config.leaseTtlSeconds();
  }

  private String leaseDescription() {
    return CachedMachine.LEASE_PREFIX + d.instanceId() + " job " + op.jobId() + " op " + op.opId();
  }

  private Future<Void> acquireLease() {
    return d.call(this, FlyOperation.LEASE_ACQUIRE, ApiRateLimiter.BucketKey.of(machineId, FlyOperation.LEASE_ACQUIRE),
            () -> d.fly.acquireLease(op.app(), machineId, leaseTtl(), leaseDescription()))
        .compose(lease -> {
          tookLease(lease);
          return Future.<Void>succeededFuture();
        })
        .recover(err -> {
          if (!(err instanceof FlyApiException e)) {
            return Future.failedFuture(err);
          }
          return switch (e.errorClass()) {
            case LEASE_CONFLICT -> {
              // an earlier try whose answer was lost may have got it for us
              if (d.owner() == null || d.owner().equals(e.leaseHolder())) {
                yield adoptOwnLease(() -> conflict(e));
              }
              yield Future.failedFuture(conflict(e));
            }
            case AMBIGUOUS -> {
              d.stats.ambiguous++;
              yield adoptOwnLease(() -> retryLater(e));
            }
            case RETRYABLE -> Future.failedFuture(retryLater(e));
            case NOT_FOUND -> Future.failedFuture(new Stop(OpResult.Outcome.FAILED, "not_found",
                "machine " + machineId + " not found in " + op.app()));
            default -> Future.failedFuture(e);
          };
        });
  }

  /** Takes over the lease if it carries this op's description (a lost answer granted it); else fails with {@code otherwise}. */
  private Future<Void> adoptOwnLease(Supplier<RuntimeException> otherwise) {
    return d.call(this, FlyOperation.LEASE_SHOW, null, () -> d.fly.getLease(op.app(), machineId))
        .transform(ar -> {
          // only a lease with time left: an expired one may still be shown, and its nonce no longer
          // guards anything (a CI run sent a start under such a lease)
          if (ar.succeeded() && leaseDescription().equals(ar.result().description())
              && ar.result().expiresAt() * 1000L > d.time.millis() + 1000) {
            tookLease(ar.result());
            return Future.succeededFuture();
          }
          return Future.failedFuture(otherwise.get());
        });
  }

  private void tookLease(Lease lease) {
    nonce = lease.nonce();
    leaseValidUntil = d.time.millis() + leaseTtl() * 1000L;
    d.learnOwner(lease.owner());
    firstConflictAt = -1;
    d.leaseTaken(this);
    d.fleet.recordLease(op.app(), machineId, lease.owner(), lease.expiresAt(), true);
    startRefreshing();
    if (cancelled) {
      throw new Stop(OpResult.Outcome.CANCELLED, "cancelled", "cancelled before " + op.action().name());
    }
  }

  /** A foreign lease: wait and try again (slot given back) until the conflict deadline. */
  private RuntimeException conflict(FlyApiException e) {
    d.stats.leaseConflicts++;
    long now = d.time.millis();
    if (firstConflictAt < 0) {
      firstConflictAt = now;
    }
    lastHolder = e.leaseHolder();
    d.fleet.recordLease(op.app(), machineId, lastHolder, 0, false);
    if (now - firstConflictAt >= d.config.leaseConflictTimeoutMs() || now >= deadline) {
      return new Stop(OpResult.Outcome.FAILED, "lease_conflict", "machine " + machineId + " is leased by "
          + (lastHolder == null ? "someone else" : lastHolder) + " (" + e.apiError() + "); gave up after "
          + (now - firstConflictAt) + " ms");
    }
    long delay = d.backoff.delay(Math.min(attempts, 30));
    d.stats.backoffMs += delay;
    return new Defer(Math.min(delay, Math.max(1, deadline - now)));
  }

  /** A retryable failure before anything was applied: back off with the slot given back. */
  private RuntimeException retryLater(FlyApiException e) {
    retries++;
    if (retries >= d.backoff.maxAttempts()) {
      return new Stop(OpResult.Outcome.FAILED, "retries_exhausted", "gave up after " + retries + " tries: "
          + e.getMessage());
    }
    d.stats.retries++;
    long delay = d.backoff.delay(retries);
    d.stats.backoffMs += delay;
    long left = deadline - d.time.millis();
    if (left <= 0) {
      return timeout();
    }
    return new Defer(Math.min(delay, left));
  }

  private void startRefreshing() {
    long every = Math.max(1000, (leaseTtl() - 1) * 1000L / 3);
    refreshTimer = d.time.setTimer(every, () -> {
      refreshTimer = -1;
      if (nonce == null) {
        return;
      }
      String held = nonce;
      d.call(this, FlyOperation.LEASE_REFRESH, ApiRateLimiter.BucketKey.of(machineId, FlyOperation.LEASE_ACQUIRE),
              () -> d.fly.refreshLease(op.app(), machineId, held, leaseTtl()))
          .onComplete(ar -> {
            if (nonce == null || !nonce.equals(held)) {
              return; // released meanwhile: never refresh a lease after its op ended
            }
            if (ar.succeeded() && held.equals(ar.result().nonce())) {
              leaseValidUntil = d.time.millis() + leaseTtl() * 1000L;
              startRefreshing();
            } else if (ar.failed() && ar.cause() instanceof FlyApiException e && e.isRetryable()) {
              startRefreshing();
            } else {
              d.stats.leasesLost++;
              nonce = null;
              d.leaseGone(this);
            }
          });
    });
  }

  private void stopRefreshing() {
    if (refreshTimer >= 0) {
      d.time.cancelTimer(refreshTimer);
      refreshTimer = -1;
    }
  }

  private Future<Void> releaseLease() {
    stopRefreshing();
    if (nonce == null) {
      return Future.succeededFuture();
    }
    String held = nonce;
    nonce = null;
    return release(held, 1);
  }

  private Future<Void> release(String held, int attempt) {
    return d.call(this, FlyOperation.LEASE_RELEASE, ApiRateLimiter.BucketKey.of(machineId, FlyOperation.LEASE_RELEASE),
            () -> d.fly.releaseLease(op.app(), machineId, held))
        .transform(ar -> {
          if (ar.succeeded() || (ar.cause() instanceof FlyApiException e
              && (e.errorClass() == ErrorClass.NOT_FOUND || e.errorClass() == ErrorClass.LEASE_CONFLICT))) {
            d.leaseGone(this);
            d.stats.leasesReleased++;
            d.fleet.recordLease(op.app(), machineId, null, 0, false);
            return Future.succeededFuture();
          }
          // retried for as long as the lease could still be held: a fixed number of tries left one
          // lease in a few hundred behind under 20 % injected faults
          if (ar.cause() instanceof FlyApiException e && (e.isRetryable() || e.errorClass() == ErrorClass.AMBIGUOUS)
              && (attempt < 5 || d.time.millis() < leaseValidUntil)) {
            return d.sleep(null, Math.min(1000, d.backoff.ceiling(attempt))).compose(v -> release(held, attempt + 1));
          }
          // refused for good (or the lease has run out by now): left to expire by its TTL
          d.leaseGone(this);
          return Future.succeededFuture();
        });
  }

  // ------------------------------------------------------------------ apply the action

  private Future<Void> apply() {
    if (cancelled) {
      return Future.failedFuture(new Stop(OpResult.Outcome.CANCELLED, "cancelled",
          "cancelled before " + op.action().name()));
    }
    Action a = op.action();
    if (a instanceof Action.Wait) {
      return Future.succeededFuture();
    }
    if (a instanceof Action.Update u) {
      return update(u, 1);
    }
    if (op.resumedSince() > 0 && !(a instanceof Action.Create)) {
      return lookBeforeResending(a);
    }
    if (a instanceof Action.Stop && stoppedSincePlanned()) {
      // the API accepts a stop of a stopped machine, so it does not tell us this one was needless:
      // another job (two scale-downs of one group planned from the same cache) may have stopped it
      // since this job planned it; read it under our lease and stop it only if it runs
      return readThen(a, now -> a.doneIn(now, null), now -> mutate(1, null));
    }
    if (a instanceof Action.Restart) {
      // a lost answer is checked against the event log, so the newest event from before must be
      // known: the cache has it when the machine was last read whole and not changed by us since;
      // only otherwise is it read first. (A restart by someone else after that read would be taken
      // for ours if our answer is lost: the machine was restarted either way.)
      var cached = d.fleet.peek(op.app(), machineId);
      if (cached != null && cached.lastEventId() != null) {
        return mutate(1, cached.lastEventId());
      }
      return readWithRetries(1).compose(before -> mutate(1, before.events().isEmpty() ? null
          : before.events().get(0).id()));
    }
    if (a instanceof Action.Start st && st.plannedFrom() != null) {
      // a resumed job's start may have been sent by the earlier run: a boot that failed since is not repeated
      return readWithRetries(1).compose(now -> {
        if (bootFailedAfterSend(a, now)) {
          appliedNow();
          return Future.<Void>succeededFuture();
        }
        return mutate(1, null);
      });
    }
    return mutate(1, null);
  }

  /** The cache shows the machine stopping, stopped or failed: what a stop would lead to. */
  private boolean stoppedSincePlanned() {
    var cached = d.fleet.peek(op.app(), machineId);
    return cached != null && ("stopping".equals(cached.state()) || "stopped".equals(cached.state())
        || "failed".equals(cached.state()));
  }

  /**
   * A resumed job's action that its earlier run may have sent (the slot was in flight when that run
   * stopped, or its plan was never written): the machine is read, and the action is sent only when
   * it shows no sign of it. What it shows is then waited for like any applied action.
   */
  private Future<Void> lookBeforeResending(Action a) {
    return readThen(a, now -> a.doneSince(now, op.resumedSince()),
        now -> mutate(1, now.events().isEmpty() ? null : now.events().get(0).id()));
  }

  /**
   * Reads the machine before (re)sending {@code a}: if it shows the action done, the action counts
   * as applied; otherwise {@code notDone} decides. A destroy whose machine is gone did happen; a
   * read that fails leaves the action unsent (never repeat an action we could not check).
   */
  private Future<Void> readThen(Action a, java.util.function.Predicate<Machine> done,
      java.util.function.Function<Machine, Future<Void>> notDone) {
    return readWithRetries(1).transform(read -> {
      if (read.failed()) {
        if (a instanceof Action.Destroy && read.cause() instanceof FlyApiException nf
            && nf.errorClass() == ErrorClass.NOT_FOUND) {
          appliedNow();
          return Future.succeededFuture();
        }
        return Future.failedFuture(read.cause());
      }
      if (done.test(read.result()) || bootFailedAfterSend(a, read.result())) {
        appliedNow();
        return Future.succeededFuture();
      }
      return notDone.apply(read.result());
    });
  }

  /**
   * Refreshes failed for longer than the TTL (an API outage): the lease may have run out, so no
   * mutation may be sent on it. Drops it and runs the operation again from a fresh lease (the
   * action was not sent, so nothing is repeated).
   */
  private Future<Void> leaseLapsed() {
    if (nonce != null) {
      d.stats.leasesLost++;
    }
    stopRefreshing();
    nonce = null;
    d.leaseGone(this);
    return Future.failedFuture(new Defer(0));
  }

  /**
   * The lease ran out while the call waited for its rate-limit token: checked again right before
   * sending, since the check before the wait can be a second old by then (found by a CI run: a start
   * reached the simulator after its lease had expired).
   */
  private static final RuntimeException LAPSED = new RuntimeException("lease lapsed before sending", null, false, false) { };

  private static <T> Future<T> lapsedBeforeSending() {
    return Future.failedFuture(LAPSED);
  }

  /** Lost (a refresh answered with another holder) or possibly run out: never send a mutation on it. */
  private boolean leaseMayHaveLapsed() {
    return op.action().leased() && (nonce == null || d.time.millis() >= leaseValidUntil - 1000);
  }

  private Future<Void> mutate(int tryNo, String before) {
    if (leaseMayHaveLapsed()) {
      return leaseLapsed();
    }
    Action a = op.action();
    FlyOperation fop = a.operation();
    if (cancelled && !applied) {
      return Future.failedFuture(new Stop(OpResult.Outcome.CANCELLED, "cancelled", "cancelled before " + a.name()));
    }
    return d.call(this, fop, ApiRateLimiter.BucketKey.of(machineId, fop), () -> leaseMayHaveLapsed() ? lapsedBeforeSending()
            : cancelled && !applied ? Future.failedFuture(new Stop(OpResult.Outcome.CANCELLED, "cancelled",
                "cancelled before " + a.name())) : a.send(d.fly, op.app(), machineId, nonce))
        .compose(x -> {
          appliedNow();
          return Future.<Void>succeededFuture();
        })
        .recover(err -> {
          if (err == LAPSED) {
            return leaseLapsed();
          }
          if (!(err instanceof FlyApiException e)) {
            return Future.failedFuture(err);
          }
          if (e.errorClass() == ErrorClass.LEASE_CONFLICT) {
            nonce = null; // ours expired and someone else took it: start over
            d.leaseGone(this);
            return Future.failedFuture(conflict(e));
          }
          if (e.errorClass() == ErrorClass.NOT_FOUND && a instanceof Action.Destroy) {
            appliedNow();
            return Future.succeededFuture();
          }
          if (!maybeApplied(e)) {
            return e.isRetryable() ? retryInPlace(e, tryNo, () -> mutate(tryNo + 1, before)) : Future.failedFuture(e);
          }
          if (e.errorClass() == ErrorClass.AMBIGUOUS) {
            d.stats.ambiguous++;
          }
          // the answer was lost or refused: read the machine before doing it again
          return readThen(a, now -> a.doneIn(now, before), now -> {
            if (e.errorClass() == ErrorClass.PRECONDITION
                && (e.apiError() == null || !e.apiError().contains("replaced"))) {
              return Future.failedFuture(e);
            }
            return retryInPlace(e, tryNo, () -> mutate(tryNo + 1, before));
          });
        });
  }

  /**
   * A start whose answer was lost (or, resumed, that an earlier run sent), on a machine now
   * {@code failed} that was not failed before: the start ran and the boot failed. Sending it again
   * would be a second start, so settle reports it.
   */
  private boolean bootFailedAfterSend(Action a, Machine now) {
    return a instanceof Action.Start st && st.bootFailedSince(now, cachedStateBefore);
  }

  /** A lost answer, a 5xx or a 412 may mean the action happened: read before repeating it. */
  private static boolean maybeApplied(FlyApiException e) {
    return e.status() == 0 || e.status() >= 500 || e.errorClass() == ErrorClass.AMBIGUOUS
        || e.errorClass() == ErrorClass.PRECONDITION;
  }

  private void appliedNow() {
    applied = true;
    String transitional = op.action().transitionalState();
    if (transitional != null) {
      d.fleet.recordState(op.app(), machineId, transitional, null);
    }
  }

  private Future<Void> update(Action.Update u, int tryNo) {
    if (leaseMayHaveLapsed()) {
      return leaseLapsed();
    }
    return readWithRetries(1).compose(current -> {
      MachineConfig next = current.config();
      if (u.configPatch() != null) {
        next = next.merge(u.configPatch());
      }
      if (u.image() != null) {
        next = next.withImage(u.image());
      }
      if (next.equals(current.config())) {
        // nothing to change (or a lost answer already applied it)
        applied = true;
        versionForWait = current.instanceId();
        return Future.<Void>succeededFuture();
      }
      MachineConfig target = next;
      UpdateMachineRequest req = UpdateMachineRequest.of(target, current.instanceId()).withSkipLaunch(u.skipLaunch());
      return d.call(this, FlyOperation.MACHINES_UPDATE, ApiRateLimiter.BucketKey.of(machineId, FlyOperation.MACHINES_UPDATE),
              () -> leaseMayHaveLapsed() ? lapsedBeforeSending() : d.fly.updateMachine(op.app(), machineId, req, nonce))
          .compose(m -> {
            machine = m;
            applied = true;
            versionForWait = m.instanceId();
            d.fleet.recordMachine(op.app(), m);
            return Future.<Void>succeededFuture();
          })
          .recover(err -> {
            if (err == LAPSED) {
              return leaseLapsed();
            }
            if (!(err instanceof FlyApiException e)) {
              return Future.failedFuture(err);
            }
            if (e.errorClass() == ErrorClass.LEASE_CONFLICT) {
              nonce = null;
              d.leaseGone(this);
              return Future.failedFuture(conflict(e));
            }
            if (maybeApplied(e) || e.isRetryable()) {
              if (e.errorClass() == ErrorClass.AMBIGUOUS) {
                d.stats.ambiguous++;
              }
              // re-reading compares the config again: an update that did apply is not repeated
              return retryInPlace(e, tryNo, () -> update(u, tryNo + 1));
            }
            return Future.failedFuture(e);
          });
    });
  }

  private Future<Machine> readMachine() {
    return d.call(this, FlyOperation.MACHINES_SHOW, ApiRateLimiter.BucketKey.of(machineId, FlyOperation.MACHINES_SHOW),
            () -> d.fly.getMachine(op.app(), machineId))
        .onSuccess(m -> {
          machine = m;
          d.fleet.recordMachine(op.app(), m);
        });
  }

  /** Reads the machine, retrying retryable failures with backoff; a 404 and other errors end it. */
  private Future<Machine> readWithRetries(int tryNo) {
    return readRetrying(this::readMachine, tryNo);
  }

  /** Runs a read, retrying retryable failures with backoff until attempts or the deadline run out. */
  private <T> Future<T> readRetrying(Supplier<Future<T>> read, int tryNo) {
    return read.get().recover(err -> {
      if (err instanceof FlyApiException e && (e.isRetryable() || e.errorClass() == ErrorClass.AMBIGUOUS)
          && tryNo < d.backoff.maxAttempts() && d.time.millis() < deadline) {
        long delay = d.backoff.delay(tryNo);
        d.stats.retries++;
        d.stats.backoffMs += delay;
        return d.sleep(this, delay).compose(v -> readRetrying(read, tryNo + 1));
      }
      return Future.failedFuture(err);
    });
  }

  /** Backs off holding the slot (the lease is held), then runs {@code again}. */
  private <T> Future<T> retryInPlace(FlyApiException e, int tryNo, Supplier<Future<T>> again) {
    if (tryNo >= d.backoff.maxAttempts()) {
      return Future.failedFuture(new Stop(OpResult.Outcome.FAILED, "retries_exhausted", "gave up after " + tryNo
          + " tries: " + e.getMessage()));
    }
    if (cancelled && !applied) {
      return Future.failedFuture(new Stop(OpResult.Outcome.CANCELLED, "cancelled", "cancelled"));
    }
    long delay = d.backoff.delay(tryNo);
    if (d.time.millis() + delay >= deadline) {
      return Future.failedFuture(timeout());
    }
    attempts++;
    d.stats.retries++;
    d.stats.backoffMs += delay;
    return d.sleep(this, delay).compose(v -> {
      if (cancelled && !applied) {
        // cancelled during the backoff: nothing more is sent
        return Future.failedFuture(new Stop(OpResult.Outcome.CANCELLED, "cancelled", "cancelled during a retry backoff"));
      }
      return again.get();
    });
  }

  // ------------------------------------------------------------------ settle

  private Future<Void> settle() {
    Action a = op.action();
    List<String> states;
    if (a instanceof Action.Wait w) {
      states = w.states();
    } else if (op.await() && "started".equals(a.settledState())) {
      // a boot can end in "failed" (bad image, command that cannot run): stop waiting then, not at the deadline
      states = List.of("started", "failed");
    } else if (op.await() && a instanceof Action.Stop) {
      // a stop of a machine whose boot failed is accepted and leaves it failed: nothing runs, done
      states = List.of("stopped", "failed");
    } else if (op.await() && a.settledState() != null) {
      states = List.of(a.settledState());
    } else {
      return Future.succeededFuture();
    }
    if (cancelled) {
      return Future.failedFuture(new Stop(OpResult.Outcome.CANCELLED, "cancelled", "cancelled after "
          + a.name() + " was applied; not waiting for " + String.join("/", states)));
    }
    // a Wait op reports the machine it waited for (a run job reads exit codes from its events)
    return cancellable(waitLoop(states, 1), states).compose(state -> {
      if (a instanceof Action.Wait w && !("failed".equals(state) && w.states().contains("started"))) {
        return readFinal();
      }
      if ("failed".equals(state) && ("started".equals(a.settledState()) || a instanceof Action.Wait)) {
        return Future.failedFuture(new Stop(OpResult.Outcome.FAILED, "start_failed", "machine " + machineId
            + " failed to start after " + a.name() + " (state failed); its events say why"));
      }
      return Future.succeededFuture();
    });
  }

  /** Waits until the machine is in one of {@code states}; the state reached (null if the answer had none). */
  private Future<String> waitLoop(List<String> states, int tryNo) {
    long left = deadline - d.time.millis();
    if (left <= 0) {
      return Future.failedFuture(timeout());
    }
    int secs = (int) Math.max(1, Math.min(d.config.waitTimeoutSeconds(), (left + 999) / 1000));
    String version = versionForWait != null && (op.action() instanceof Action.Update || op.action() instanceof Action.Create)
        ? versionForWait : null;
    WaitOptions opts = new WaitOptions(states, version, secs, null);
    Future<String> waited = d.call(this, FlyOperation.MACHINES_WAIT, null,
            () -> d.fly.waitMachine(op.app(), machineId, opts))
        .compose(w -> {
          d.fleet.recordState(op.app(), machineId, w.state(), w.version());
          return Future.succeededFuture(w.state());
        })
        .recover(err -> {
          if (!(err instanceof FlyApiException e)) {
            return Future.failedFuture(err);
          }
          if (e.errorClass() == ErrorClass.WAIT_TIMEOUT) {
            return waitLoop(states, tryNo);
          }
          if (e.errorClass() == ErrorClass.NOT_FOUND && states.contains("destroyed")) {
            d.fleet.recordDestroyed(op.app(), machineId);
            return Future.succeededFuture("destroyed");
          }
          if (e.isRetryable() || (e.errorClass() == ErrorClass.PRECONDITION && e.apiError() != null
              && e.apiError().contains("replaced"))) {
            return retryInPlace(e, tryNo, () -> waitLoop(states, tryNo + 1));
          }
          return Future.failedFuture(e);
        });
    return waited;
  }

  /** A cancelled job does not wait for the answer; the lease is released right away. One listener per wait. */
  private Future<String> cancellable(Future<String> waited, List<String> states) {
    Promise<String> raced = Promise.promise();
    waited.onComplete(ar -> {
      if (ar.succeeded()) {
        raced.tryComplete(ar.result());
      } else {
        raced.tryFail(ar.cause());
      }
    });
    cancelSignal.future().onSuccess(v -> raced.tryFail(new Stop(OpResult.Outcome.CANCELLED, "cancelled",
        "cancelled while waiting for " + String.join("/", states))));
    return raced.future();
  }

  private Future<Void> readFinal() {
    return readMachine().transform(ar -> {
      if (ar.succeeded() && "destroyed".equals(ar.result().state())) {
        d.fleet.recordDestroyed(op.app(), machineId);
      }
      return Future.<Void>succeededFuture();
    });
  }
}
