package dev.flightdeck.api;

import dev.flightdeck.fly.FlyClient;
import dev.flightdeck.store.JobStore;
import dev.flightdeck.time.Periodic;
import dev.flightdeck.time.TimeSource;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What {@code /ready} answers, re-checked every {@code management.ready_check_ms} in the background
 * so a probe never waits on a slow dependency: the store answers (migrations were applied when it
 * opened), the Machines API (or the embedded simulator) answers at all, and the instance is not
 * shutting down. The body names what is not ready.
 */
public final class Readiness {

  private final Context context;
  private final JobStore store;
  private final FlyClient fly;
  private final TimeSource time;
  private final long intervalMs;
  private final AtomicReference<JsonObject> state = new AtomicReference<>(new JsonObject().put("ready", false)
      .put("not_ready", new JsonArray().add("starting")));
  private volatile boolean draining;
  private volatile boolean listening;
  private Periodic loop;

  public Readiness(Context context, JobStore store, FlyClient fly, TimeSource time, long intervalMs) {
    this.context = context;
    this.store = store;
    this.fly = fly;
    this.time = time;
    this.intervalMs = intervalMs;
  }

  /** Runs the first check; completes when it is done, then re-checks on a timer. */
  public Future<JsonObject> start() {
    io.vertx.core.Promise<JsonObject> first = io.vertx.core.Promise.promise();
    context.runOnContext(v -> {
      loop = Periodic.every(time, intervalMs, this::check);
      check().onComplete(ar -> {
        first.tryComplete(state.get());
        loop.start();
      });
    });
    return first.future();
  }

  public void stop() {
    context.runOnContext(v -> {
      if (loop != null) {
        loop.stop();
      }
    });
  }

  /**
   * The job API's listener is bound. Until then the instance is not ready, however healthy the store
   * and the Machines API are: the management port starts first, and a probe that saw 200 there must
   * find the API port open. Re-checks at once.
   */
  public Future<JsonObject> listening() {
    listening = true;
    io.vertx.core.Promise<JsonObject> done = io.vertx.core.Promise.promise();
    context.runOnContext(v -> check().onComplete(done));
    return done.future();
  }

  /** Shutting down: not ready from now on (load balancers stop sending work). */
  public void draining() {
    draining = true;
    state.set(state.get().copy().put("ready", false).put("not_ready", new JsonArray().add("shutting_down")));
  }

  public JsonObject get() {
    return state.get();
  }

  /** One round of checks; updates the state. */
  public Future<JsonObject> check() {
    Future<String> storeOk = store.ping().map(v -> (String) null).recover(e -> Future.succeededFuture(e.getMessage()));
    Future<String> apiOk = fly.ping().map(v -> (String) null).recover(e -> Future.succeededFuture(e.getMessage()));
    return Future.join(storeOk, apiOk).transform(x -> {
      JsonObject checks = new JsonObject()
          .put("store", check(storeOk.result()))
          .put("migrations", check(storeOk.result() == null ? null : "unknown while the store is unreachable"))
          .put("machines_api", check(apiOk.result()))
          .put("job_api", check(listening ? null : "the job API is not listening yet"));
      JsonArray notReady = new JsonArray();
      checks.forEach(e -> {
        if (!((JsonObject) e.getValue()).getBoolean("ok")) {
          notReady.add(e.getKey());
        }
      });
      if (draining) {
        notReady.add("shutting_down");
      }
      JsonObject s = new JsonObject().put("ready", notReady.isEmpty()).put("checks", checks)
          .put("not_ready", notReady).put("checked_at", java.time.Instant.ofEpochMilli(time.millis()).toString());
      state.set(s);
      return Future.succeededFuture(s);
    });
  }

  private static JsonObject check(String error) {
    JsonObject o = new JsonObject().put("ok", error == null);
    if (error != null) {
      o.put("error", error);
    }
    return o;
  }
}
