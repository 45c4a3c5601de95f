package dev.flightdeck.dispatch;

import dev.flightdeck.fly.CreateMachineRequest;
import dev.flightdeck.fly.FlyClient;
import dev.flightdeck.fly.FlyOperation;
import dev.flightdeck.fly.Machine;
import dev.flightdeck.fly.MachineEvent;
import dev.flightdeck.fly.RestartOptions;
import dev.flightdeck.fly.StopOptions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What one machine operation does: the API call, the state it leaves the machine in, and how to
 * tell from a fresh read that it already happened (when its answer was lost).
 */
public sealed interface Action {

  /** Short name for logs, metrics and job records. */
  String name();

  /** The API operation that applies it (its bucket and metric label). */
  FlyOperation operation();

  /** Whether the machine's lease must be held while it runs. */
  default boolean leased() {
    return true;
  }

  /** The state {@code await} waits for, or null when there is nothing to wait for. */
  String settledState();

  /** The transient state the machine is in right after the call, or null. */
  default String transitionalState() {
    return null;
  }

  /** Sends the call (Create, Update and Wait are driven by the executor itself). */
  default Future<Void> send(FlyClient fly, String app, String machineId, String nonce) {
    throw new UnsupportedOperationException(name() + " is not a single call");
  }

  /**
   * Whether {@code now} shows the action already applied; {@code lastEventBefore} is the newest
   * event id known from before sending (null when none was known).
   */
  default boolean doneIn(Machine now, String lastEventBefore) {
    return false;
  }

  /**
   * Whether {@code now} shows the action applied by someone acting since {@code sinceMs} (epoch ms):
   * a resumed job's earlier run, whose answer this run never saw. By default the state tells.
   */
  default boolean doneSince(Machine now, long sinceMs) {
    return doneIn(now, null);
  }

  /** Creates a machine; {@code slot} names it within its job so a lost answer can be looked up. */
  record Create(CreateMachineRequest request, String slot) implements Action {
    public String name() {
      return "create";
    }

    public FlyOperation operation() {
      return FlyOperation.MACHINES_CREATE;
    }

    public boolean leased() {
      return false;
    }

    public String settledState() {
      return request.skipLaunch() ? "created" : "started";
    }
  }

  /**
   * Starts a machine. {@code plannedFrom} is the state the job found it in when it planned the
   * start, given when the job is resumed (an earlier run may have sent this start already): the
   * machine is then read first, and one {@code failed} since (its boot failed) is not started again.
   * Null otherwise.
   */
  record Start(String plannedFrom) implements Action {
    public Start() {
      this(null);
    }

    /** Whether {@code now} shows this start already sent and its boot failed. */
    public boolean bootFailedSince(Machine now, String stateBefore) {
      String from = plannedFrom != null ? plannedFrom : stateBefore;
      return "failed".equals(now.state()) && from != null && !"failed".equals(from);
    }

    public String name() {
      return "start";
    }

    public FlyOperation operation() {
      return FlyOperation.MACHINES_START;
    }

    public String settledState() {
      return "started";
    }

    public String transitionalState() {
      return "starting";
    }

    public Future<Void> send(FlyClient fly, String app, String id, String nonce) {
      return fly.startMachine(app, id, nonce).mapEmpty();
    }

    public boolean doneIn(Machine now, String lastEventBefore) {
      return "starting".equals(now.state()) || "started".equals(now.state());
    }
  }

  record Stop(StopOptions options) implements Action {
    public String name() {
      return "stop";
    }

    public FlyOperation operation() {
      return FlyOperation.MACHINES_STOP;
    }

    public String settledState() {
      return "stopped";
    }

    public String transitionalState() {
      return "stopping";
    }

    public Future<Void> send(FlyClient fly, String app, String id, String nonce) {
      return fly.stopMachine(app, id, options, nonce);
    }

    /** Stopping or stopped, or failed (a boot that failed runs nothing: there is nothing to stop). */
    public boolean doneIn(Machine now, String lastEventBefore) {
      return "stopping".equals(now.state()) || "stopped".equals(now.state()) || "failed".equals(now.state());
    }
  }

  record Suspend() implements Action {
    public String name() {
      return "suspend";
    }

    public FlyOperation operation() {
      return FlyOperation.MACHINES_SUSPEND;
    }

    public String settledState() {
      return "suspended";
    }

    public String transitionalState() {
      return "suspending";
    }

    public Future<Void> send(FlyClient fly, String app, String id, String nonce) {
      return fly.suspendMachine(app, id, nonce);
    }

