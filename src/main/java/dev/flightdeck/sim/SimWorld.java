package dev.flightdeck.sim;

import dev.flightdeck.time.TimeSource;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The simulated platform: apps, machines, their state machine, leases and the journal. Every
 * method runs on the simulator's event loop; nothing here blocks. Methods throw {@link SimError}
 * for API error answers.
 */
final class SimWorld {

  private static final Set<String> WAITABLE = Set.of("started", "stopped", "suspended", "destroyed", "failed", "settled",
      "created");
  private static final Set<String> LIST_STATES = Set.of("created", "started", "stopped", "suspended", "failed",
      "destroyed", "starting", "stopping", "suspending", "replacing", "destroying", "restarting");

  private final SimConfig config;
  private final TimeSource time;
  private final Ids ids;
  final Map<String, SimApp> apps = new LinkedHashMap<>();
  final Journal journal = new Journal();
  private final Map<SimMachine, List<Waiter>> waiters = new HashMap<>();
  private final Set<String> machineIds = new java.util.HashSet<>();
  private SimConfig.Latency latency;
  private long nextNumericId = 1000;
  private double startFailureRate;
  private java.util.SplittableRandom startFailureRandom = new java.util.SplittableRandom(1);

  private static final class Waiter {
    final Set<String> states;
    final Promise<SimResult> promise;
    long timer;

    Waiter(Set<String> states, Promise<SimResult> promise) {
      this.states = states;
      this.promise = promise;
    }
  }

  SimWorld(SimConfig config, TimeSource time) {
    this.config = config;
    this.time = time;
    this.ids = new Ids(config.seed());
    this.latency = config.latency();
    setStartFailures(config.faults());
  }

  long now() {
    return time.millis();
  }

  Ids ids() {
    return ids;
  }

  SimConfig.Latency latency() {
    return latency;
  }

  void setLatency(SimConfig.Latency l) {
    this.latency = l;
  }

  /** The machine fault of {@code faults}: the share of boots that end in {@code failed}. */
  void setStartFailures(SimConfig.Faults faults) {
    this.startFailureRate = faults.startFailureRate();
    this.startFailureRandom = new java.util.SplittableRandom(faults.seed() ^ 0x57A27L);
  }

  /**
   * Boots {@code m}: after {@code delayMs} in {@code starting} it is {@code started}, or, when the
   * start-failure fault picks this boot, {@code failed} with a non-zero exit (as when the image's
   * command cannot run), which a start may be tried from again.
   */
  private void boot(SimMachine m, long delayMs, JsonObject startedDetail) {
    if (startFailureRate > 0 && startFailureRandom.nextDouble() < startFailureRate) {
      transition(m, "starting", delayMs, "failed", () -> addEvent(m, "exit", "failed", "flyd",
          exitRequest(1, false, false, null)));
    } else {
      transition(m, "starting", delayMs, "started", () -> addEvent(m, "start", "started", "flyd", startedDetail));
    }
  }

  // ------------------------------------------------------------------ apps

  SimResult listApps(String orgSlug) {
    if (orgSlug == null || orgSlug.isBlank()) {
      throw SimError.badRequest("org_slug is required");
    }
    JsonArray arr = new JsonArray();
    for (SimApp a : apps.values()) {
      if (a.orgSlug.equals(orgSlug)) {
        arr.add(SimJson.app(a));
      }
    }
    return SimResult.ok(new JsonObject().put("total_apps", arr.size()).put("apps", arr));
  }

  SimResult createApp(JsonObject body, String requestId) {
    String name = GoJson.string(body, "name", "createAppRequest");
    if (name == null || name.isBlank()) {
      name = GoJson.string(body, "app_name", "createAppRequest");
    }
    String org = GoJson.string(body, "org_slug", "createAppRequest");
    String network = GoJson.string(body, "network", "createAppRequest");
    if (name == null || name.isBlank()) {
      throw SimError.badRequest("app name is required");
    }
    if (!name.matches("[a-z0-9][a-z0-9-]{0,62}")) {
      throw new SimError(422, new JsonObject().put("error", "invalid app name: " + name).put("status", "unknown"));
    }
    if (org == null || org.isBlank()) {
      throw SimError.badRequest("org_slug is required");
    }
    if (apps.containsKey(name)) {
      throw new SimError(422, new JsonObject().put("error", "Name has already been taken").put("status", "name_taken"));
    }
    SimApp app = new SimApp(ids.appId(), name, org, network == null || network.isBlank() ? "default" : network,
        nextNumericId++);
    apps.put(name, app);
    journal.add(now(), name, null, "app_create", requestId, false, null, null, "deployed", null, null);
    return SimResult.empty(201);
  }

  SimResult getApp(String name) {
    return SimResult.ok(SimJson.app(app(name)));
  }

  SimResult deleteApp(String name, String requestId) {
    SimApp app = app(name);
    for (SimMachine m : app.machines.values()) {
      cancelTimer(m);
      if (!m.isDestroyed()) {
        m.lease = null;
        setState(m, "destroyed");
      }
    }
    apps.remove(name);
    journal.add(now(), name, null, "app_delete", requestId, false, null, null, null, null, null);
    return SimResult.empty(202);
  }

  // ------------------------------------------------------------------ machines: reads

