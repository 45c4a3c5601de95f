package dev.flightdeck.dispatch;

/**
 * One operation on one machine (or, for a create, in one app), tagged with its job. With
 * {@code await}, the operation ends only when the machine has settled into the action's state.
 * {@code timeoutMs} 0 means the dispatcher's default; {@code leaseTtlSeconds} 0 likewise.
 * {@code resumedSince} (epoch ms, 0: not resumed): an earlier run of the job, started then, may have
 * sent this action already, so the machine is read first and the action sent only if it shows no
 * sign of it.
 */
public record MachineOp(
    String opId,
    String jobId,
    int priority,
    int jobMaxConcurrent,
    String app,
    String machineId,
    Action action,
    boolean await,
    long timeoutMs,
    int leaseTtlSeconds,
    long resumedSince) {

  public MachineOp(String opId, String jobId, int priority, int jobMaxConcurrent, String app, String machineId,
      Action action, boolean await, long timeoutMs, int leaseTtlSeconds) {
    this(opId, jobId, priority, jobMaxConcurrent, app, machineId, action, await, timeoutMs, leaseTtlSeconds, 0);
  }

  public MachineOp withResumedSince(long since) {
    return new MachineOp(opId, jobId, priority, jobMaxConcurrent, app, machineId, action, await, timeoutMs,
        leaseTtlSeconds, since);
  }

  public static MachineOp of(String opId, String jobId, String app, String machineId, Action action, boolean await) {
    return new MachineOp(opId, jobId, 0, Integer.MAX_VALUE, app, machineId, action, await, 0, 0);
  }

  public MachineOp withPriority(int p) {
    return new MachineOp(opId, jobId, p, jobMaxConcurrent, app, machineId, action, await, timeoutMs, leaseTtlSeconds, resumedSince);
  }

  public MachineOp withJobMaxConcurrent(int n) {
    return new MachineOp(opId, jobId, priority, n, app, machineId, action, await, timeoutMs, leaseTtlSeconds, resumedSince);
  }

  public MachineOp withTimeoutMs(long t) {
    return new MachineOp(opId, jobId, priority, jobMaxConcurrent, app, machineId, action, await, t, leaseTtlSeconds, resumedSince);
  }

  public MachineOp withLeaseTtlSeconds(int s) {
    return new MachineOp(opId, jobId, priority, jobMaxConcurrent, app, machineId, action, await, timeoutMs, s, resumedSince);
  }

  /** The key that serialises operations: the machine, or for a create its slot. */
  String serialKey() {
    return machineId != null ? machineId : app + "/" + opId;
  }
}
