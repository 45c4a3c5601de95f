package dev.flightdeck.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.testing.ServerFixture;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** GET /v1/fleet/apps and /v1/fleet/apps/{app}/machines with filters and staleness. */
@ExtendWith(VertxExtension.class)
class FleetRoutesTest {

  private ServerFixture fx;

  @BeforeEach
  void start(Vertx vertx) {
    fx = ServerFixture.start(vertx);
    fx.server.simulator().seed(new SimConfig.SeedApp("web", 12, List.of("ord", "ams"), List.of("app", "worker"),
        "registry.fly.io/web:1", "stopped")).await();
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  private JsonObject get(String path, int status) {
    var res = fx.api(HttpMethod.GET, path).send().await();
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(status);
    return res.bodyAsJsonObject();
  }

  @Test
  void machines_are_served_filtered_with_their_staleness() {
    JsonObject all = get("/v1/fleet/apps/web/machines", 200);
    assertThat(all.getInteger("count")).isEqualTo(12);
    assertThat(all.getBoolean("stale")).isFalse();
    assertThat(all.getLong("age_ms")).isBetween(0L, 5_000L);
    assertThat(all.getString("refreshed_at")).endsWith("Z");
    JsonObject first = all.getJsonArray("machines").getJsonObject(0);
    assertThat(first.fieldNames()).contains("id", "name", "state", "region", "instance_id", "process_group", "image",
        "metadata");
    assertThat(first.containsKey("config")).as("no config blobs in the cache").isFalse();

    JsonObject filtered = get("/v1/fleet/apps/web/machines?region=ams&process_group=worker&state=stopped", 200);
    assertThat(filtered.getInteger("count")).isEqualTo(3);
    JsonObject byMeta = get("/v1/fleet/apps/web/machines?metadata.fly_process_group=app", 200);
    assertThat(byMeta.getInteger("count")).isEqualTo(6);
    String id = first.getString("id");
    assertThat(get("/v1/fleet/apps/web/machines?id=" + id, 200).getInteger("count")).isEqualTo(1);

    JsonObject apps = get("/v1/fleet/apps", 200);
    assertThat(apps.getJsonArray("apps")).singleElement().satisfies(a -> {
      JsonObject app = (JsonObject) a;
      assertThat(app.getString("app")).isEqualTo("web");
      assertThat(app.getInteger("machines_cached")).isEqualTo(12);
      assertThat(app.getJsonObject("by_state").getInteger("stopped")).isEqualTo(12);
    });
  }

  @Test
  void fresh_true_lists_the_app_again() {
    get("/v1/fleet/apps/web/machines", 200);
    fx.server.fly().startMachine("web", get("/v1/fleet/apps/web/machines", 200).getJsonArray("machines")
        .getJsonObject(0).getString("id"), null).await();
    assertThat(get("/v1/fleet/apps/web/machines?state=starting,started", 200).getInteger("count")).isZero();
    assertThat(get("/v1/fleet/apps/web/machines?state=starting,started&fresh=true", 200).getInteger("count"))
        .isEqualTo(1);
  }

  @Test
  void an_unknown_app_and_a_bad_parameter_get_json_errors() {
    JsonObject missing = get("/v1/fleet/apps/ghost/machines", 404);
    assertThat(missing.getJsonObject("error").getString("code")).isEqualTo("not_found");
    assertThat(missing.getJsonObject("error").getString("field")).isEqualTo("app");
    JsonObject bad = get("/v1/fleet/apps/web/machines?max_age_ms=soon", 400);
    assertThat(bad.getJsonObject("error").getString("field")).isEqualTo("max_age_ms");
  }
}
