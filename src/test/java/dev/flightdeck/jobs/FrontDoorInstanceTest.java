package dev.flightdeck.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.config.ConfigLoader;
import dev.flightdeck.config.FlightdeckConfig;
import dev.flightdeck.testing.LogCapture;
import dev.flightdeck.testing.ServerFixture;
import dev.flightdeck.testing.TestConfigs;
import dev.flightdeck.time.VertxTimeSource;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code jobs.max_running: 0}: an instance that stores jobs and leaves running them to others. */
@ExtendWith(VertxExtension.class)
class FrontDoorInstanceTest {

  @TempDir
  Path dir;

  private ServerFixture start(Vertx vertx, int maxRunning) {
    JsonObject cfg = TestConfigs.serveJson(dir);
    cfg.getJsonObject("jobs").put("max_running", maxRunning);
    // each instance has its own embedded simulator: both know the app
    cfg.getJsonObject("sim").put("seed_apps", new io.vertx.core.json.JsonArray().add(new JsonObject().put("name", "web")
        .put("machines", 1).put("regions", new io.vertx.core.json.JsonArray().add("ord"))
        .put("process_groups", new io.vertx.core.json.JsonArray().add("app")).put("image", "registry.fly.io/web:1")
        .put("state", "started")));
    return ServerFixture.start(vertx, ConfigLoader.bind(cfg, FlightdeckConfig.class, ""), new VertxTimeSource(vertx));
  }

  @Test
  void a_front_door_stores_jobs_and_the_next_instance_on_its_data_runs_them_once(Vertx vertx) {
    JsonObject body = new JsonObject().put("app", "web").put("kind", "create").put("params", new JsonObject()
        .put("count", 1).put("config", new JsonObject().put("image", "registry.fly.io/web:1")));
    String id;
    try (LogCapture logs = new LogCapture()) {
      ServerFixture front = start(vertx, 0);
      id = front.submit(body);
      assertThat(logs.lines()).anyMatch(l -> l.contains("jobs.max_running is 0") && l.contains("SQLite"));
      JsonObject stored = front.get("/v1/jobs/" + id).json();
      assertThat(stored.getString("state")).isEqualTo("queued");
      assertThat(stored.getInteger("claims")).isZero();
      front.close();
    }
    ServerFixture worker = start(vertx, 4096);
    try {
      JsonObject done = worker.awaitEnd(id, Duration.ofSeconds(30));
      assertThat(done.getString("state")).as(done.encode()).isEqualTo("succeeded");
      // had the front door claimed it at any time (and handed it back at its shutdown), this would be 2
      assertThat(done.getInteger("claims")).as(done.encode()).isEqualTo(1);
    } finally {
      worker.close();
    }
  }

  @Test
  void a_negative_max_running_is_refused_naming_the_setting() {
    JsonObject cfg = TestConfigs.serveJson(dir);
    cfg.getJsonObject("jobs").put("max_running", -1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigLoader.bind(cfg, FlightdeckConfig.class, ""))
        .hasMessageContaining("jobs.max_running");
  }
}
