package dev.flightdeck.fleet;

import dev.flightdeck.fly.ErrorClass;
import dev.flightdeck.fly.FlyApiException;
import dev.flightdeck.fly.FlyClient;
import dev.flightdeck.fly.ListMachinesQuery;
import dev.flightdeck.fly.Machine;
import dev.flightdeck.time.TimeSource;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The fleet model: per app, its machines as last listed and as changed by Flightdeck's own
 * operations. An app is listed on first use, then re-listed every interval ± jitter. All state
 * lives on one context; public methods hop onto it, the {@code record…} methods are for the
 * dispatcher, which runs on the same context.
 */
public final class FleetCache {

  private final Context context;
  private final FlyClient fly;
  private final TimeSource time;
  private final FleetConfig config;
  private final SplittableRandom random;
  private final Interner interner = new Interner();
  private final Map<String, AppFleet> apps = new HashMap<>();
  private volatile boolean closed;

  /** One app's cached machines and refresh bookkeeping. */
  private static final class AppFleet {
    final String name;
    final LinkedHashMap<String, CachedMachine> machines = new LinkedHashMap<>();
    long refreshedAt = -1;
    Future<AppFleet> loading;
    long timer = -1;
    long refreshErrors;
    String lastError;
    /** Bumped whenever what the cache says about the app changes: a poll that sees the same number saw the same machines. */
    long changes;

    AppFleet(String name) {
      this.name = name;
    }
  }

  /**
   * A summary of one cached app, with its staleness. {@code changes} counts changes to its machines and
   * {@code leases} the leases held now (they lapse with time alone): with {@code refreshedAt}, {@code stale}
   * and {@code refreshErrors} they tell whether an earlier answer about the app is still the answer.
   */
  public record AppView(String app, int machines, Map<String, Integer> byState, long refreshedAt, long ageMs,
      boolean stale, long refreshErrors, String lastError, long changes, int leases) {}

  public FleetCache(Context context, FlyClient fly, TimeSource time, FleetConfig config, long seed) {
    this.context = context;
    this.fly = fly;
    this.time = time;
    this.config = config;
    this.random = new SplittableRandom(seed);
  }

  public FleetConfig config() {
    return config;
  }

  // ---------------------------------------------------------------- queries

  /**
   * Machines of {@code app} matching {@code selector}, from data at most {@code maxAgeMs} old
   * (listing the app first if needed). {@code maxAgeMs} 0 forces a fresh list.
   */
  public Future<List<CachedMachine>> machines(String app, Selector selector, long maxAgeMs) {
    return onContext(() -> ensure(app, maxAgeMs).map(f -> {
      List<CachedMachine> out = new ArrayList<>();
      for (CachedMachine m : f.machines.values()) {
        if (selector.matches(m)) {
          out.add(m);
        }
      }
      return out;
    }));
  }

  /** Machines from whatever is cached, listing the app only if it was never listed. */
  public Future<List<CachedMachine>> machines(String app, Selector selector) {
    return machines(app, selector, Long.MAX_VALUE);
  }

  /** Lists the app now and merges the answer. */
  public Future<AppView> refresh(String app) {
    return onContext(() -> load(entry(app)).map(this::view));
  }

  public Future<AppView> app(String app, long maxAgeMs) {
    return onContext(() -> ensure(app, maxAgeMs).map(this::view));
  }

  /**
   * When the app was last listed (listing it first if it never was), without building a view: a
   * per-job check that must not walk every machine of a big app.
   */
  public Future<Long> listedAt(String app, long maxAgeMs) {
    return onContext(() -> ensure(app, maxAgeMs).map(f -> f.refreshedAt));
  }

  /** Every app the cache holds, with staleness. */
  public Future<List<AppView>> apps() {
    return onContext(() -> {
      List<AppView> out = new ArrayList<>();
      for (AppFleet f : new TreeMap<>(apps).values()) {
        if (f.refreshedAt >= 0) {
          out.add(view(f));
        }
      }
      return Future.succeededFuture(out);
    });
  }

  /** Number of machines cached over all apps (engine context only). */
  public int size() {
    int n = 0;
    for (AppFleet f : apps.values()) {
      n += f.machines.size();
    }
    return n;
  }

  /** The cached entry of one machine, or null (engine context only). */
  public CachedMachine peek(String app, String id) {
    AppFleet f = apps.get(app);
    return f == null ? null : f.machines.get(id);
  }

  // ---------------------------------------------------------------- results of operations

  /** A full machine from the API (create, update, get) replaces the cached entry. */
  public void recordMachine(String app, Machine m) {
    AppFleet f = apps.get(app);
    if (f == null || m == null || m.id() == null) {
      return;
    }
    f.machines.put(m.id(), CachedMachine.from(m, interner, time.millis()));
    f.changes++;
  }

  /** Flightdeck changed a machine's state (and maybe its version). */
  public void recordState(String app, String id, String state, String instanceId) {
    AppFleet f = apps.get(app);
    CachedMachine c = f == null ? null : f.machines.get(id);
    if (c != null) {
      f.machines.put(id, c.withState(interner.intern(state), instanceId, time.millis()));
      f.changes++;
    }
  }