  SimResult listMachines(String appName, MultiMap q) {
    SimApp app = app(appName);
    boolean includeDeleted = "true".equalsIgnoreCase(q.get("include_deleted"));
    boolean includeLeases = "true".equalsIgnoreCase(q.get("include_leases"));
    boolean summary = "true".equalsIgnoreCase(q.get("summary"));
    String region = q.get("region");
    Set<String> states = null;
    if (q.get("state") != null && !q.get("state").isBlank()) {
      states = new java.util.HashSet<>();
      for (String s : q.getAll("state")) {
        for (String part : s.split(",")) {
          String st = part.trim();
          if (!st.isEmpty()) {
            if (!LIST_STATES.contains(st)) {
              throw SimError.badRequest("invalid state filter: " + st);
            }
            states.add(st);
          }
        }
      }
    }
    Map<String, String> md = new HashMap<>();
    for (Map.Entry<String, String> e : q.entries()) {
      if (e.getKey().startsWith("metadata.")) {
        md.put(e.getKey().substring("metadata.".length()), e.getValue());
      }
    }
    long now = now();
    JsonArray arr = new JsonArray();
    for (SimMachine m : app.machines.values()) {
      if (m.isDestroyed() && !includeDeleted) {
        continue;
      }
      if (region != null && !region.isBlank() && !region.equals(m.region)) {
        continue;
      }
      if (states != null && !states.contains(m.state)) {
        continue;
      }
      if (!md.isEmpty() && !metadataMatches(m, md)) {
        continue;
      }
      arr.add(SimJson.machine(m, now, summary, includeLeases, null));
    }
    return SimResult.ok(arr);
  }

