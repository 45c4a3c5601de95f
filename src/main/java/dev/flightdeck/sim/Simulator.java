package dev.flightdeck.sim;

import dev.flightdeck.config.ConfigLoader;
import dev.flightdeck.time.TimeSource;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Supplier;

/**
 * A running Machines API simulator: {@code serve}'s embedded default, the {@code sim} command,
 * and the backend of every test and benchmark. The methods below are the same operations as the
 * {@code /sim} admin endpoints, for callers in the same process.
 */
public final class Simulator {

  private final Vertx vertx;
  private final SimulatorVerticle verticle;
  private final String deploymentId;
  private final SimConfig config;

  private Simulator(Vertx vertx, SimulatorVerticle verticle, String deploymentId, SimConfig config) {
    this.vertx = vertx;
    this.verticle = verticle;
    this.deploymentId = deploymentId;
    this.config = config;
  }

  public static Future<Simulator> start(Vertx vertx, SimConfig config, TimeSource time, ExchangeListener listener) {
    SimulatorVerticle v = new SimulatorVerticle(config, time, listener);
    return vertx.deployVerticle(v).map(id -> new Simulator(vertx, v, id, config));
  }

  public int port() {
    return verticle.port();
  }

  /** Base URL for a client, e.g. {@code http://127.0.0.1:4280}. */
  public String baseUrl() {
    String host = config.host().equals("0.0.0.0") ? "127.0.0.1" : config.host();
    return "http://" + host + ":" + port();
  }

  public SimConfig config() {
    return config;
  }

  public Future<Void> stop() {
    return vertx.undeploy(deploymentId);
  }

  /** Journal entries after {@code afterSeq}, optionally for one app or machine (nulls mean all). */
  public Future<JsonObject> journal(String app, String machineId, long afterSeq) {
    return onSim(() -> verticle.world.journal.toJson(app, machineId, afterSeq, Integer.MAX_VALUE));
  }

  public Future<JsonObject> journal() {
    return journal(null, null, 0);
  }

  public Future<JsonObject> stats() {
    return onSim(() -> verticle.stats.toJson().put("machines", verticle.world.machineCount())
        .put("leases_held", verticle.world.liveLeases(null).size()));
  }

  public Future<Void> setFaults(SimConfig.Faults faults) {
    return onSim(() -> {
      verticle.setFaults(faults);
      return null;
    });
  }

  public Future<Void> setRateLimits(SimConfig.RateLimits limits) {
    return onSim(() -> {
      verticle.setRateLimits(limits);
      return null;
    });
  }

  public Future<Void> setLatency(SimConfig.Latency latency) {
    return onSim(() -> {
      verticle.world.setLatency(latency);
      return null;
    });
  }

  public Future<JsonObject> seed(SimConfig.SeedApp app) {
    return onSim(() -> verticle.world.seed(app));
  }

  /** Leases machines for {@code owner}, as if a deploy were running; empty ids means every machine. */
  public Future<JsonObject> foreignLeases(String app, List<String> machineIds, String owner, long ttlSeconds) {
    return onSim(() -> verticle.world.foreignLeases(app, machineIds, owner, ttlSeconds));
  }

  /** Live leases, optionally of one app: the "no lease left held" check. */
  public Future<JsonObject> leases(String app) {
    return onSim(() -> new JsonObject().put("leases", verticle.world.liveLeases(app)));
  }

  public JsonObject settings() {
    return ConfigLoader.toJson(config);
  }

  private <T> Future<T> onSim(Supplier<T> work) {
    Context ctx = verticle.simContext();
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> {
      try {
        p.complete(work.get());
      } catch (RuntimeException e) {
        p.fail(e);
      }
    });
    return p.future();
  }
}