  /** What Flightdeck learned about a machine's lease (owner null: nobody holds it). */
  public void recordLease(String app, String id, String owner, long expiresAtSeconds, boolean ours) {
    AppFleet f = apps.get(app);
    CachedMachine c = f == null ? null : f.machines.get(id);
    if (c != null) {
      f.machines.put(id, c.withLease(interner.intern(owner), owner == null ? 0 : expiresAtSeconds, ours,
          time.millis()));
      f.changes++;
    }
  }

  /** The machine is gone. */
  public void recordDestroyed(String app, String id) {
    AppFleet f = apps.get(app);
    if (f != null && f.machines.remove(id) != null) {
      f.changes++;
    }
  }

  public void close() {
    closed = true;
    context.runOnContext(v -> {
      for (AppFleet f : apps.values()) {
        if (f.timer >= 0) {
          time.cancelTimer(f.timer);
        }
      }
    });
  }

  // ---------------------------------------------------------------- loading

  private AppFleet entry(String app) {
    return apps.computeIfAbsent(app, AppFleet::new);
  }

  private Future<AppFleet> ensure(String app, long maxAgeMs) {
    AppFleet f = entry(app);
    long now = time.millis();
    if (f.refreshedAt >= 0 && (maxAgeMs == Long.MAX_VALUE || now - f.refreshedAt <= maxAgeMs)) {
      return Future.succeededFuture(f);
    }
    return load(f);
  }

  private Future<AppFleet> load(AppFleet f) {
    if (f.loading != null) {
      return f.loading;
    }
    long startedAt = time.millis();
    Promise<AppFleet> done = Promise.promise();
    f.loading = done.future();
    fly.listMachines(f.name, ListMachinesQuery.ALL.withIncludeLeases(true)).onComplete(ar -> {
      f.loading = null;
      if (ar.succeeded()) {
        merge(f, ar.result(), startedAt);
        f.refreshedAt = time.millis();
        scheduleRefresh(f);
        done.complete(f);
        return;
      }
      f.refreshErrors++;
      f.lastError = ar.cause().getMessage();
      if (ar.cause() instanceof FlyApiException e && e.errorClass() == ErrorClass.NOT_FOUND) {
        apps.remove(f.name);
        if (f.timer >= 0) {
          time.cancelTimer(f.timer);
        }
      } else {
        scheduleRefresh(f);
      }
      if (f.refreshedAt >= 0 && !(ar.cause() instanceof FlyApiException e2 && e2.errorClass() == ErrorClass.NOT_FOUND)) {
        done.complete(f); // serve the older data; staleness says how old
      } else {
        done.fail(ar.cause());
      }
    });
    return f.loading;
  }

  /** Merges a list answer, keeping entries Flightdeck changed after the list started. */
  private void merge(AppFleet f, List<Machine> listed, long startedAt) {
    Map<String, Machine> byId = new HashMap<>(listed.size() * 2);
    for (Machine m : listed) {
      byId.put(m.id(), m);
    }
    Iterator<Map.Entry<String, CachedMachine>> it = f.machines.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, CachedMachine> e = it.next();
      if (!byId.containsKey(e.getKey()) && e.getValue().localAt() < startedAt) {
        it.remove();
        f.changes++;
      }
    }
    for (Machine m : listed) {
      CachedMachine cur = f.machines.get(m.id());
      if (cur == null || cur.localAt() < startedAt) {
        CachedMachine listedNow = CachedMachine.from(m, interner, 0);
        if (!listedNow.equals(cur)) {
          f.machines.put(m.id(), listedNow);
          f.changes++;
        }
      }
    }
  }

  private void scheduleRefresh(AppFleet f) {
    if (closed) {
      return;
    }
    if (f.timer >= 0) {
      time.cancelTimer(f.timer);
    }
    long jitter = config.refreshJitterMs() == 0 ? 0 : random.nextLong(-config.refreshJitterMs(),
        config.refreshJitterMs() + 1);
    long delay = Math.max(100, config.refreshIntervalMs() + jitter);
    f.timer = time.setTimer(delay, () -> {
      f.timer = -1;
      if (apps.get(f.name) == f && !closed) {
        load(f);
      }
    });
  }

  private AppView view(AppFleet f) {
    Map<String, Integer> byState = new TreeMap<>();
    long now = time.millis();
    int leases = 0;
    for (CachedMachine m : f.machines.values()) {
      byState.merge(m.state(), 1, Integer::sum);
      if (m.leasedAt(now)) {
        leases++;
      }
    }
    long age = f.refreshedAt < 0 ? -1 : now - f.refreshedAt;
    return new AppView(f.name, f.machines.size(), Collections.unmodifiableMap(byState), f.refreshedAt, age,
        age < 0 || age > config.staleAfterMs(), f.refreshErrors, f.lastError, f.changes, leases);
  }

  private <T> Future<T> onContext(Supplier<Future<T>> work) {
    if (Vertx.currentContext() == context) {
      return work.get();
    }
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> {
      try {
        work.get().onComplete(p);
      } catch (RuntimeException e) {
        p.fail(e); // a bug in the work must not leave the caller waiting for ever
      }
    });
    return p.future();
  }
}
