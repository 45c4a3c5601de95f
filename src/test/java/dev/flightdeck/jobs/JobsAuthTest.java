package dev.flightdeck.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.config.ConfigLoader;
import dev.flightdeck.config.FlightdeckConfig;
import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.testing.LogCapture;
import dev.flightdeck.testing.ServerFixture;
import dev.flightdeck.testing.TestConfigs;
import dev.flightdeck.time.VertxTimeSource;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Tokens, roles and apps; secrets stay out of logs and answers. */
@ExtendWith(VertxExtension.class)
class JobsAuthTest {

  @TempDir
  Path dir;

  private static JsonObject start(String app) {
    return new JsonObject().put("app", app).put("kind", "start").put("target", new JsonObject().put("all", true));
  }

  @Test
  void tokens_roles_and_apps_are_enforced_and_never_echoed(Vertx vertx) {
    try (LogCapture logs = new LogCapture()) {
      ServerFixture fx = ServerFixture.start(vertx, dir);
      try {
        for (String app : List.of("web", "api")) {
          fx.server.simulator().seed(new SimConfig.SeedApp(app, 2, List.of("ord"), List.of("app"), "i:1", "stopped"))
              .await();
        }
        ServerFixture.Answer none = fx.call(HttpMethod.POST, "/v1/jobs", start("web"), null, Map.of());
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.headers().get("WWW-Authenticate")).startsWith("Bearer");
        assertThat(none.error().getString("code")).isEqualTo("unauthorized");
        ServerFixture.Answer bad = fx.call(HttpMethod.POST, "/v1/jobs", start("web"), "wrong-token-123", Map.of());
        assertThat(bad.status()).isEqualTo(401);
        assertThat(bad.body().toString()).doesNotContain("wrong-token-123");

        ServerFixture.Answer reader = fx.call(HttpMethod.POST, "/v1/jobs", start("web"), TestConfigs.READ_TOKEN,
            Map.of());
        assertThat(reader.status()).isEqualTo(403);
        ServerFixture.Answer otherApp = fx.call(HttpMethod.POST, "/v1/jobs", start("api"),
            TestConfigs.WEB_WRITER_TOKEN, Map.of());
        assertThat(otherApp.status()).isEqualTo(403);
        assertThat(otherApp.error().getString("field")).isEqualTo("app");
        assertThat(fx.get("/v1/jobs").json().getJsonArray("jobs")).as("nothing stored").isEmpty();

        ServerFixture.Answer own = fx.call(HttpMethod.POST, "/v1/jobs", start("web"), TestConfigs.WEB_WRITER_TOKEN,
            Map.of());
        assertThat(own.status()).isEqualTo(201);
        assertThat(own.json().getString("submitted_by")).isEqualTo("web-writer");
        String id = own.json().getString("id");
        fx.awaitEnd(id, Duration.ofSeconds(20));
        String adminJob = fx.submit(start("api"));

        assertThat(fx.call(HttpMethod.GET, "/v1/jobs/" + id, null, TestConfigs.READ_TOKEN, Map.of()).status())
            .isEqualTo(200);
        assertThat(fx.call(HttpMethod.GET, "/v1/jobs/" + adminJob, null, TestConfigs.WEB_WRITER_TOKEN, Map.of())
            .status()).isEqualTo(403);
        assertThat(fx.call(HttpMethod.POST, "/v1/jobs/" + adminJob + "/cancel", null, TestConfigs.READ_TOKEN, Map.of())
            .status()).isEqualTo(403);
        JsonArray visible = fx.call(HttpMethod.GET, "/v1/jobs", null, TestConfigs.WEB_WRITER_TOKEN, Map.of()).json()
            .getJsonArray("jobs");
        assertThat(visible).extracting(j -> ((JsonObject) j).getString("app")).containsOnly("web");
        assertThat(fx.call(HttpMethod.GET, "/v1/jobs?app=api", null, TestConfigs.WEB_WRITER_TOKEN, Map.of()).status())
            .isEqualTo(403);
        // health is open, on both ports
        assertThat(fx.call(HttpMethod.GET, "/health", null, null, Map.of()).status()).isEqualTo(200);
        assertThat(fx.management(HttpMethod.GET, "/ready").send().await().statusCode()).isEqualTo(200);
        fx.awaitEnd(adminJob, Duration.ofSeconds(20));
      } finally {
        fx.close();
      }
      List<String> secrets = List.of(TestConfigs.ADMIN_TOKEN, TestConfigs.READ_TOKEN, TestConfigs.WEB_WRITER_TOKEN,
          TestConfigs.SIM_TOKEN, "wrong-token-123");
      assertThat(logs.lines()).isNotEmpty();
      for (String line : logs.lines()) {
        for (String s : secrets) {
          assertThat(line).as("log line").doesNotContain(s);
        }
      }
    }
  }

  @Test
  void with_no_token_configured_one_is_generated_once_and_then_reused(Vertx vertx) throws Exception {
    JsonObject cfg = TestConfigs.serveJson(dir);
    cfg.getJsonObject("auth").put("tokens", new JsonArray());
    FlightdeckConfig config = ConfigLoader.bind(cfg, FlightdeckConfig.class, "");
    String token;
    try (LogCapture logs = new LogCapture()) {
      ServerFixture first = ServerFixture.start(vertx, config, new VertxTimeSource(vertx));
      try {
        assertThat(first.server.generatedToken()).isNotNull();
        token = first.server.generatedToken().reveal();
        assertThat(Files.readString(dir.resolve("api-token")).trim()).isEqualTo(token);
        assertThat(first.call(HttpMethod.GET, "/v1/jobs", null, null, Map.of()).status()).as("never open").isEqualTo(401);
        assertThat(first.call(HttpMethod.GET, "/v1/jobs", null, token, Map.of()).status()).isEqualTo(200);
        assertThat(first.call(HttpMethod.GET, "/v1/jobs", null, TestConfigs.ADMIN_TOKEN, Map.of()).status())
            .isEqualTo(401);
      } finally {
        first.close();
      }
      assertThat(logs.lines()).noneMatch(l -> l.contains(token));
    }
    ServerFixture second = ServerFixture.start(vertx, config, new VertxTimeSource(vertx));
    try {
      assertThat(second.server.generatedToken()).as("not generated again").isNull();
      assertThat(second.call(HttpMethod.GET, "/v1/jobs", null, token, Map.of()).status()).isEqualTo(200);
    } finally {
      second.close();
    }
  }

  @Test
  void an_idempotency_key_is_scoped_to_its_token_and_app_and_never_reveals_another_tenants_job(Vertx vertx) {
    ServerFixture fx = ServerFixture.start(vertx, dir);
    try {
      for (String app : List.of("web", "api")) {
        fx.server.simulator().seed(new SimConfig.SeedApp(app, 1, List.of("ord"), List.of("app"), "i:1", "stopped"))
            .await();
      }
      Map<String, String> key = Map.of("Idempotency-Key", "deploy-42");
      ServerFixture.Answer admins = fx.call(HttpMethod.POST, "/v1/jobs", start("api"), TestConfigs.ADMIN_TOKEN, key);
      assertThat(admins.status()).isEqualTo(201);
      String adminJob = admins.json().getString("id");

      // the same key from another token, for another app: its own job, not a 409 naming the admin's
      ServerFixture.Answer webs = fx.call(HttpMethod.POST, "/v1/jobs", start("web"), TestConfigs.WEB_WRITER_TOKEN, key);
      assertThat(webs.status()).as(webs.body().toString()).isEqualTo(201);
      assertThat(webs.body().toString()).doesNotContain(adminJob);
      // and the same key from the admin for another app is another job too
      ServerFixture.Answer adminWeb = fx.call(HttpMethod.POST, "/v1/jobs", start("web"), TestConfigs.ADMIN_TOKEN, key);
      assertThat(adminWeb.status()).isEqualTo(201);

      // within one scope the key still works: a repeat replays, another body conflicts
      ServerFixture.Answer again = fx.call(HttpMethod.POST, "/v1/jobs", start("web"), TestConfigs.WEB_WRITER_TOKEN, key);
      assertThat(again.status()).isEqualTo(200);
      assertThat(again.json().getString("id")).isEqualTo(webs.json().getString("id"));
      ServerFixture.Answer other = fx.call(HttpMethod.POST, "/v1/jobs", start("web").put("kind", "stop"),
          TestConfigs.WEB_WRITER_TOKEN, key);
      assertThat(other.status()).isEqualTo(409);
      assertThat(other.body().toString()).contains(webs.json().getString("id")).doesNotContain(adminJob);
    } finally {
      fx.close();
    }
  }
}
