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

  public static final String ADMIN_TOKEN = "test-admin-token";
  public static final String READ_TOKEN = "test-read-token";
  public static final String WEB_WRITER_TOKEN = "test-web-writer-token";
  /** The Alertmanager receiver's bearer token, and its basic-auth user and password. */
  public static final String ALERT_TOKEN = "test-alert-token";
  public static final String ALERT_USER = "alertmanager";
  public static final String ALERT_PASSWORD = "test-alert-password";

  /**
   * A whole config as JSON: free ports, the embedded simulator (zero latency), SQLite in
   * {@code dataDir}, fast job polling, and three tokens: admin (all apps), read-only (all apps),
   * and a writer limited to apps matching {@code web*}.
   */
  public static JsonObject serveJson(java.nio.file.Path dataDir) {
    JsonObject all = ConfigLoader.defaults();
    all.getJsonObject("api").put("host", "127.0.0.1").put("port", 0);
    all.getJsonObject("management").put("host", "127.0.0.1").put("port", 0);
    all.put("sim", simJson());
    all.getJsonObject("store").put("data_dir", dataDir.toString());
    all.getJsonObject("jobs").put("poll_interval_ms", 50).put("heartbeat_interval_ms", 200)
        .put("heartbeat_timeout_ms", 1000).put("events_poll_interval_ms", 50);
    all.getJsonObject("dispatch").getJsonObject("backoff").put("base_ms", 10).put("cap_ms", 100);
    all.getJsonObject("auth").put("tokens", new JsonArray()
        .add(new JsonObject().put("name", "admin").put("token", ADMIN_TOKEN).put("role", "admin")
            .put("apps", new JsonArray().add("*")))
        .add(new JsonObject().put("name", "reader").put("token_sha256",
                dev.flightdeck.api.Authenticator.sha256(READ_TOKEN)).put("role", "read")
            .put("apps", new JsonArray().add("*")))
        .add(new JsonObject().put("name", "web-writer").put("token", WEB_WRITER_TOKEN).put("role", "write")
            .put("apps", new JsonArray().add("web*"))));
    all.getJsonObject("autoscale").put("evaluate_interval_ms", 1000).getJsonObject("webhook")
        .put("token", ALERT_TOKEN).put("username", ALERT_USER)
        .put("password_sha256", dev.flightdeck.api.Authenticator.sha256(ALERT_PASSWORD));
    return all;
  }

  public static FlightdeckConfig serve(java.nio.file.Path dataDir) {
    return ConfigLoader.bind(serveJson(dataDir), FlightdeckConfig.class, "");
  }

  public static FlyConfig flyFor(String baseUrl) {
    return flyFor(baseUrl, SIM_TOKEN);
  }

  public static FlyConfig flyFor(String baseUrl, String token) {
    FlyConfig d = ConfigLoader.bind(ConfigLoader.defaults().getJsonObject("fly"), FlyConfig.class, "fly");
    return new FlyConfig(baseUrl, Secret.of(token), 2000, 10_000, d.maxConnections(), d.userAgent());
  }
}
