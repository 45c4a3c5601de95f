package dev.flightdeck.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Every mutation the simulator accepted, in order. Tests and the chaos runner read it to prove
 * "one start per machine", "no mutation without the lease" and "no duplicate create".
 */
final class Journal {

  /** One accepted mutation. {@code withLease} is true when the caller presented the live lease's nonce. */
  record Entry(
      long seq, long at, String app, String machineId, String action, String requestId, boolean withLease,
      String leaseOwner, String stateBefore, String stateAfter, String instanceId, JsonObject detail) {

    JsonObject toJson() {
      JsonObject o = new JsonObject()
          .put("seq", seq)
          .put("at", at)
          .put("app", app)
          .put("machine_id", machineId)
          .put("action", action)
          .put("request_id", requestId)
          .put("with_lease", withLease)
          .put("lease_owner", leaseOwner)
          .put("state_before", stateBefore)
          .put("state_after", stateAfter)
          .put("instance_id", instanceId);
      if (detail != null) {
        o.put("detail", detail);
      }
      return o;
    }
  }

  private final List<Entry> entries = new ArrayList<>();
  private long seq;

  void add(long at, String app, String machineId, String action, String requestId, boolean withLease,
      String leaseOwner, String before, String after, String instanceId, JsonObject detail) {
    entries.add(new Entry(++seq, at, app, machineId, action, requestId, withLease, leaseOwner, before, after,
        instanceId, detail));
  }

  List<Entry> query(String app, String machineId, long afterSeq) {
    List<Entry> out = new ArrayList<>();
    // entries are in seq order, so skip straight to the first one after afterSeq
    int lo = 0;
    int hi = entries.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (entries.get(mid).seq() <= afterSeq) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    for (int i = lo; i < entries.size(); i++) {
      Entry e = entries.get(i);
      if ((app == null || app.equals(e.app())) && (machineId == null || machineId.equals(e.machineId()))) {
        out.add(e);
      }
    }
    return out;
  }

  JsonObject toJson(String app, String machineId, long afterSeq, int limit) {
    List<Entry> found = query(app, machineId, afterSeq);
    JsonArray arr = new JsonArray();
    long last = afterSeq;
    for (Entry e : found) {
      if (arr.size() >= limit) {
        break;
      }
      arr.add(e.toJson());
      last = e.seq();
    }
    return new JsonObject().put("entries", arr).put("last_seq", last).put("more", found.size() > arr.size());
  }

  void clear() {
    entries.clear();
  }

  int size() {
    return entries.size();
  }
}
