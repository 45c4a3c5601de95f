package dev.flightdeck.sim;

import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A simulated machine. Only touched on the simulator's event loop. {@code config} is treated as
 * immutable (seeded machines share one instance); changes replace it with a changed copy.
 */
final class SimMachine {

  static final List<String> PERSISTENT = List.of("created", "started", "stopped", "suspended", "failed", "destroyed");

  final SimApp app;
  final String id;
  final String name;
  final String region;
  final String privateIp;
  final long createdAt;

  String state;
  String instanceId;
  JsonObject config;
  long updatedAt;
  boolean cordoned;
  SimLease lease;
  String imageDigest;
  /** Pending transition or exit timer, -1 when none. */
  long timer = -1;
  int restartCount;
  final ArrayDeque<SimEvent> events = new ArrayDeque<>();
  /** Earlier versions, oldest first: what {@code GET …/versions} lists besides the current one. */
  final List<Version> versions = new ArrayList<>(1);

  record Version(String id, JsonObject config) {}

  SimMachine(SimApp app, String id, String name, String region, String privateIp, long createdAt) {
    this.app = app;
    this.id = id;
    this.name = name;
    this.region = region;
    this.privateIp = privateIp;
    this.createdAt = createdAt;
    this.updatedAt = createdAt;
  }

  boolean isDestroyed() {
    return "destroyed".equals(state);
  }

  boolean isSettled() {
    return PERSISTENT.contains(state);
  }

  String metadata(String key) {
    JsonObject md = config.getJsonObject("metadata");
    return md == null ? null : md.getString(key);
  }

  /** The live lease, dropping an expired one (leases vanish lazily, as on the real API). */
  SimLease liveLease(long now) {
    if (lease != null && !lease.liveAt(now)) {
      lease = null;
    }
    return lease;
  }

  String lastEventId() {
    SimEvent e = events.peekFirst();
    return e == null ? null : e.id();
  }
}
