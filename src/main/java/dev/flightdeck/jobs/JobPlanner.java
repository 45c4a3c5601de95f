package dev.flightdeck.jobs;

import dev.flightdeck.fleet.CachedMachine;
import dev.flightdeck.fleet.FleetCache;
import dev.flightdeck.fleet.Selector;
import dev.flightdeck.fly.FlyClient;
import dev.flightdeck.store.SlotRecord;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a job into slots — one machine and one action each — from the fleet cache as it is when
 * the job starts. Machines already in the wanted state become {@code skipped} slots, ids that do
 * not exist {@code failed} ones, so the plan shows every machine the job touched.
 */
final class JobPlanner {

  /**
   * Oldest first. The API gives {@code created_at} to the second, so machines created in the same
   * second (a scale-up, then a scale-down soon after) tie; their version ids (ULIDs, to the millisecond)
   * order them next. A machine updated since has a newer version and sorts later among its second's
   * machines. The machine id, random, only breaks what is left.
   */
  static final Comparator<CachedMachine> BY_AGE = Comparator.comparingLong(CachedMachine::createdAt)
      .thenComparing(CachedMachine::instanceId, Comparator.nullsFirst(Comparator.naturalOrder()))
      .thenComparing(CachedMachine::id);

  /** Slot detail keys. */
  static final String PHASE = "phase";
  static final String REGION = "region";
  static final String CONFIG = "config";

  private final FleetCache fleet;
  private final FlyClient fly;
  private final String createTagKey;

  private final dev.flightdeck.time.TimeSource time;

  JobPlanner(FleetCache fleet, FlyClient fly, String createTagKey, dev.flightdeck.time.TimeSource time) {
    this.time = time;
    this.fleet = fleet;
    this.fly = fly;
    this.createTagKey = createTagKey;
  }

  Future<List<SlotRecord>> plan(String jobId, JobSpec spec, long maxAgeMs) {
    return switch (spec.kind()) {
      case "create" -> Future.succeededFuture(creates(jobId, (JobSpec.CreateParams) spec.params()));
      case "run" -> Future.succeededFuture(runs(jobId, (JobSpec.RunParams) spec.params()));
      case "scale" -> fleet.machines(spec.app(), Selector.ALL, maxAgeMs)
          .compose(ms -> scale(jobId, spec, (JobSpec.ScaleParams) spec.params(), ms));
      default -> !spec.target().machineIds().isEmpty() && SELF_CORRECTING.contains(spec.kind())
          ? fleet.listedAt(spec.app(), Long.MAX_VALUE).compose(listed -> byIds(jobId, spec, listed, maxAgeMs))
          : fleet.machines(spec.app(), spec.target().toSelector(), maxAgeMs).map(ms -> targeted(jobId, spec, ms, m -> true));
    };
  }

  /**
   * Actions the API refuses (412) when the machine is already where they lead, so a plan may name
   * their machines from a cache of any age: the answer tells. Not stop: the API accepts a stop of a
   * stopped machine, so a stale cache would send a needless stop (lease, stop, release); its plan
   * reads the app when the cache is older than the plan's limit.
   */
  private static final java.util.Set<String> SELF_CORRECTING = java.util.Set.of("start", "suspend", "restart");

  /**
   * Machines named by id, from the cache without listing the app again (a list of a big app per job
   * would cost more than the job). Their cached state only decides a skip when it is fresh; a
   * machine the cache does not know sends it to a fresh list, which says whether it exists.
   */
  private Future<List<SlotRecord>> byIds(String jobId, JobSpec spec, long listedAt, long maxAgeMs) {
    List<CachedMachine> found = new ArrayList<>();
    for (String id : spec.target().machineIds()) {
      CachedMachine m = fleet.peek(spec.app(), id);
      if (m == null) {
        return fleet.machines(spec.app(), spec.target().toSelector(), maxAgeMs).map(ms -> targeted(jobId, spec, ms, x -> true));
      }
      found.add(m);
    }
    long now = time.millis();
    boolean listedFresh = now - listedAt <= maxAgeMs;
    // entries this instance changed since the list are fresh on their own
    List<SlotRecord> planned = targeted(jobId, spec, found, m -> listedFresh || m.localAt() >= now - maxAgeMs);
    return Future.succeededFuture(planned);
  }

