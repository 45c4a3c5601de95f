package dev.flightdeck.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.api.ApiVerticle;
import dev.flightdeck.api.Authenticator;
import dev.flightdeck.config.FlightdeckConfig;
import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.testing.ServerFixture;
import dev.flightdeck.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests are validated against openapi.yaml at run time, and the refusals keep the API's error
 * shape: the constraints below live only in the contract (the handlers no longer check them), so these
 * answers come from it.
 */
@ExtendWith(VertxExtension.class)
class ContractValidationTest {

  @TempDir
  static Path dir;

  private static ServerFixture fx;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = ServerFixture.start(vertx, dir);
    fx.server.simulator().seed(new SimConfig.SeedApp("web", 2, List.of("ord"), List.of("app"), "i:1", "stopped"))
        .await();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  static List<Arguments> refusals() {
    String job = "{\"app\":\"web\",\"kind\":\"start\",\"target\":{\"all\":true}";
    String policy = "{\"name\":\"p\",\"app\":\"web\",\"min\":1,\"max\":3";
    return List.of(
        Arguments.of(HttpMethod.POST, "/v1/jobs", job + ",\"options\":{\"priority\":101}}", 422, "invalid_field",
            "options.priority", "options.priority must be at most 100, got 101"),
        Arguments.of(HttpMethod.POST, "/v1/jobs", "{\"app\":\"web\",\"kind\":\"launch\"}", 422, "invalid_field", "kind",
            "kind must be one of create, start, stop, suspend, restart, destroy, update, scale, run, got 'launch'"),
        Arguments.of(HttpMethod.POST, "/v1/jobs", "{\"app\":\"Web_1\",\"kind\":\"start\"}", 422, "invalid_field", "app",
            "app must be a Fly app name (lower-case letters, digits and dashes), got 'Web_1'"),
        Arguments.of(HttpMethod.POST, "/v1/jobs", job + ",\"options\":{\"max_concurrent\":\"3\"}}", 422,
            "invalid_type", "options.max_concurrent", "options.max_concurrent must be an integer, got string"),
        Arguments.of(HttpMethod.POST, "/v1/jobs", job + ",\"options\":{\"retries\":3}}", 422, "unknown_field",
            "options.retries", "unknown field options.retries"),
        Arguments.of(HttpMethod.POST, "/v1/scaling-policies", policy + ",\"step_up\":\"lots\"}", 422, "invalid_field",
            "step_up", "step_up must be a machine count, or a percentage of the started machines (\"50%\"), got 'lots'"),
        Arguments.of(HttpMethod.POST, "/v1/scaling-policies", "{\"name\":\"p\",\"app\":\"web\",\"min\":1}", 422,
            "missing_field", "max", "max is required"),
        Arguments.of(HttpMethod.POST, "/v1/schedules", "{\"name\":\"n\",\"cron\":\"@daily\",\"job\":" + job
            + "},\"jitter_seconds\":-1}", 422, "invalid_field", "jitter_seconds", "jitter_seconds must be at least 0, got -1"),
        Arguments.of(HttpMethod.GET, "/v1/jobs?limit=0", null, 400, "invalid_parameter", "limit",
            "limit must be at least 1, got 0"),
        Arguments.of(HttpMethod.GET, "/v1/jobs?state=lost", null, 400, "invalid_parameter", "state",
            "state must be one of queued, running, succeeded, failed, cancelled, got 'lost'"),
        Arguments.of(HttpMethod.GET, "/v1/schedules?limit=many", null, 400, "invalid_parameter", "limit",
            "limit must be an integer, got string"),
        Arguments.of(HttpMethod.GET, "/v1/fleet/apps/web/machines?fresh=maybe", null, 400, "invalid_parameter",
            "fresh", "fresh must be a boolean, got string"),
        Arguments.of(HttpMethod.GET, "/v1/scaling-policies/pol_x/decisions?limit=501", null, 400, "invalid_parameter",
            "limit", "limit must be at most 500, got 501"));
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("refusals")
  void a_request_outside_the_contract_is_refused_naming_the_field_and_what_it_must_be(HttpMethod method, String path,
      String body, int status, String code, String field, String message) {
    long journalBefore = fx.server.simulator().journal().await().getLong("last_seq");
    ServerFixture.Answer a = fx.call(method, path, body == null ? null : Buffer.buffer(body), TestConfigs.ADMIN_TOKEN,
        Map.of());
    assertThat(a.status()).as(String.valueOf(a.body())).isEqualTo(status);
    assertThat(a.error().getString("code")).isEqualTo(code);
    assertThat(a.error().getString("field")).isEqualTo(field);
    assertThat(a.error().getString("message")).isEqualTo(message);
    assertThat(fx.server.simulator().journal().await().getLong("last_seq")).isEqualTo(journalBefore);
    assertThat(fx.contract.violations()).isEmpty();
  }

  /** vertx-openapi's own extraction decoded these a second time or read them as JSON numbers. */
  @ParameterizedTest
  @ValueSource(strings = {"1.5", "-1", "50%", "a+b", "\"quoted\"", "[1]"})
  void any_visible_ascii_idempotency_key_is_accepted_as_written(String key) {
    JsonObject job = new JsonObject().put("app", "web").put("kind", "start")
        .put("target", new JsonObject().put("all", true)).put("options", new JsonObject().put("dry_run", false));
    ServerFixture.Answer first = fx.call(HttpMethod.POST, "/v1/jobs", job, TestConfigs.ADMIN_TOKEN,
        Map.of("Idempotency-Key", key));
    assertThat(first.status()).as(String.valueOf(first.body())).isEqualTo(201);
    ServerFixture.Answer again = fx.call(HttpMethod.POST, "/v1/jobs", job, TestConfigs.ADMIN_TOKEN,
        Map.of("Idempotency-Key", key));
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().getString("id")).isEqualTo(first.json().getString("id"));
    assertThat(again.json().getString("idempotency_key")).isEqualTo(key);
  }

