package dev.flightdeck.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.testing.ServerFixture;
import dev.flightdeck.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad input gets a 4xx with the JSON error shape naming the field, and nothing is stored or done. */
@ExtendWith(VertxExtension.class)
class JobsBadInputTest {

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

  static List<Arguments> bodies() {
    String ok = "\"app\":\"web\",\"kind\":\"start\",\"target\":{\"all\":true}";
    String create = "\"app\":\"web\",\"kind\":\"create\"";
    return List.of(
        Arguments.of("truncated JSON", "{\"app\":", 400, "malformed_json", null),
        Arguments.of("an array", "[1,2]", 400, "malformed_json", null),
        Arguments.of("an empty body", "", 400, "malformed_json", null),
        Arguments.of("unknown top-level field", "{" + ok + ",\"extra\":1}", 422, "unknown_field", "extra"),
        Arguments.of("unknown target field", "{\"app\":\"web\",\"kind\":\"start\",\"target\":{\"all\":true,\"zone\":1}}",
            422, "unknown_field", "target.zone"),
        Arguments.of("unknown option", "{" + ok + ",\"options\":{\"retries\":3}}", 422, "unknown_field",
            "options.retries"),
        Arguments.of("param of another kind", "{" + ok + ",\"params\":{\"count\":1}}", 422, "unknown_field",
            "params.count"),
        Arguments.of("unknown kind", "{\"app\":\"web\",\"kind\":\"launch\"}", 422, "invalid_field", "kind"),
        Arguments.of("missing app", "{\"kind\":\"start\"}", 422, "missing_field", "app"),
        Arguments.of("app with capitals", "{\"app\":\"Web_App\",\"kind\":\"start\",\"target\":{\"all\":true}}", 422,
            "invalid_field", "app"),
        Arguments.of("app as a number", "{\"app\":123,\"kind\":\"start\"}", 422, "invalid_type", "app"),
        Arguments.of("missing target", "{\"app\":\"web\",\"kind\":\"start\"}", 422, "missing_field", "target"),
        Arguments.of("empty target", "{\"app\":\"web\",\"kind\":\"start\",\"target\":{}}", 422, "empty_target",
            "target"),
        Arguments.of("empty id list", "{\"app\":\"web\",\"kind\":\"start\",\"target\":{\"machine_ids\":[]}}", 422,
            "empty_target", "target"),
        Arguments.of("ids as a string", "{\"app\":\"web\",\"kind\":\"start\",\"target\":{\"machine_ids\":\"abc\"}}",
            422, "invalid_type", "target.machine_ids"),
        Arguments.of("ids and a selector", "{\"app\":\"web\",\"kind\":\"start\",\"target\":{\"machine_ids\":[\"a\"],"
            + "\"region\":\"ord\"}}", 422, "invalid_field", "target"),
        Arguments.of("negative count", "{" + create + ",\"params\":{\"count\":-1,\"config\":{\"image\":\"x\"}}}", 422,
            "invalid_field", "params.count"),
        Arguments.of("fractional count", "{" + create + ",\"params\":{\"count\":1.5,\"config\":{\"image\":\"x\"}}}",
            422, "invalid_type", "params.count"),
        Arguments.of("huge count", "{" + create + ",\"params\":{\"count\":1e20,\"config\":{\"image\":\"x\"}}}", 422,
            "invalid_type", "params.count"),
        Arguments.of("no config", "{" + create + ",\"params\":{\"count\":2}}", 422, "missing_field", "params.config"),
        Arguments.of("config without image", "{" + create + ",\"params\":{\"count\":2,\"config\":{}}}", 422,
            "missing_field", "params.config.image"),
        Arguments.of("target on create", "{" + create + ",\"target\":{\"all\":true},\"params\":{\"count\":1,"
            + "\"config\":{\"image\":\"x\"}}}", 422, "invalid_field", "target"),
        Arguments.of("scale without count", "{\"app\":\"web\",\"kind\":\"scale\",\"params\":{\"process_group\":\"w\"}}",
            422, "missing_field", "params.count"),
        Arguments.of("bad down action", "{\"app\":\"web\",\"kind\":\"scale\",\"params\":{\"process_group\":\"w\","
            + "\"count\":2,\"down_action\":\"explode\"}}", 422, "invalid_field", "params.down_action"),
        Arguments.of("bad signal", "{\"app\":\"web\",\"kind\":\"stop\",\"target\":{\"all\":true},\"params\":{\"signal\":\"SIGFOO\"}}", 422,
            "invalid_field", "params.signal"),
        Arguments.of("bad timeout", "{\"app\":\"web\",\"kind\":\"stop\",\"target\":{\"all\":true},\"params\":"
            + "{\"timeout\":\"soon\"}}", 422, "invalid_field", "params.timeout"),
        Arguments.of("update with nothing to change", "{\"app\":\"web\",\"kind\":\"update\",\"target\":{\"all\":true}}",
            422, "missing_field", "params.image"),
        Arguments.of("zero concurrency", "{" + ok + ",\"options\":{\"max_concurrent\":0}}", 422, "invalid_field",
            "options.max_concurrent"),
        Arguments.of("priority as a word", "{" + ok + ",\"options\":{\"priority\":\"high\"}}", 422, "invalid_type",
            "options.priority"),
        Arguments.of("exit code out of range", "{\"app\":\"web\",\"kind\":\"run\",\"params\":{\"count\":1,\"config\":"
            + "{\"image\":\"x\"},\"success_exit_codes\":[300]}}", 422, "invalid_type", "params.success_exit_codes[0]"),
        Arguments.of("nested metadata", "{\"app\":\"web\",\"kind\":\"start\",\"target\":{\"metadata\":{\"k\":{\"x\":1}}}}",
            422, "invalid_type", "target.metadata.k"),
        Arguments.of("deep nesting", "{\"app\":\"web\",\"kind\":\"start\",\"target\":{\"all\":true},\"x\":"
            + "[".repeat(2000) + "]".repeat(2000) + "}", 400, "malformed_json", null),
        Arguments.of("moderate nesting", "{\"app\":\"web\",\"kind\":\"start\",\"target\":{\"all\":true},\"x\":"
            + "[".repeat(200) + "]".repeat(200) + "}", 422, "unknown_field", "x"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bodies")
  void a_bad_job_is_refused_by_name_and_nothing_is_stored(String name, String body, int status, String code,
      String field) {
    long journalBefore = fx.server.simulator().journal().await().getLong("last_seq");
    ServerFixture.Answer a = fx.call(HttpMethod.POST, "/v1/jobs", Buffer.buffer(body), TestConfigs.ADMIN_TOKEN, Map.of());
    assertThat(a.status()).as(a.body().toString()).isEqualTo(status);
    assertThat(a.error().getString("code")).isEqualTo(code);
    assertThat(a.error().getString("message")).isNotBlank();
    assertThat(a.error().getString("field")).isEqualTo(field);
    assertNothingStored(journalBefore);
  }

  private static void assertNothingStored(long journalBefore) {
    assertThat(fx.get("/v1/jobs").json().getJsonArray("jobs")).isEmpty();
    assertThat(fx.server.simulator().journal().await().getLong("last_seq")).isEqualTo(journalBefore);
  }

  static List<Arguments> requests() {
    String ok = "{\"app\":\"web\",\"kind\":\"start\",\"target\":{\"all\":true}}";
    return List.of(
        Arguments.of("oversize body", HttpMethod.POST, "/v1/jobs",
            "{\"app\":\"web\",\"kind\":\"start\",\"pad\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}", Map.of(), 413,
            "body_too_large", null),
        Arguments.of("text/plain body", HttpMethod.POST, "/v1/jobs", ok, Map.of("content-type", "text/plain"), 415,
            "unsupported_media_type", null),
        Arguments.of("long idempotency key", HttpMethod.POST, "/v1/jobs", ok, Map.of("Idempotency-Key", "k".repeat(300)),
            400, "invalid_header", "Idempotency-Key"),
        Arguments.of("unknown state filter", HttpMethod.GET, "/v1/jobs?state=weird", null, Map.of(), 400,
            "invalid_parameter", "state"),
        Arguments.of("zero limit", HttpMethod.GET, "/v1/jobs?limit=0", null, Map.of(), 400, "invalid_parameter",
            "limit"),
        Arguments.of("bad time", HttpMethod.GET, "/v1/jobs?created_after=yesterday", null, Map.of(), 400,
            "invalid_parameter", "created_after"),
        // times that no millisecond count holds used to overflow into a 500
        Arguments.of("far future time", HttpMethod.GET, "/v1/jobs?created_after=%2B1000000000-12-31T23:59:59Z", null,
            Map.of(), 400, "invalid_parameter", "created_after"),
        Arguments.of("far past time", HttpMethod.GET, "/v1/jobs?created_before=-999999999-01-01T00:00:00Z", null,
            Map.of(), 400, "invalid_parameter", "created_before"),
        Arguments.of("foreign cursor", HttpMethod.GET, "/v1/jobs?cursor=bm90LWEtY3Vyc29y", null, Map.of(), 400,
            "invalid_parameter", "cursor"),
        Arguments.of("garbage cursor", HttpMethod.GET, "/v1/jobs?cursor=!!!", null, Map.of(), 400,
            "invalid_parameter", "cursor"),
        Arguments.of("unknown job", HttpMethod.GET, "/v1/jobs/job_nope", null, Map.of(), 404, "not_found", "id"),
        Arguments.of("cancel unknown job", HttpMethod.POST, "/v1/jobs/job_nope/cancel", null, Map.of(), 404,
            "not_found", "id"),
        Arguments.of("unknown endpoint", HttpMethod.GET, "/v1/nothing", null, Map.of(), 404, "not_found", null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void a_bad_request_gets_a_json_error(String name, HttpMethod method, String path, String body,
      Map<String, String> headers, int status, String code, String field) {
    long journalBefore = fx.server.simulator().journal().await().getLong("last_seq");
    ServerFixture.Answer a = fx.call(method, path, body == null ? null : Buffer.buffer(body), TestConfigs.ADMIN_TOKEN,
        headers);
    assertThat(a.status()).as(String.valueOf(a.body())).isEqualTo(status);
    assertThat(a.error().getString("code")).isEqualTo(code);
    assertThat(a.error().getString("field")).isEqualTo(field);
    assertNothingStored(journalBefore);
  }
}