  private static SlotRecord slot(String jobId, int i, String machineId, String action, String state, String code,
      String error, JsonObject detail) {
    return new SlotRecord(jobId, i, machineId, action, state, 0, code, error, null, null, null, detail);
  }

  /** {@code trusted}: whose cached state is fresh enough to skip the machine when already done. */
  private List<SlotRecord> targeted(String jobId, JobSpec spec, List<CachedMachine> found,
      java.util.function.Predicate<CachedMachine> trusted) {
    List<SlotRecord> out = new ArrayList<>();
    Map<String, CachedMachine> byId = new HashMap<>();
    found.forEach(m -> byId.put(m.id(), m));
    List<CachedMachine> ordered = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    if (!spec.target().machineIds().isEmpty()) {
      for (String id : spec.target().machineIds()) {
        CachedMachine m = byId.get(id);
        if (m == null) {
          missing.add(id);
        } else {
          ordered.add(m);
        }
      }
    } else {
      ordered.addAll(found);
    }
    String action = spec.kind();
    for (CachedMachine m : ordered) {
      String skip = trusted.test(m) ? skipReason(action, m.state()) : null;
      JsonObject detail = new JsonObject().put("state_before", m.state());
      if ("update".equals(action)) {
        detail.put(PHASE, started(m.state()) ? 1 : 0);
      }
      if (skip != null) {
        out.add(slot(jobId, out.size(), m.id(), action, SlotRecord.SKIPPED,
            skip.startsWith("not running") ? "not_running" : "already_done", skip, detail));
      } else {
        out.add(slot(jobId, out.size(), m.id(), action, SlotRecord.PENDING, null, null, detail));
      }
    }
    for (String id : missing) {
      out.add(slot(jobId, out.size(), id, action, SlotRecord.FAILED, "not_found",
          "machine " + id + " not found in app " + spec.app(), null));
    }
    return out;
  }

  static boolean started(String state) {
    return "started".equals(state) || "starting".equals(state);
  }

  private static String skipReason(String action, String state) {
    return switch (action) {
      case "start" -> started(state) ? "already " + state : null;
      // a failed or never-started machine runs nothing: a stop has nothing to do (and no "stopped" to wait for)
      case "stop" -> "stopped".equals(state) ? "already stopped"
          : "failed".equals(state) || "created".equals(state) ? "not running (" + state + ")" : null;
      case "suspend" -> "suspended".equals(state) || "suspending".equals(state) ? "already " + state
          // the API refuses to suspend a machine that is not running (412)
          : "stopped".equals(state) || "failed".equals(state) || "created".equals(state)
              ? "not running (" + state + "); a suspend suspends started machines" : null;
      case "destroy" -> "destroyed".equals(state) || "destroying".equals(state) ? "already " + state : null;
      // the API refuses to restart a machine that is not running (412): say so instead of failing it
      case "restart" -> "stopped".equals(state) || "suspended".equals(state) || "created".equals(state)
          ? "not running (" + state + "); a restart restarts started machines" : null;
      default -> null;
    };
  }

  private List<SlotRecord> creates(String jobId, JobSpec.CreateParams p) {
    List<SlotRecord> out = new ArrayList<>();
    for (int i = 0; i < p.count(); i++) {
      JsonObject detail = new JsonObject();
      if (!p.regions().isEmpty()) {
        detail.put(REGION, p.regions().get(i % p.regions().size()));
      }
      out.add(slot(jobId, i, null, "create", SlotRecord.PENDING, null, null, detail));
    }
    return out;
  }

  private List<SlotRecord> runs(String jobId, JobSpec.RunParams p) {
    List<SlotRecord> out = new ArrayList<>();
    for (int i = 0; i < p.count(); i++) {
      JsonObject detail = new JsonObject();
      if (!p.regions().isEmpty()) {
        detail.put(REGION, p.regions().get(i % p.regions().size()));
      }
      out.add(slot(jobId, i, null, "run", SlotRecord.PENDING, null, null, detail));
    }
    return out;
  }