    public boolean doneIn(Machine now, String lastEventBefore) {
      return "suspending".equals(now.state()) || "suspended".equals(now.state());
    }
  }

  record Restart(RestartOptions options) implements Action {
    public String name() {
      return "restart";
    }

    public FlyOperation operation() {
      return FlyOperation.MACHINES_RESTART;
    }

    public String settledState() {
      return "started";
    }

    public String transitionalState() {
      return "restarting";
    }

    public Future<Void> send(FlyClient fly, String app, String id, String nonce) {
      return fly.restartMachine(app, id, options, nonce);
    }

    /** Restarting now, or a user restart event since then (the API's own clock; a little slack for skew). */
    public boolean doneSince(Machine now, long sinceMs) {
      if ("restarting".equals(now.state())) {
        return true;
      }
      for (MachineEvent e : now.events()) {
        if ("restart".equals(e.type()) && "user".equals(e.source()) && e.timestamp() >= sinceMs - CLOCK_SLACK_MS) {
          return true;
        }
      }
      return false;
    }

    /** How far the API's clock may be behind ours without a resumed restart being sent twice. */
    static final long CLOCK_SLACK_MS = 5_000;

    /** A user restart event newer than the newest event seen before sending. */
    public boolean doneIn(Machine now, String lastEventBefore) {
      String lastSeen = lastEventBefore;
      for (MachineEvent e : now.events()) {
        if (e.id() != null && e.id().equals(lastSeen)) {
          return false;
        }
        if ("restart".equals(e.type()) && "user".equals(e.source())) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * Updates a machine's config: {@code image} (if set) and {@code configPatch} (merged into the
   * current config, keeping every setting not named) are applied to what the machine has when the
   * update runs, so nothing set elsewhere is lost.
   */
  record Update(String image, JsonObject configPatch, boolean skipLaunch) implements Action {
    public String name() {
      return "update";
    }

    public FlyOperation operation() {
      return FlyOperation.MACHINES_UPDATE;
    }

    public String settledState() {
      return skipLaunch ? null : "started";
    }
  }

  record Destroy(boolean force) implements Action {
    public String name() {
      return "destroy";
    }

    public FlyOperation operation() {
      return FlyOperation.MACHINES_DELETE;
    }

    public String settledState() {
      return "destroyed";
    }

    public String transitionalState() {
      return "destroying";
    }

    public Future<Void> send(FlyClient fly, String app, String id, String nonce) {
      return fly.deleteMachine(app, id, force, nonce);
    }

    public boolean doneIn(Machine now, String lastEventBefore) {
      return "destroying".equals(now.state()) || "destroyed".equals(now.state());
    }
  }

  /** Waits (without a lease) until the machine is in one of {@code states}, then reads it. */
  record Wait(List<String> states) implements Action {
    public String name() {
      return "wait";
    }

    public FlyOperation operation() {
      return FlyOperation.MACHINES_WAIT;
    }

    public boolean leased() {
      return false;
    }

    public String settledState() {
      return null;
    }
  }

  record Cordon(boolean cordon) implements Action {
    public String name() {
      return cordon ? "cordon" : "uncordon";
    }

    public FlyOperation operation() {
      return cordon ? FlyOperation.MACHINES_CORDON : FlyOperation.MACHINES_UNCORDON;
    }

    public String settledState() {
      return null;
    }

    public Future<Void> send(FlyClient fly, String app, String id, String nonce) {
      return cordon ? fly.cordonMachine(app, id, nonce) : fly.uncordonMachine(app, id, nonce);
    }

    public boolean doneIn(Machine now, String lastEventBefore) {
      return now.cordoned() == cordon;
    }
  }

  /** Sets ({@code value} non-null) or deletes a metadata key; not guarded by leases on Fly. */
  record Metadata(String key, String value) implements Action {
    public String name() {
      return "metadata";
    }

    public FlyOperation operation() {
      return value == null ? FlyOperation.METADATA_DELETE : FlyOperation.METADATA_UPSERT;
    }

    public boolean leased() {
      return false;
    }

    public String settledState() {
      return null;
    }

    public Future<Void> send(FlyClient fly, String app, String id, String nonce) {
      return value == null ? fly.deleteMetadata(app, id, key) : fly.setMetadata(app, id, key, value);
    }

    public boolean doneIn(Machine now, String lastEventBefore) {
      return value == null ? !now.config().metadata().containsKey(key)
          : value.equals(now.config().metadata().get(key));
    }
  }
}
