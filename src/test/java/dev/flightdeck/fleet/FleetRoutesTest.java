package dev.flightdeck.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.testing.ServerFixture;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** GET /v1/fleet/apps and /v1/fleet/apps/{app}/machines with filters and staleness. */
@ExtendWith(VertxExtension.class)
class FleetRoutesTest {

  private ServerFixture fx;

  @TempDir
  Path dir;

  @BeforeEach
  void start(Vertx vertx) {
    fx = ServerFixture.start(vertx, dir);
    fx.server.simulator().seed(new SimConfig.SeedApp("web", 12, List.of("ord", "ams"), List.of("app", "worker"),
        "registry.fly.io/web:1", "stopped")).await();
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  private JsonObject get(String path, int status) {
    ServerFixture.Answer res = fx.get(path);
    assertThat(res.status()).as(res.body().toString()).isEqualTo(status);
    return res.json();
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
  void a_poller_with_the_current_etag_gets_304_until_a_machine_changes() {
    ServerFixture.Answer first = fx.get("/v1/fleet/apps/web/machines");
    String etag = first.headers().get("ETag");
    assertThat(etag).startsWith("W/\"");
    assertThat(first.headers().get("Cache-Control")).isEqualTo("no-cache");

    ServerFixture.Answer same = fx.call(HttpMethod.GET, "/v1/fleet/apps/web/machines", null,
        dev.flightdeck.testing.TestConfigs.ADMIN_TOKEN, Map.of("If-None-Match", etag));
    assertThat(same.status()).isEqualTo(304);
    assertThat(same.body() == null ? 0 : same.body().length()).isZero();
    assertThat(same.headers().get("ETag")).isEqualTo(etag);

    ServerFixture.Answer otherFilter = fx.call(HttpMethod.GET, "/v1/fleet/apps/web/machines?state=started", null,
        dev.flightdeck.testing.TestConfigs.ADMIN_TOKEN, Map.of("If-None-Match", etag));
    assertThat(otherFilter.status()).as("another filter is another answer").isEqualTo(200);

    String id = first.json().getJsonArray("machines").getJsonObject(0).getString("id");
    String job = fx.submit(new JsonObject().put("app", "web").put("kind", "start")
        .put("target", new JsonObject().put("machine_ids", new io.vertx.core.json.JsonArray().add(id))));
    assertThat(fx.awaitEnd(job, ServerFixture.seconds(10)).getString("state")).isEqualTo("succeeded");
    ServerFixture.Answer changed = fx.call(HttpMethod.GET, "/v1/fleet/apps/web/machines", null,
        dev.flightdeck.testing.TestConfigs.ADMIN_TOKEN, Map.of("If-None-Match", etag));
    assertThat(changed.status()).isEqualTo(200);
    assertThat(changed.headers().get("ETag")).isNotEqualTo(etag);
    assertThat(changed.json().getJsonObject("by_state").getInteger("started")).isEqualTo(1);
  }

  @Test
  void the_fleet_is_gzipped_for_clients_that_ask_and_event_streams_never_are() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpResponse<byte[]> res = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
            "http://127.0.0.1:" + fx.server.apiPort() + "/v1/fleet/apps/web/machines"))
        .header("Authorization", "Bearer " + dev.flightdeck.testing.TestConfigs.ADMIN_TOKEN)
        .header("Accept-Encoding", "gzip").build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    assertThat(res.headers().firstValue("content-encoding")).hasValue("gzip");
    byte[] plain = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(res.body())).readAllBytes();
    assertThat(new JsonObject(new String(plain, java.nio.charset.StandardCharsets.UTF_8)).getInteger("count"))
        .isEqualTo(12);
    assertThat(res.body().length).as("smaller on the wire").isLessThan(plain.length / 2);

    String job = fx.submit(new JsonObject().put("app", "web").put("kind", "stop").put("target",
        new JsonObject().put("all", true)));
    java.net.http.HttpResponse<java.io.InputStream> events = http.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + fx.server.apiPort() + "/v1/jobs/" + job + "/events"))
        .header("Authorization", "Bearer " + dev.flightdeck.testing.TestConfigs.ADMIN_TOKEN)
        .header("Accept-Encoding", "gzip").build(), java.net.http.HttpResponse.BodyHandlers.ofInputStream());
    assertThat(events.headers().firstValue("content-encoding").orElse("identity")).isEqualTo("identity");
    events.body().close();
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
  void a_token_sees_only_its_apps() {
    fx.server.simulator().seed(new SimConfig.SeedApp("api", 2, List.of("ord"), List.of("app"), "i:1", "stopped"))
        .await();
    get("/v1/fleet/apps/api/machines", 200);
    get("/v1/fleet/apps/web/machines", 200);
    ServerFixture.Answer apps = fx.call(HttpMethod.GET, "/v1/fleet/apps", null,
        dev.flightdeck.testing.TestConfigs.WEB_WRITER_TOKEN, Map.of());
    assertThat(apps.json().getJsonArray("apps")).extracting(a -> ((JsonObject) a).getString("app"))
        .containsExactly("web");
    ServerFixture.Answer denied = fx.call(HttpMethod.GET, "/v1/fleet/apps/api/machines", null,
        dev.flightdeck.testing.TestConfigs.WEB_WRITER_TOKEN, Map.of());
    assertThat(denied.status()).isEqualTo(403);
    assertThat(fx.call(HttpMethod.GET, "/v1/fleet/apps", null, null, Map.of()).status()).isEqualTo(401);
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