  @Test
  void an_idempotency_key_with_a_space_is_refused_by_the_contract() {
    ServerFixture.Answer a = fx.call(HttpMethod.POST, "/v1/jobs", new JsonObject().put("app", "web")
        .put("kind", "start").put("target", new JsonObject().put("all", true)), TestConfigs.ADMIN_TOKEN,
        Map.of("Idempotency-Key", "two words"));
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error().getString("code")).isEqualTo("invalid_header");
    assertThat(a.error().getString("field")).isEqualTo("Idempotency-Key");
    assertThat(a.error().getString("message"))
        .isEqualTo("Idempotency-Key must be 1–200 visible ASCII characters, got 'two words'");
  }

  @Test
  void a_body_without_a_content_type_is_read_as_json() {
    var res = fx.api(HttpMethod.POST, "/v1/jobs").sendBuffer(Buffer.buffer(
        "{\"app\":\"web\",\"kind\":\"start\",\"target\":{\"all\":true},\"options\":{\"dry_run\":true}}")).await();
    assertThat(res.getHeader("content-type")).startsWith("application/json");
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
    assertThat(res.bodyAsJsonObject().getBoolean("dry_run")).isTrue();
  }

  @Test
  void an_operation_of_the_contract_without_a_handler_stops_the_listener_from_starting(Vertx vertx,
      VertxTestContext test) {
    FlightdeckConfig config = TestConfigs.serve(dir.resolve("unbound"));
    ApiVerticle api = new ApiVerticle(config.api(), JsonObject::new,
        Authenticator.load(config.auth(), dir), List.of());
    vertx.deployVerticle(api).onComplete(test.failing(e -> test.verify(() -> {
      assertThat(e).hasMessageContaining("openapi.yaml operations without a handler")
          .hasMessageContaining("submitJob").hasMessageContaining("listFleetMachines");
      test.completeNow();
    })));
  }
}