  private static boolean metadataMatches(SimMachine m, Map<String, String> md) {
    for (Map.Entry<String, String> e : md.entrySet()) {
      if (!e.getValue().equals(m.metadata(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  SimResult getMachine(String appName, String id, boolean includeLeases) {
    SimMachine m = machine(appName, id);
    return SimResult.ok(SimJson.machine(m, now(), false, includeLeases, null));
  }

  SimResult events(String appName, String id, String limitParam) {
    SimMachine m = machine(appName, id);
    int limit = 20;
    if (limitParam != null && !limitParam.isBlank()) {
      try {
        limit = Math.max(1, Math.min(50, Integer.parseInt(limitParam.trim())));
      } catch (NumberFormatException e) {
        throw SimError.badRequest("invalid limit: " + limitParam);
      }
    }
    JsonArray arr = new JsonArray();
    for (SimEvent e : m.events) {
      if (arr.size() >= limit) {
        break;
      }
      arr.add(e.toJson());
    }
    return SimResult.ok(arr);
  }

  SimResult versions(String appName, String id) {
    SimMachine m = machine(appName, id);
    JsonArray arr = new JsonArray();
    arr.add(new JsonObject().put("version", m.instanceId).put("user_config", m.config));
    for (int i = m.versions.size() - 1; i >= 0; i--) {
      SimMachine.Version v = m.versions.get(i);
      arr.add(new JsonObject().put("version", v.id()).put("user_config", v.config()));
    }
    return SimResult.ok(arr);
  }

  // ------------------------------------------------------------------ machines: create and update

  SimResult createMachine(String appName, JsonObject body, String requestId) {
    SimApp app = app(appName);
    final String struct = "createMachineRequest";
    JsonObject cfg = GoJson.object(body, "config", struct, "fly.MachineConfig");
    String name = GoJson.string(body, "name", struct);
    String region = GoJson.string(body, "region", struct);
    boolean skipLaunch = GoJson.bool(body, "skip_launch", struct);
    boolean cordoned = GoJson.bool(body, "skip_service_registration", struct);
    Long leaseTtl = GoJson.integer(body, "lease_ttl", struct);
    validateConfig(cfg);
    if (name != null && !name.isBlank()) {
      SimMachine existing = app.byName.get(name);
      if (existing != null && !existing.isDestroyed()) {
        throw SimError.of(409, "machine name '" + name + "' is already taken by " + existing.id);
      }
    } else {
      name = generatedName();
    }
    long now = now();
    SimMachine m = new SimMachine(app, uniqueMachineId(), name, region == null || region.isBlank()
        ? config.defaultRegion() : region, ids.privateIp(), now);
    m.config = cfg.copy();
    m.instanceId = ids.ulid(now);
    m.imageDigest = ids.digest();
    m.state = "created";
    m.cordoned = cordoned;
    app.machines.put(m.id, m);
    app.byName.put(m.name, m);
    addEvent(m, "launch", "created", "user", null);
    String nonce = null;
    if (leaseTtl != null && leaseTtl > 0) {
      nonce = ids.nonce();
      m.lease = new SimLease(nonce, config.tokenOwner(), "", now + leaseTtl * 1000, m.instanceId);
    }
    JsonObject detail = new JsonObject().put("metadata", m.config.getJsonObject("metadata", new JsonObject()).copy())
        .put("skip_launch", skipLaunch);
    journal.add(now, app.name, m.id, "create", requestId, false, null, null, "created", m.instanceId, detail);
    JsonObject answer = SimJson.machine(m, now, false, false, nonce);
    if (!skipLaunch) {
      boot(m, latency.createMs(), null);
    }
    return SimResult.ok(answer);
  }

  SimResult updateMachine(String appName, String id, JsonObject body, String nonce, String requestId) {
    SimMachine m = machine(appName, id);
    final String struct = "updateMachineRequest";
    JsonObject cfg = GoJson.object(body, "config", struct, "fly.MachineConfig");
    String currentVersion = GoJson.string(body, "current_version", struct);
    String name = GoJson.string(body, "name", struct);
    String region = GoJson.string(body, "region", struct);
    boolean skipLaunch = GoJson.bool(body, "skip_launch", struct);
    Long leaseTtl = GoJson.integer(body, "lease_ttl", struct);
    validateConfig(cfg);
    Guard g = guard(m, nonce);
    if (name != null && !name.isBlank() && !name.equals(m.name)) {
      throw SimError.badRequest("machine name cannot be changed");
    }
    if (region != null && !region.isBlank() && !region.equals(m.region)) {
      throw SimError.badRequest("machine region cannot be changed");
    }
    refuseIfGone(m, "update");
    if (currentVersion != null && !currentVersion.isBlank() && !currentVersion.equals(m.instanceId)) {
      throw SimError.precondition("failed_precondition: machine version mismatch: current version is " + m.instanceId
          + ", not " + currentVersion);
    }
    if ("replacing".equals(m.state) || "destroying".equals(m.state)) {
      throw SimError.precondition("failed_precondition: unable to update machine in state '" + m.state + "'");
    }
    long now = now();
    String before = m.state;
    boolean wasRunning = "started".equals(before) || "starting".equals(before) || "restarting".equals(before);
    m.versions.add(new SimMachine.Version(m.instanceId, m.config));
    m.config = cfg.copy();
    m.instanceId = ids.ulid(now);
    m.imageDigest = ids.digest();
    String newNonce = null;
    if (leaseTtl != null && leaseTtl > 0 && m.liveLease(now) == null) {
      newNonce = ids.nonce();
      m.lease = new SimLease(newNonce, config.tokenOwner(), "", now + leaseTtl * 1000, m.instanceId);
    }
    addEvent(m, "update", "replacing", "user", null);
    String target;
    if (skipLaunch) {
      target = "created".equals(before) ? "created" : "stopped";
    } else {
      target = "started";
    }
    m.restartCount = 0;
    journal.add(now, m.app.name, m.id, "update", requestId, g.withLease, g.owner, before, "replacing", m.instanceId,
        new JsonObject().put("image", m.config.getString("image")).put("was_running", wasRunning));
    transition(m, "replacing", latency.updateMs(), target, () -> {
      if ("started".equals(target)) {
        addEvent(m, "start", "started", "flyd", null);
      }
    });
    return SimResult.ok(SimJson.machine(m, now, false, false, newNonce));
  }

  private static void validateConfig(JsonObject cfg) {
    if (cfg == null) {
      throw SimError.badRequest("config is required");
    }
    Object image = cfg.getValue("image");
    if (!(image instanceof String s) || s.isBlank()) {
      throw SimError.badRequest("invalid config.image: an image is required");
    }
    Object md = cfg.getValue("metadata");
    if (md != null && !(md instanceof JsonObject)) {
      throw SimError.badRequest("json: cannot unmarshal " + GoJson.goKind(md)
          + " into Go struct field MachineConfig.config.metadata of type map[string]string");
    }
    if (md instanceof JsonObject mdo) {
      for (Map.Entry<String, Object> e : mdo) {
        if (e.getValue() != null && !(e.getValue() instanceof String)) {
          throw SimError.badRequest("json: cannot unmarshal " + GoJson.goKind(e.getValue())
              + " into Go struct field MachineConfig.config.metadata of type string");
        }
      }
    }
  }

  // ------------------------------------------------------------------ machines: lifecycle operations

  SimResult start(String appName, String id, String nonce, String requestId) {
    SimMachine m = machine(appName, id);
    Guard g = guard(m, nonce);
    refuseIfGone(m, "start");
    String before = m.state;
    switch (before) {
      case "stopped", "created", "suspended", "failed" -> { }
      case "replacing" -> throw SimError.precondition("failed_precondition: machine getting replaced, refusing to start");
      default -> throw SimError.precondition(
          "failed_precondition: unable to start machine from current state: '" + before + "'");
    }
    m.restartCount = 0;
    addEvent(m, "start", "starting", "user", null);
    journal.add(now(), m.app.name, m.id, "start", requestId, g.withLease, g.owner, before, "starting", m.instanceId,
        null);
    boot(m, latency.startMs(), "suspended".equals(before) ? new JsonObject().put("resumed", true) : null);
    return SimResult.ok(new JsonObject().put("previous_state", before).put("migrated", false).put("new_host", ""));
  }

  SimResult stop(String appName, String id, JsonObject body, String nonce, String requestId) {
    SimMachine m = machine(appName, id);
    String signal = GoJson.signal(body.getValue("signal"));
    long timeoutMs = GoJson.durationMillis(body.getValue("timeout"), "timeout");
    Guard g = guard(m, nonce);
    refuseIfGone(m, "stop");
    String before = m.state;
    JsonObject detail = new JsonObject().put("signal", signal == null ? "SIGINT" : signal);
    if (timeoutMs >= 0) {
      detail.put("timeout_ms", timeoutMs);
    }
    switch (before) {
      case "started", "starting", "restarting" -> {
        addEvent(m, "stop", "stopping", "user", null);
        journal.add(now(), m.app.name, m.id, "stop", requestId, g.withLease, g.owner, before, "stopping", m.instanceId,
            detail);
        transition(m, "stopping", latency.stopMs(), "stopped", () -> {
          addEvent(m, "exit", "stopped", "flyd", exitRequest(0, true, false, signal));
          afterStopped(m);
        });
      }
      case "suspended" -> {
        // stopping a suspended machine discards its snapshot
        addEvent(m, "stop", "stopped", "user", null);
        journal.add(now(), m.app.name, m.id, "stop", requestId, g.withLease, g.owner, before, "stopped", m.instanceId,
            detail);
        setState(m, "stopped");
        afterStopped(m);
      }
      case "stopped", "created", "failed", "stopping" -> journal.add(now(), m.app.name, m.id, "stop", requestId,
          g.withLease, g.owner, before, before, m.instanceId, detail);
      default -> throw SimError.precondition(
          "failed_precondition: unable to stop machine from current state: '" + before + "'");
    }
    return SimResult.ok(new JsonObject().put("ok", true));
  }

  SimResult suspend(String appName, String id, String nonce, String requestId) {
    SimMachine m = machine(appName, id);
    Guard g = guard(m, nonce);
    refuseIfGone(m, "suspend");
    String before = m.state;
    if (!"started".equals(before)) {
      throw SimError.precondition("failed_precondition: unable to suspend machine from current state: '" + before + "'");
    }
    int mem = m.config.getJsonObject("guest", new JsonObject()).getInteger("memory_mb", 256);
    if (mem > 2048) {
      throw SimError.precondition("failed_precondition: machines with more than 2GB of memory cannot be suspended");
    }
    addEvent(m, "suspend", "suspending", "user", null);
    journal.add(now(), m.app.name, m.id, "suspend", requestId, g.withLease, g.owner, before, "suspending", m.instanceId,
        null);
    transition(m, "suspending", latency.suspendMs(), "suspended", () -> addEvent(m, "suspend", "suspended", "flyd",
        null));
    return SimResult.ok(new JsonObject().put("ok", true));
  }

  SimResult restart(String appName, String id, MultiMap query, String nonce, String requestId) {
    SimMachine m = machine(appName, id);
    String signal = GoJson.signal(query.get("signal"));
    GoJson.durationMillis(query.get("timeout"), "timeout");
    Guard g = guard(m, nonce);
    refuseIfGone(m, "restart");
    String before = m.state;
    if (!"started".equals(before)) {
      throw SimError.precondition("failed_precondition: unable to restart machine from current state: '" + before
          + "'");
    }
    addEvent(m, "restart", "restarting", "user", null);
    journal.add(now(), m.app.name, m.id, "restart", requestId, g.withLease, g.owner, before, "restarting",
        m.instanceId, new JsonObject().put("signal", signal == null ? "SIGINT" : signal));
    transition(m, "restarting", latency.restartMs(), "started", () -> addEvent(m, "start", "started", "flyd", null));
    return SimResult.ok(new JsonObject().put("ok", true));
  }

  SimResult delete(String appName, String id, boolean force, String nonce, String requestId) {
    SimMachine m = machine(appName, id);
    Guard g = guard(m, nonce);
    String before = m.state;
    if (m.isDestroyed() || "destroying".equals(before)) {
      throw SimError.precondition("failed_precondition: machine " + m.id + " is already " + before);
    }
    boolean running = !("stopped".equals(before) || "created".equals(before) || "suspended".equals(before)
        || "failed".equals(before));
    if (running && !force) {
      throw SimError.precondition("failed_precondition: unable to destroy machine, not currently stopped, suspended or "
          + "failed (state: " + before + "); use force=true to kill it");
    }
    addEvent(m, "destroy", "destroying", "user", null);
    journal.add(now(), m.app.name, m.id, "destroy", requestId, g.withLease, g.owner, before, "destroying",
        m.instanceId, new JsonObject().put("force", force));
    destroy(m);
    return SimResult.ok(new JsonObject().put("ok", true));
  }

  SimResult cordon(String appName, String id, boolean cordon, String nonce, String requestId) {
    SimMachine m = machine(appName, id);
    Guard g = guard(m, nonce);
    refuseIfGone(m, cordon ? "cordon" : "uncordon");
    m.cordoned = cordon;
    m.updatedAt = now();
    journal.add(now(), m.app.name, m.id, cordon ? "cordon" : "uncordon", requestId, g.withLease, g.owner, m.state,
        m.state, m.instanceId, null);
    return SimResult.ok(new JsonObject().put("ok", true));
  }

  SimResult signal(String appName, String id, JsonObject body, String requestId) {
    SimMachine m = machine(appName, id);
    Object raw = body.getValue("signal");
    if (raw == null) {
      throw SimError.badRequest("signal is required");
    }
    String signal = GoJson.signal(raw);
    if (!"started".equals(m.state)) {
      throw SimError.precondition("failed_precondition: machine is not running (state: " + m.state + ")");
    }
    journal.add(now(), m.app.name, m.id, "signal", requestId, false, null, m.state, m.state, m.instanceId,
        new JsonObject().put("signal", signal));
    if ("SIGKILL".equals(signal)) {
      transition(m, "stopping", 0, "stopped", () -> {
        addEvent(m, "exit", "stopped", "flyd", exitRequest(137, false, false, signal));
        afterStopped(m);
      });
    }
    return SimResult.ok(new JsonObject());
  }

  /** Blocks (asynchronously) until the machine reaches one of {@code states} or the timeout passes. */
  Future<SimResult> waitFor(String appName, String id, MultiMap q) {
    SimMachine m = machine(appName, id);
    Set<String> states = new java.util.LinkedHashSet<>();
    for (String s : q.getAll("state")) {
      for (String part : s.split(",")) {
        String st = part.trim();
        if (!st.isEmpty()) {
          if (!WAITABLE.contains(st)) {
            throw SimError.badRequest("invalid state: " + st
                + " (expected one of started, stopped, suspended, destroyed, failed, settled)");
          }
          states.add(st);
        }
      }
    }
    if (states.isEmpty()) {
      states.add("started");
    }
    int timeout = 60;
    String t = q.get("timeout");
    if (t != null && !t.isBlank()) {
      try {
        timeout = Integer.parseInt(t.trim());
      } catch (NumberFormatException e) {
        throw SimError.badRequest("invalid timeout: " + t + " (expected whole seconds)");
      }
      if (timeout < 1) {
        throw SimError.badRequest("invalid timeout: " + t + " (must be at least 1)");
      }
      timeout = Math.min(timeout, 60);
    }
    String version = q.get("version") != null ? q.get("version") : q.get("instance_id");
    if (version != null && !version.isBlank() && !version.equals(m.instanceId)) {
      boolean old = m.versions.stream().anyMatch(v -> v.id().equals(version));
      if (old) {
        throw SimError.precondition("failed_precondition: machine version " + version + " currently replaced");
      }
      throw SimError.badRequest("invalid version: " + version);
    }
    if (matches(m, states)) {
      return Future.succeededFuture(waitAnswer(m));
    }
    Promise<SimResult> promise = Promise.promise();
    Waiter w = new Waiter(states, promise);
    waiters.computeIfAbsent(m, k -> new ArrayList<>()).add(w);
    String wanted = String.join(", ", states);
    w.timer = time.setTimer(timeout * 1000L, () -> {
      List<Waiter> list = waiters.get(m);
      if (list != null && list.remove(w)) {
        if (list.isEmpty()) {
          waiters.remove(m);
        }
        promise.tryFail(SimError.of(408, "deadline_exceeded: machine failed to reach desired state, " + wanted
            + ", currently " + m.state));
      }
    });
    return promise.future();
  }

  private static boolean matches(SimMachine m, Set<String> states) {
    return states.contains(m.state) || (states.contains("settled") && m.isSettled());
  }

  private static SimResult waitAnswer(SimMachine m) {
    JsonObject o = new JsonObject().put("ok", true).put("state", m.state).put("version", m.instanceId);
    String ev = m.lastEventId();
    if (ev != null) {
      o.put("event_id", ev);
    }
    return SimResult.ok(o);
  }

  private void notifyWaiters(SimMachine m) {
    List<Waiter> list = waiters.get(m);
    if (list == null) {
      return;
    }
    Iterator<Waiter> it = list.iterator();
    while (it.hasNext()) {
      Waiter w = it.next();
      if (matches(m, w.states)) {
        it.remove();
        time.cancelTimer(w.timer);
        w.promise.tryComplete(waitAnswer(m));
      }
    }
    if (list.isEmpty()) {
      waiters.remove(m);
    }
  }

  int waiterCount() {
    return waiters.values().stream().mapToInt(List::size).sum();
  }

  // ------------------------------------------------------------------ metadata

  SimResult metadata(String appName, String id) {
    SimMachine m = machine(appName, id);
    return SimResult.ok(m.config.getJsonObject("metadata", new JsonObject()));
  }

  SimResult metadataKey(String appName, String id, String key) {
    SimMachine m = machine(appName, id);
    String v = m.metadata(key);
    if (v == null) {
      throw SimError.notFound("metadata key not found: " + key);
    }
    return SimResult.ok(new JsonObject().put("value", v));
  }

  SimResult upsertMetadata(String appName, String id, String key, JsonObject body, String requestId) {
    SimMachine m = machine(appName, id);
    String value = GoJson.string(body, "value", "upsertMetadataKeyRequest");
    if (value == null) {
      throw SimError.badRequest("value is required");
    }
    if (key.isBlank() || key.length() > 256) {
      throw SimError.badRequest("invalid metadata key");
    }
    refuseIfGone(m, "set metadata on");
    Map<String, String> change = new LinkedHashMap<>();
    change.put(key, value);
    applyMetadata(m, change, requestId);
    return SimResult.empty(204);
  }

  SimResult deleteMetadata(String appName, String id, String key, String requestId) {
    SimMachine m = machine(appName, id);
    refuseIfGone(m, "delete metadata of");
    Map<String, String> change = new LinkedHashMap<>();
    change.put(key, null);
    applyMetadata(m, change, requestId);
    return SimResult.empty(204);
  }

  SimResult updateMetadata(String appName, String id, JsonObject body, String requestId) {
    SimMachine m = machine(appName, id);
    final String struct = "updateMetadataRequest";
    JsonObject md = GoJson.object(body, "metadata", struct, "map[string]string");
    String version = GoJson.string(body, "machine_version", struct);
    if (md == null) {
      throw SimError.badRequest("metadata is required");
    }
    refuseIfGone(m, "update metadata of");
    if (version != null && !version.isBlank() && !version.equals(m.instanceId)) {
      throw SimError.precondition("failed_precondition: machine_version " + version + " is stale, current is "
          + m.instanceId);
    }
    Map<String, String> change = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : md) {
      Object v = e.getValue();
      if (v != null && !(v instanceof String)) {
        throw SimError.badRequest("json: cannot unmarshal " + GoJson.goKind(v)
            + " into Go struct field updateMetadataRequest.metadata of type string");
      }
      String s = (String) v;
      change.put(e.getKey(), s == null || s.isEmpty() ? null : s);
    }
    applyMetadata(m, change, requestId);
    return SimResult.empty(204);
  }

  private void applyMetadata(SimMachine m, Map<String, String> change, String requestId) {
    JsonObject cfg = m.config.copy();
    JsonObject md = cfg.getJsonObject("metadata");
    if (md == null) {
      md = new JsonObject();
      cfg.put("metadata", md);
    }
    JsonObject detail = new JsonObject();
    for (Map.Entry<String, String> e : change.entrySet()) {
      if (e.getValue() == null) {
        md.remove(e.getKey());
      } else {
        md.put(e.getKey(), e.getValue());
      }
      detail.put(e.getKey(), e.getValue());
    }
    m.config = cfg;
    m.updatedAt = now();
    journal.add(now(), m.app.name, m.id, "metadata", requestId, false, null, m.state, m.state, m.instanceId, detail);
  }

  // ------------------------------------------------------------------ leases

  SimResult acquireLease(String appName, String id, JsonObject body, MultiMap query, String nonce, String owner,
      String requestId) {
    SimMachine m = machine(appName, id);
    final String struct = "createLeaseRequest";
    Long ttl = GoJson.integer(body, "ttl", struct);
    String description = GoJson.string(body, "description", struct);
    if (ttl == null && query.get("ttl") != null) {
      try {
        ttl = Long.parseLong(query.get("ttl").trim());
      } catch (NumberFormatException e) {
        throw SimError.badRequest("invalid ttl: " + query.get("ttl"));
      }
    }
    if (ttl == null) {
      ttl = 30L;
    }
    if (ttl < 1) {
      throw SimError.badRequest("invalid ttl: " + ttl + " (must be at least 1 second)");
    }
    refuseIfGone(m, "lease");
    long now = now();
    SimLease live = m.liveLease(now);
    if (live != null) {
      if (nonce != null && nonce.equals(live.nonce())) {
        m.lease = live.extendTo(now + ttl * 1000);
        journal.add(now, m.app.name, m.id, "lease_refresh", requestId, true, live.owner(), m.state, m.state,
            m.instanceId, new JsonObject().put("ttl", ttl));
        return new SimResult(201, SimJson.leaseEnvelope(m.lease));
      }
      throw new SimError(409, new JsonObject()
          .put("status", "error")
          .put("message", "machine ID " + m.id + " lease currently held by " + live.owner() + ", expires at "
              + SimJson.rfc3339(live.expiresAtSeconds() * 1000))
          .put("code", "invalid"));
    }
    m.lease = new SimLease(ids.nonce(), owner, description == null ? "" : description, now + ttl * 1000, m.instanceId);
    journal.add(now, m.app.name, m.id, "lease_acquire", requestId, false, owner, m.state, m.state, m.instanceId,
        new JsonObject().put("ttl", ttl).put("description", m.lease.description()));
    return new SimResult(201, SimJson.leaseEnvelope(m.lease));
  }

  SimResult getLease(String appName, String id) {
    SimMachine m = machine(appName, id);
    SimLease live = m.liveLease(now());
    if (live == null) {
      throw SimError.notFound("machine ID " + m.id + " lease not found");
    }
    return SimResult.ok(SimJson.leaseEnvelope(live));
  }

  SimResult releaseLease(String appName, String id, String nonce, String requestId) {
    SimMachine m = machine(appName, id);
    if (nonce == null || nonce.isBlank()) {
      throw SimError.badRequest("fly-machine-lease-nonce header is required to release a lease");
    }
    SimLease live = m.liveLease(now());
    if (live == null) {
      throw SimError.notFound("machine ID " + m.id + " lease not found");
    }
    if (!live.nonce().equals(nonce)) {
      throw SimError.of(409, "aborted: machine ID " + m.id + " lease currently held by " + live.owner()
          + ", expires at " + SimJson.rfc3339(live.expiresAtSeconds() * 1000));
    }
    m.lease = null;
    journal.add(now(), m.app.name, m.id, "lease_release", requestId, true, live.owner(), m.state, m.state,
        m.instanceId, null);
    return SimResult.ok(new JsonObject().put("status", "success").put("data", new JsonObject().put("ok", true)));
  }

  // ------------------------------------------------------------------ admin

  /** Creates an app (if missing) with {@code s.machines()} machines. */
  JsonObject seed(SimConfig.SeedApp s) {
    SimApp app = apps.get(s.name());
    if (app == null) {
      app = new SimApp(ids.appId(), s.name(), config.orgSlug(), "default", nextNumericId++);
      apps.put(app.name, app);
    }
    long now = now();
    Map<String, JsonObject> configs = new HashMap<>();
    for (String g : s.processGroups()) {
      configs.put(g, new JsonObject()
          .put("image", s.image())
          .put("guest", new JsonObject().put("cpu_kind", "shared").put("cpus", 1).put("memory_mb", 256))
          .put("metadata", new JsonObject()
              .put("fly_platform_version", "v2")
              .put("fly_process_group", g)
              .put("fly_release_id", "seed")
              .put("fly_release_version", "1")));
    }
    int regions = s.regions().size();
    int groups = s.processGroups().size();
    int base = app.machines.size();
    for (int i = 0; i < s.machines(); i++) {
      String region = s.regions().get(i % regions);
      String group = s.processGroups().get((i / regions) % groups);
      String name = group + "-" + String.format("%05d", base + i);
      SimMachine m = new SimMachine(app, uniqueMachineId(), name, region, ids.privateIp(), now);
      m.config = configs.get(group);
      m.instanceId = ids.ulid(now);
      m.imageDigest = "sha256:seed";
      m.state = s.state();
      app.machines.put(m.id, m);
      app.byName.put(m.name, m);
      addEvent(m, "launch", "created", "user", null);
      if (!"created".equals(s.state())) {
        addEvent(m, switch (s.state()) {
          case "started" -> "start";
          case "suspended" -> "suspend";
          default -> "stop";
        }, s.state(), "flyd", null);
      }
    }
    return new JsonObject().put("app", app.name).put("machines", app.machines.size());
  }

  /** Leases machines for a foreign holder (a "deploy" in progress), bypassing the journal. */
  JsonObject foreignLeases(String appName, List<String> machineIds, String owner, long ttlSeconds) {
    SimApp app = app(appName);
    long now = now();
    JsonArray taken = new JsonArray();
    List<SimMachine> targets = new ArrayList<>();
    if (machineIds.isEmpty()) {
      targets.addAll(app.machines.values());
    } else {
      for (String id : machineIds) {
        targets.add(machine(appName, id));
      }
    }
    for (SimMachine m : targets) {
      if (m.isDestroyed()) {
        continue;
      }
      SimLease live = m.liveLease(now);
      if (live != null && !live.owner().equals(owner)) {
        continue;
      }
      m.lease = new SimLease(ids.nonce(), owner, "foreign lease (sim admin)", now + ttlSeconds * 1000, m.instanceId);
      taken.add(m.id);
    }
    return new JsonObject().put("owner", owner).put("machine_ids", taken);
  }

  int releaseLeasesOf(String appName, String owner) {
    int n = 0;
    long now = now();
    for (SimApp app : apps.values()) {
      if (appName != null && !appName.equals(app.name)) {
        continue;
      }
      for (SimMachine m : app.machines.values()) {
        SimLease l = m.liveLease(now);
        if (l != null && (owner == null || owner.equals(l.owner()))) {
          m.lease = null;
          n++;
        }
      }
    }
    return n;
  }

  JsonArray liveLeases(String appName) {
    JsonArray arr = new JsonArray();
    long now = now();
    for (SimApp app : apps.values()) {
      if (appName != null && !appName.equals(app.name)) {
        continue;
      }
      for (SimMachine m : app.machines.values()) {
        SimLease l = m.liveLease(now);
        if (l != null) {
          arr.add(new JsonObject().put("app", app.name).put("machine_id", m.id).put("owner", l.owner())
              .put("description", l.description()).put("expires_at", l.expiresAtSeconds()));
        }
      }
    }
    return arr;
  }

  int machineCount() {
    int n = 0;
    for (SimApp a : apps.values()) {
      n += a.machines.size();
    }
    return n;
  }

  // ------------------------------------------------------------------ internals

  private record Guard(boolean withLease, String owner) {}

  /**
   * Mutations of a leased machine need the holder's nonce; without it the real API answers 409
   * "aborted: … lease currently held by …".
   */
  private Guard guard(SimMachine m, String nonce) {
    SimLease live = m.liveLease(now());
    if (live == null) {
      return new Guard(false, null);
    }
    if (nonce != null && nonce.equals(live.nonce())) {
      return new Guard(true, live.owner());
    }
    throw SimError.of(409, "aborted: machine ID " + m.id + " lease currently held by " + live.owner()
        + ", expires at " + SimJson.rfc3339(live.expiresAtSeconds() * 1000));
  }

  private static void refuseIfGone(SimMachine m, String verb) {
    if (m.isDestroyed() || "destroying".equals(m.state)) {
      throw SimError.precondition("failed_precondition: unable to " + verb + " machine " + m.id + ": it is " + m.state);
    }
  }

  private SimApp app(String name) {
    SimApp app = apps.get(name);
    if (app == null) {
      throw SimError.notFound("app not found");
    }
    return app;
  }

  private SimMachine machine(String appName, String id) {
    SimApp app = app(appName);
    SimMachine m = app.machines.get(id);
    if (m == null) {
      throw SimError.notFound("machine not found");
    }
    return m;
  }

  private String uniqueMachineId() {
    String id = ids.machineId();
    while (!machineIds.add(id)) {
      id = ids.machineId();
    }
    return id;
  }

  private static final String[] ADJECTIVES = {"bold", "calm", "dry", "eager", "fancy", "green", "holy", "icy", "jolly",
      "keen", "late", "misty", "noisy", "odd", "proud", "quiet", "rough", "shy", "tiny", "wild"};
  private static final String[] NOUNS = {"bird", "cloud", "dawn", "field", "frog", "grass", "hill", "lake", "leaf",
      "moon", "night", "pond", "rain", "river", "sea", "snow", "star", "sun", "tree", "wind"};

  private String generatedName() {
    return ADJECTIVES[ids.nextInt(ADJECTIVES.length)] + "-" + NOUNS[ids.nextInt(NOUNS.length)] + "-"
        + (1000 + ids.nextInt(9000));
  }

  void addEvent(SimMachine m, String type, String status, String source, JsonObject request) {
    long now = now();
    m.events.addFirst(new SimEvent(ids.ulid(now), type, status, source, now, request));
    while (m.events.size() > config.maxMachineEvents()) {
      m.events.removeLast();
    }
  }

  private void setState(SimMachine m, String state) {
    m.state = state;
    m.updatedAt = now();
    notifyWaiters(m);
  }

  private void cancelTimer(SimMachine m) {
    if (m.timer >= 0) {
      time.cancelTimer(m.timer);
      m.timer = -1;
    }
  }

  /** Puts the machine in {@code transientState} now and in {@code finalState} after {@code delayMs}. */
  private void transition(SimMachine m, String transientState, long delayMs, String finalState, Runnable then) {
    cancelTimer(m);
    setState(m, transientState);
    m.timer = time.setTimer(delayMs, () -> {
      m.timer = -1;
      if (!transientState.equals(m.state)) {
        return; // superseded by another operation
      }
      m.state = finalState;
      m.updatedAt = now();
      then.run();
      if ("started".equals(finalState)) {
        scheduleExit(m);
      }
      notifyWaiters(m);
    });
  }

  private void destroy(SimMachine m) {
    m.lease = null;
    transition(m, "destroying", latency.destroyMs(), "destroyed", () -> addEvent(m, "destroy", "destroyed", "flyd",
        null));
  }

  private void afterStopped(SimMachine m) {
    if (m.config.getBoolean("auto_destroy", false) && "stopped".equals(m.state)) {
      addEvent(m, "destroy", "destroying", "flyd", null);
      destroy(m);
    }
  }

  /** Ephemeral machines "exit" after their run time; the restart policy decides what follows. */
  private void scheduleExit(SimMachine m) {
    JsonObject env = m.config.getJsonObject("env");
    String runMs = env == null ? null : env.getString("SIM_RUN_MS");
    long run;
    if (runMs != null) {
      try {
        run = Long.parseLong(runMs.trim());
      } catch (NumberFormatException e) {
        return;
      }
    } else if (m.config.getBoolean("auto_destroy", false) && config.ephemeral().runMs() > 0) {
      run = config.ephemeral().runMs();
    } else {
      return;
    }
    int code = config.ephemeral().exitCode();
    String codeEnv = env == null ? null : env.getString("SIM_EXIT_CODE");
    if (codeEnv != null) {
      try {
        code = Integer.parseInt(codeEnv.trim());
      } catch (NumberFormatException ignored) {
        // keep the default
      }
    }
    final int exitCode = code;
    final String version = m.instanceId;
    m.timer = time.setTimer(Math.max(0, run), () -> {
      m.timer = -1;
      if ("started".equals(m.state) && version.equals(m.instanceId)) {
        exit(m, exitCode);
      }
    });
  }

  private void exit(SimMachine m, int code) {
    JsonObject restart = m.config.getJsonObject("restart", new JsonObject());
    String policy = restart.getString("policy", "on-failure");
    int maxRetries = restart.getInteger("max_retries", 10);
    boolean again = "always".equals(policy)
        || (("on-failure".equals(policy) || "on-fail".equals(policy)) && code != 0 && m.restartCount < maxRetries);
    addEvent(m, "exit", again ? "started" : "stopped", "flyd", exitRequest(code, false, again, null));
    if (again) {
      m.restartCount++;
      addEvent(m, "restart", "starting", "flyd", new JsonObject().put("restart_count", m.restartCount));
      transition(m, "starting", latency.startMs(), "started", () -> addEvent(m, "start", "started", "flyd", null));
    } else {
      setState(m, "stopped");
      afterStopped(m);
    }
  }

  private JsonObject exitRequest(int code, boolean requestedStop, boolean restarting, String signal) {
    return new JsonObject().put("exit_event", new JsonObject()
        .put("exit_code", code)
        .put("guest_exit_code", code)
        .put("oom_killed", false)
        .put("requested_stop", requestedStop)
        .put("restarting", restarting)
        .put("signal", signal == null ? -1 : GoJson.SIGNALS.getOrDefault(signal, -1))
        .put("exited_at", SimJson.rfc3339(now())));
  }
}
