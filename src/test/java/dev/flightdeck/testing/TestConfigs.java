package dev.flightdeck.testing;

import dev.flightdeck.config.ConfigLoader;
import dev.flightdeck.config.FlightdeckConfig;
import dev.flightdeck.config.Secret;
import dev.flightdeck.fly.FlyConfig;
import dev.flightdeck.sim.SimConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Configs for tests: the shipped defaults with test-friendly overrides (free ports, no latency). */
public final class TestConfigs {

  public static final String SIM_TOKEN = "test-sim-token";

  private TestConfigs() {}

  /** The default simulator settings, port 0, zero latency, rate limits and faults off, nothing seeded. */
  public static JsonObject simJson() {
    JsonObject sim = ConfigLoader.defaults().getJsonObject("sim").copy();
    sim.put("port", 0).put("token", SIM_TOKEN).put("seed_apps", new JsonArray());
    sim.put("latency", ConfigLoader.toJson(SimConfig.Latency.zero()));
    sim.getJsonObject("rate_limits").put("enabled", false);
    return sim;
  }

  public static SimConfig sim() {
    return sim(simJson());
  }

  public static SimConfig sim(JsonObject json) {
    return ConfigLoader.bind(json, SimConfig.class, "sim");
  }

  /** A whole config on free ports with the embedded simulator. */
  public static FlightdeckConfig serve() {
    JsonObject all = ConfigLoader.defaults();
    all.getJsonObject("api").put("host", "127.0.0.1").put("port", 0);
    all.getJsonObject("management").put("host", "127.0.0.1").put("port", 0);
    all.put("sim", simJson());
    return ConfigLoader.bind(all, FlightdeckConfig.class, "");
  }

  public static FlyConfig flyFor(String baseUrl) {
    return flyFor(baseUrl, SIM_TOKEN);
  }

  public static FlyConfig flyFor(String baseUrl, String token) {
    FlyConfig d = ConfigLoader.bind(ConfigLoader.defaults().getJsonObject("fly"), FlyConfig.class, "fly");
    return new FlyConfig(baseUrl, Secret.of(token), 2000, 10_000, d.maxConnections(), d.userAgent());
  }
}
