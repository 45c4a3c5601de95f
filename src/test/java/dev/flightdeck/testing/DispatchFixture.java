package dev.flightdeck.testing;

import dev.flightdeck.config.ConfigLoader;
import dev.flightdeck.dispatch.DispatchConfig;
import dev.flightdeck.dispatch.Dispatcher;
import dev.flightdeck.fleet.FleetCache;
import dev.flightdeck.fleet.FleetConfig;
import dev.flightdeck.time.ManualTimeSource;
import dev.flightdeck.time.TimeSource;
import dev.flightdeck.time.VertxTimeSource;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A simulator plus a fleet cache and dispatcher on their own context, sharing one clock (manual
 * or real) so lease TTLs, backoff and latencies line up.
 */
public final class DispatchFixture implements AutoCloseable {

  public final SimFixture sim;
  public final TimeSource time;
  public final ManualTimeSource clock;
  public final Context engine;
  public final FleetCache fleet;
  public final Dispatcher dispatcher;
  public final Vertx vertx;

  private DispatchFixture(Vertx vertx, SimFixture sim, TimeSource time, DispatchConfig dispatch, FleetConfig fleetConfig) {
    this.vertx = vertx;
    this.sim = sim;
    this.time = time;
    this.clock = time instanceof ManualTimeSource m ? m : null;
    this.engine = vertx.getOrCreateContext();
    this.fleet = new FleetCache(engine, sim.fly, time, fleetConfig, 5);
    this.dispatcher = new Dispatcher(engine, sim.fly, fleet, time, dispatch, "test-instance", 9);
  }

  /** Dispatch settings: the shipped defaults with {@code overrides} merged in (same names as the config). */
  public static DispatchConfig dispatch(JsonObject overrides) {
    JsonObject d = ConfigLoader.defaults().getJsonObject("dispatch").copy();
    merge(d, overrides);
    return ConfigLoader.bind(d, DispatchConfig.class, "dispatch");
  }

  public static FleetConfig fleet(JsonObject overrides) {
    JsonObject f = ConfigLoader.defaults().getJsonObject("fleet").copy();
    merge(f, overrides);
    return ConfigLoader.bind(f, FleetConfig.class, "fleet");
  }

  private static void merge(JsonObject target, JsonObject patch) {
    for (String k : patch.fieldNames()) {
      Object v = patch.getValue(k);
      if (v instanceof JsonObject p && target.getValue(k) instanceof JsonObject t) {
        merge(t, p);
      } else {
        target.put(k, v);
      }
    }
  }

  /** On a manual clock shared by the simulator and the dispatcher. */
  public static DispatchFixture manual(Vertx vertx, JsonObject simJson, JsonObject dispatchOverrides) {
    ManualTimeSource clock = new ManualTimeSource(1_767_225_600_000L);
    SimFixture sim = SimFixture.start(vertx, TestConfigs.sim(simJson), clock);
    return new DispatchFixture(vertx, sim, clock, dispatch(dispatchOverrides), fleet(new JsonObject()));
  }

  /** On real time. */
  public static DispatchFixture real(Vertx vertx, JsonObject simJson, JsonObject dispatchOverrides) {
    TimeSource time = new VertxTimeSource(vertx);
    SimFixture sim = SimFixture.start(vertx, TestConfigs.sim(simJson), time);
    return new DispatchFixture(vertx, sim, time, dispatch(dispatchOverrides), fleet(new JsonObject()));
  }

  /** Journal entries (all apps) as objects. */
  public List<JsonObject> journal(String app) {
    JsonArray arr = sim.sim.journal(app, null, 0).await().getJsonArray("entries");
    List<JsonObject> out = new ArrayList<>();
    arr.forEach(o -> out.add((JsonObject) o));
    return out;
  }

  public int simWaiters() {
    return sim.admin().getAbs(sim.baseUrl() + "/sim/stats").send().await().bodyAsJsonObject().getInteger("waiters");
  }

  /** Polls {@code condition} on a Vert.x timer until it holds; fails after {@code timeout}. */
  public void eventually(Supplier<Boolean> condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Promise<Void> tick = Promise.promise();
      vertx.setTimer(2, id -> tick.complete());
      tick.future().await();
    }
  }

  public <T> T onEngine(Supplier<T> s) {
    Promise<T> p = Promise.promise();
    engine.runOnContext(v -> p.complete(s.get()));
    return p.future().await();
  }

  /**
   * Lets {@code f} finish without moving the clock: keeps running timers that are already due
   * (zero-latency transitions) until it completes.
   */
  public <T> T settle(Future<T> f) {
    eventually(() -> {
      clock.runDue().await();
      return f.isComplete();
    }, Duration.ofSeconds(20), "the operation to finish");
    return f.await();
  }

  /** Moves the clock to the earliest pending timer (a backoff, a deferral) and runs it. */
  public void fireNextTimer() {
    List<Long> due = clock.dueTimes();
    if (!due.isEmpty()) {
      clock.advance(Math.max(0, due.get(0) - clock.millis())).await();
    }
  }

  /** No API request awaits its answer: moving the clock now cannot age a request in flight. */
  public boolean apiIdle() {
    return sim.fly.inFlight() == 0;
  }

  public Future<Void> advance(long ms) {
    return clock.advance(ms);
  }

  @Override
  public void close() {
    fleet.close();
    sim.close();
  }
}
