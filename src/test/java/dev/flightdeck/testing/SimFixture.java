package dev.flightdeck.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.fly.FlyClient;
import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.sim.Simulator;
import dev.flightdeck.time.ManualTimeSource;
import dev.flightdeck.time.TimeSource;
import dev.flightdeck.time.VertxTimeSource;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;

/**
 * A simulator for one test, with every answer recorded for the spec conformance check that
 * {@link #close()} runs. Tests start simulators only through this class.
 */
public final class SimFixture implements AutoCloseable {

  public final Vertx vertx;
  public final Simulator sim;
  public final FlyClient fly;
  public final SpecConformance conformance;
  /** The simulator's clock when it runs on manual time, else null. */
  public final ManualTimeSource clock;
  private final WebClient admin;

  private SimFixture(Vertx vertx, Simulator sim, SpecConformance conformance, ManualTimeSource clock) {
    this.vertx = vertx;
    this.clock = clock;
    this.sim = sim;
    this.conformance = conformance;
    this.fly = new FlyClient(vertx, TestConfigs.flyFor(sim.baseUrl()));
    this.admin = WebClient.create(vertx);
  }

  public static SimFixture start(Vertx vertx) {
    return start(vertx, TestConfigs.sim(), new VertxTimeSource(vertx));
  }

  public static SimFixture start(Vertx vertx, SimConfig config, TimeSource time) {
    SpecConformance conformance = new SpecConformance();
    Simulator sim = Simulator.start(vertx, config, time, conformance).await();
    return new SimFixture(vertx, sim, conformance, time instanceof ManualTimeSource m ? m : null);
  }

  /** A simulator on a manual clock (starting at 2026-01-01T00:00:00Z) with the given settings. */
  public static SimFixture manual(Vertx vertx, JsonObject simJson) {
    return start(vertx, TestConfigs.sim(simJson), new ManualTimeSource(1_767_225_600_000L));
  }

  /** The shipped latency model (create 400 ms, start 300 ms, …) on a manual clock. */
  public static JsonObject shippedLatency() {
    JsonObject sim = TestConfigs.simJson();
    sim.put("latency", dev.flightdeck.config.ConfigLoader.defaults().getJsonObject("sim").getJsonObject("latency"));
    return sim;
  }

  /** Raw request to the simulator's API with the test token. */
  public io.vertx.ext.web.client.HttpRequest<io.vertx.core.buffer.Buffer> raw(io.vertx.core.http.HttpMethod method,
      String path) {
    return admin.requestAbs(method, baseUrl() + path).putHeader("Authorization", "Bearer " + TestConfigs.SIM_TOKEN);
  }

  /** A client for the same simulator with another token. */
  public FlyClient clientWithToken(String token) {
    return new FlyClient(vertx, TestConfigs.flyFor(sim.baseUrl(), token));
  }

  public String baseUrl() {
    return sim.baseUrl();
  }

  /** Creates {@code app} with {@code machines} machines in the given state, two regions, two groups. */
  public void seed(String app, int machines, String state) {
    sim.seed(new SimConfig.SeedApp(app, machines, java.util.List.of("ord", "ams"), java.util.List.of("app", "worker"),
        "registry.fly.io/" + app + ":v1", state)).await();
  }

  public io.vertx.core.Future<JsonObject> journal(String app, String machineId) {
    return sim.journal(app, machineId, 0);
  }

  /** Raw admin call, for the admin endpoint tests. */
  public WebClient admin() {
    return admin;
  }

  @Override
  public void close() {
    fly.close();
    admin.close();
    sim.stop().await();
    assertThat(conformance.violations())
        .as("simulator answers that do not match machines-openapi.json")
        .isEmpty();
  }
}
