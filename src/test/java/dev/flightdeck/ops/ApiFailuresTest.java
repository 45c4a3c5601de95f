package dev.flightdeck.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.testing.ServerFixture;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** One failure handler: the same failure gets the same answer on every route. */
@ExtendWith(VertxExtension.class)
class ApiFailuresTest {

  @TempDir
  Path dir;

  private ServerFixture fx;

  @AfterEach
  void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void a_store_outage_is_a_503_store_unavailable_on_every_route(Vertx vertx) {
    fx = ServerFixture.start(vertx, dir.resolve("data"));
    fx.server.store().close().await();
    JsonObject job = new JsonObject().put("app", "demo").put("kind", "start")
        .put("target", new JsonObject().put("all", true));
    JsonObject schedule = new JsonObject().put("name", "n").put("cron", "0 3 * * *").put("job", job);
    JsonObject policy = new JsonObject().put("name", "w").put("app", "demo").put("process_group", "app").put("min", 0)
        .put("max", 2).put("up", new JsonObject().put("alertname", "Busy"));
    record Call(HttpMethod method, String path, JsonObject body) {}
    for (Call c : List.of(new Call(HttpMethod.GET, "/v1/jobs", null), new Call(HttpMethod.GET, "/v1/jobs/job_x", null),
        new Call(HttpMethod.GET, "/v1/schedules", null), new Call(HttpMethod.POST, "/v1/schedules", schedule),
        new Call(HttpMethod.GET, "/v1/scaling-policies", null), new Call(HttpMethod.POST, "/v1/scaling-policies", policy))) {
      ServerFixture.Answer a = fx.call(c.method(), c.path(), c.body(), dev.flightdeck.testing.TestConfigs.ADMIN_TOKEN, java.util.Map.of());
      assertThat(a.status()).as(c.method() + " " + c.path() + ": " + a.body()).isEqualTo(503);
      assertThat(a.error().getString("code")).as(c.path()).isEqualTo("store_unavailable");
      assertThat(a.error().getString("message")).as(c.path()).isEqualTo("the store is unavailable; nothing was changed");
    }
  }
}