  /**
   * Scale a process group to {@code count} started machines: up, by starting suspended then
   * stopped machines first and creating only the rest; down, by stopping, suspending or destroying
   * the newest (or oldest) started ones.
   */
  private Future<List<SlotRecord>> scale(String jobId, JobSpec spec, JobSpec.ScaleParams p, List<CachedMachine> all) {
    List<CachedMachine> group = new ArrayList<>();
    for (CachedMachine m : all) {
      if (p.processGroup().equals(m.processGroup()) && (p.region() == null || p.region().equals(m.region()))) {
        group.add(m);
      }
    }
    List<CachedMachine> running = group.stream().filter(m -> started(m.state())).toList();
    int have = running.size();
    List<SlotRecord> out = new ArrayList<>();
    if (p.count() < have) {
      if ("up".equals(p.direction())) {
        return Future.succeededFuture(out); // more are running than an up-scale asked for: never stop any
      }
      List<CachedMachine> order = new ArrayList<>(running);
      order.sort("newest".equals(p.prefer()) ? BY_AGE.reversed() : BY_AGE);
      for (CachedMachine m : order.subList(0, have - p.count())) {
        out.add(slot(jobId, out.size(), m.id(), p.downAction(), SlotRecord.PENDING, null, null,
            new JsonObject().put("state_before", m.state())));
      }
      return Future.succeededFuture(out);
    }
    int need = p.count() - have;
    if (need > 0 && "down".equals(p.direction())) {
      return Future.succeededFuture(out); // fewer are running than a down-scale asked for: never start any
    }
    List<CachedMachine> idle = new ArrayList<>();
    for (String state : List.of("suspended", "stopped", "created")) {
      for (CachedMachine m : group) {
        if (state.equals(m.state())) {
          idle.add(m);
        }
      }
    }
    for (CachedMachine m : idle.subList(0, Math.min(need, idle.size()))) {
      out.add(slot(jobId, out.size(), m.id(), "start", SlotRecord.PENDING, null, null,
          new JsonObject().put("state_before", m.state())));
    }
    int creates = need - Math.min(need, idle.size());
    if (creates == 0) {
      return Future.succeededFuture(out);
    }
    return createConfig(spec.app(), p, group).map(cfg -> {
      for (int i = 0; i < creates; i++) {
        // phase 1: created only after the idle machines have been started
        JsonObject detail = new JsonObject().put(CONFIG, cfg.config()).put(PHASE, 1);
        if (cfg.region() != null) {
          detail.put(REGION, cfg.region());
        }
        out.add(slot(jobId, out.size(), null, "create", SlotRecord.PENDING, null, null, detail));
      }
      return out;
    });
  }

  private record Template(JsonObject config, String region) {}

  /** The config for new machines of a group: the job's, else a copy of the group's newest machine. */
  private Future<Template> createConfig(String app, JobSpec.ScaleParams p, List<CachedMachine> group) {
    if (p.config() != null) {
      JsonObject c = p.config().copy();
      JsonObject md = c.getJsonObject("metadata", new JsonObject());
      md.put("fly_process_group", p.processGroup());
      c.put("metadata", md);
      return Future.succeededFuture(new Template(c, p.region()));
    }
    CachedMachine newest = group.stream().max(BY_AGE).orElse(null);
    if (newest == null) {
      return Future.failedFuture(new InvalidJobException("invalid_field", "params.config", "process group '"
          + p.processGroup() + "' has no machine to copy; give params.config to create the first ones"));
    }
    return fly.getMachine(app, newest.id()).map(m -> {
      JsonObject c = m.config().toJson();
      JsonObject md = c.getJsonObject("metadata", new JsonObject());
      for (String k : Set.copyOf(md.fieldNames())) {
        if (k.equals(createTagKey)) {
          md.remove(k);
        }
      }
      md.put("fly_process_group", p.processGroup());
      c.put("metadata", md);
      return new Template(c, p.region() != null ? p.region() : m.region());
    });
  }
}
