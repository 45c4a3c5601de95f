package dev.flightdeck.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.config.ConfigLoader;
import dev.flightdeck.config.FlightdeckConfig;
import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.testing.ManualClocks;
import dev.flightdeck.testing.ServerFixture;
import dev.flightdeck.testing.TestConfigs;
import dev.flightdeck.time.ManualTimeSource;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Ended jobs are pruned by age and count on the runner's schedule; the API document is served. */
@ExtendWith(VertxExtension.class)
class JobsRetentionTest {

  @TempDir
  Path dir;

  @Test
  void ended_jobs_beyond_the_kept_count_are_pruned_on_schedule(Vertx vertx) {
    JsonObject cfg = TestConfigs.serveJson(dir);
    cfg.getJsonObject("jobs").getJsonObject("retention").put("max_ended_jobs", 2).put("prune_interval_ms", 60_000);
    FlightdeckConfig config = ConfigLoader.bind(cfg, FlightdeckConfig.class, "");
    ManualTimeSource clock = ManualClocks.now();
    ServerFixture fx = ServerFixture.start(vertx, config, clock);
    try {
      fx.server.simulator().seed(new SimConfig.SeedApp("r", 1, List.of("ord"), List.of("app"), "i:1", "started"))
          .await();
      for (int i = 0; i < 4; i++) {
        String id = fx.submit(new JsonObject().put("app", "r").put("kind", "start")
            .put("target", new JsonObject().put("all", true)));
        ManualClocks.drive(vertx, clock, () -> fx.get("/v1/jobs/" + id).json().getString("state").equals("succeeded"));
      }
      assertThat(fx.get("/v1/jobs").json().getJsonArray("jobs")).hasSize(4);
      clock.advance(61_000).await();
      fx.eventually(() -> fx.get("/v1/jobs").json().getJsonArray("jobs").size() == 2, Duration.ofSeconds(10),
          "pruning down to two");
    } finally {
      fx.close();
    }
  }

  @Test
  void the_openapi_document_is_served_without_a_token(Vertx vertx) {
    ServerFixture fx = ServerFixture.start(vertx, dir);
    try {
      var res = fx.http.request(HttpMethod.GET, fx.server.apiPort(), "127.0.0.1", "/openapi.yaml").send().await();
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(res.getHeader("content-type")).isEqualTo("application/yaml");
      assertThat(res.bodyAsString()).startsWith("openapi: 3.1.0").contains("/v1/jobs/{id}/events");
      assertThat(fx.call(HttpMethod.GET, "/v1/jobs", null, null, Map.of()).status()).isEqualTo(401);
    } finally {
      fx.close();
    }
  }
}
