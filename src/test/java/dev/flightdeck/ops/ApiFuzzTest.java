package dev.flightdeck.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.testing.ServerFixture;
import dev.flightdeck.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of bad (and some good) inputs against every endpoint of the job, schedule, policy and
 * alert APIs: mutated and random JSON, huge numbers, deep nesting, invalid UTF-8, oversize headers
 * and bodies, wrong content types. Every answer is a 2xx, or a 4xx with the JSON error shape —
 * never a 5xx — and a rejected input changes nothing in the store.
 */
@ExtendWith(VertxExtension.class)
class ApiFuzzTest {

  @TempDir
  Path dir;

  private ServerFixture fx;
  private final Random random = new Random(20261129);
  private int tried;
  private int accepted;
  private final List<String> failures = new ArrayList<>();
  private String jobId;
  private String scheduleId;
  private String policyId;

  @BeforeEach
  void start(Vertx vertx) {
    JsonObject cfg = TestConfigs.serveJson(dir);
    cfg.getJsonObject("api").put("max_body_bytes", 64 * 1024);
    fx = ServerFixture.start(vertx, dev.flightdeck.config.ConfigLoader.bind(cfg,
        dev.flightdeck.config.FlightdeckConfig.class, ""), new dev.flightdeck.time.VertxTimeSource(vertx));
    fx.server.simulator().seed(new SimConfig.SeedApp("web", 2, List.of("ord"), List.of("app"), "i:1", "stopped"))
        .await();
    jobId = fx.submit(validJob().put("options", new JsonObject().put("priority", 1)));
    scheduleId = fx.post("/v1/schedules", validSchedule()).json().getString("id");
    policyId = fx.post("/v1/scaling-policies", validPolicy()).json().getString("id");
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  static JsonObject validJob() {
    return new JsonObject().put("app", "web").put("kind", "stop")
        .put("target", new JsonObject().put("process_group", "app"))
        .put("params", new JsonObject().put("signal", "SIGTERM").put("timeout", "5s"))
        .put("options", new JsonObject().put("max_concurrent", 2).put("priority", 1).put("dry_run", true));
  }

  static JsonObject validSchedule() {
    return new JsonObject().put("name", "fuzz").put("cron", "*/5 * * * *").put("time_zone", "Europe/Berlin")
        .put("job", validJob().copy().put("options", new JsonObject().put("priority", 1)))
        .put("concurrency_policy", "forbid").put("jitter_seconds", 5)
        .put("history", new JsonObject().put("succeeded", 2).put("failed", 1));
  }

  static JsonObject validPolicy() {
    return new JsonObject().put("name", "fuzz").put("app", "web").put("process_group", "app").put("min", 1)
        .put("max", 4).put("step_up", "50%").put("step_down", 1).put("dry_run", true)
        .put("up", new JsonObject().put("alertname", "FuzzUp").put("matchers", new JsonArray().add("app=web")))
        .put("down", new JsonObject().put("alertname", "FuzzDown"));
  }

  static JsonObject validAlert() {
    JsonObject a = new JsonObject().put("status", "firing").put("fingerprint", "ff00").put("startsAt",
        "2026-11-28T12:00:00Z").put("endsAt", "0001-01-01T00:00:00Z")
        .put("labels", new JsonObject().put("alertname", "Other").put("app", "web"))
        .put("annotations", new JsonObject());
    return new JsonObject().put("version", "4").put("status", "firing").put("receiver", "flightdeck")
        .put("groupKey", "{}").put("truncatedAlerts", 0).put("alerts", new JsonArray().add(a));
  }

  private record Target(HttpMethod method, String path, JsonObject valid, String token) {}

  private List<Target> targets() {
    return List.of(
        new Target(HttpMethod.POST, "/v1/jobs", validJob(), TestConfigs.ADMIN_TOKEN),
        new Target(HttpMethod.POST, "/v1/schedules", validSchedule(), TestConfigs.ADMIN_TOKEN),
        new Target(HttpMethod.PUT, "/v1/schedules/" + scheduleId, validSchedule(), TestConfigs.ADMIN_TOKEN),
        new Target(HttpMethod.POST, "/v1/scaling-policies", validPolicy(), TestConfigs.ADMIN_TOKEN),
        new Target(HttpMethod.PUT, "/v1/scaling-policies/" + policyId, validPolicy(), TestConfigs.ADMIN_TOKEN),
        new Target(HttpMethod.POST, "/v1/alerts/alertmanager", validAlert(), TestConfigs.ALERT_TOKEN));
  }

  @Test
  void no_input_gets_a_5xx_and_rejected_input_changes_nothing() {
    for (Target t : targets()) {
      for (JsonObject body : mutations(t.valid())) {
        send(t, body.encode().getBytes(StandardCharsets.UTF_8), "application/json", Map.of());
      }
      for (int i = 0; i < 150; i++) {
        send(t, String.valueOf(io.vertx.core.json.Json.encode(randomJson(4))).getBytes(StandardCharsets.UTF_8),
            "application/json", Map.of());
      }
      for (byte[] raw : rawBodies(t.valid())) {
        send(t, raw, "application/json", Map.of());
      }
      for (String ct : List.of("text/plain", "application/xml", "multipart/form-data; boundary=x",
          "application/x-www-form-urlencoded", "application/json; charset=latin1")) {
        send(t, t.valid().encode().getBytes(StandardCharsets.UTF_8), ct, Map.of());
      }
      send(t, new byte[70 * 1024], "application/json", Map.of()); // over api.max_body_bytes
      send(t, t.valid().encode().getBytes(StandardCharsets.UTF_8), "application/json",
          Map.of("X-Padding", "x".repeat(100 * 1024)));
      send(t, t.valid().encode().getBytes(StandardCharsets.UTF_8), "application/json",
          Map.of("Idempotency-Key", "k".repeat(5000)));
    }
    for (String path : List.of("/v1/jobs?limit=-1", "/v1/jobs?limit=99999999999999999999", "/v1/jobs?cursor=%ff%fe",
        "/v1/jobs?created_after=yesterday", "/v1/jobs?state=%00", "/v1/jobs/" + "x".repeat(3000),
        "/v1/schedules?cursor=bm9wZQ", "/v1/scaling-policies?limit=abc", "/v1/scaling-policies/nope/decisions",
        "/v1/jobs/" + jobId + "/events?x=%zz", "/v1/fleet/apps/" + "%2e%2e%2f".repeat(50) + "/machines")) {
      send(new Target(HttpMethod.GET, path, null, TestConfigs.ADMIN_TOKEN), null, null, Map.of());
    }
    for (String path : List.of("/v1/jobs/nope/cancel", "/v1/schedules/nope/pause", "/v1/schedules/nope/trigger",
        "/v1/jobs/" + jobId + "/cancel")) {
      send(new Target(HttpMethod.POST, path, null, TestConfigs.ADMIN_TOKEN), "{}".getBytes(StandardCharsets.UTF_8),
          "application/json", Map.of());
    }
    System.out.printf("fuzz: %d inputs tried, %d accepted (2xx), %d rejected (4xx), %d with a 5xx or a bad error "
        + "body%n", tried, accepted, tried - accepted - failures.size(), failures.size());
    assertThat(tried).isGreaterThan(2000);
    assertThat(failures).isEmpty();
  }

  /** Sends one input; checks the answer's shape and, if it was refused, that the store did not change. */
  private void send(Target t, byte[] body, String contentType, Map<String, String> headers) {
    tried++;
    String before = storeFingerprint();
    HttpRequest<Buffer> req = fx.http.request(t.method(), fx.server.apiPort(), "127.0.0.1", t.path())
        .putHeader("Authorization", "Bearer " + t.token());
    if (contentType != null) {
      req.putHeader("content-type", contentType);
    }
    headers.forEach(req::putHeader);
    HttpResponse<Buffer> res;
    try {
      res = body == null ? req.send().await() : req.sendBuffer(Buffer.buffer(body)).await();
    } catch (RuntimeException e) {
      failures.add(t.path() + ": no answer: " + e);
      return;
    }
    int status = res.statusCode();
    String what = t.method() + " " + t.path() + " " + preview(body) + " → " + status + " " + preview(
        res.body() == null ? null : res.body().getBytes());
    if (status >= 500) {
      failures.add(what);
      return;
    }
    if (status >= 200 && status < 300) {
      accepted++;
      return;
    }
    JsonObject err;
    try {
      err = res.bodyAsJsonObject().getJsonObject("error");
    } catch (RuntimeException e) {
      err = null;
    }
    if (err == null || err.getString("code") == null || err.getString("message") == null) {
      failures.add("no JSON error shape: " + what);
      return;
    }
    if (!before.equals(storeFingerprint())) {
      failures.add("the store changed on a rejected input: " + what);
    }
  }

  private String storeFingerprint() {
    var s = fx.server.store();
    // jobs accepted earlier keep changing state as they run, so jobs count as a total
    return s.countByState().await().values().stream().mapToLong(Long::longValue).sum() + "|" + s.allPolicies().await().stream().map(p -> p.id() + p.version()).toList()
        + "|" + s.listSchedules(new dev.flightdeck.store.JobFilter(List.of("*"), null, null, null, null, null), null,
            500).await().items().stream().map(x -> x.id() + x.version()).toList()
        + "|" + s.firingAlerts(0).await().size();
  }

  private static String preview(byte[] b) {
    if (b == null) {
      return "";
    }
    String s = new String(b, 0, Math.min(b.length, 120), StandardCharsets.UTF_8);
    return s.replaceAll("\\s+", " ");
  }

  /** Every field (at every depth) removed, nulled, and replaced by values of every wrong kind. */
  private List<JsonObject> mutations(JsonObject valid) {
    List<JsonObject> out = new ArrayList<>();
    List<List<String>> paths = new ArrayList<>();
    collect(valid, new ArrayList<>(), paths);
    Object[] replacements = {null, 0, -1, 1.5, 1e308, -1e308, Long.MAX_VALUE, "9".repeat(400), "", " ", "x".repeat(
        20_000), "\u0000", "\uD83D\uDE80 émoji", true, new JsonArray(), new JsonArray().add(1).add("a"),
        new JsonObject(), new JsonObject().put("unknown", 1), "*/0 * * * *", "../../etc/passwd", "<script>",
        "2026-13-45T99:99:99Z", "SIGKILL; rm -rf", 4294967296L, -0.0};
    for (List<String> p : paths) {
      out.add(without(valid, p));
      for (Object r : replacements) {
        out.add(with(valid, p, r));
      }
    }
    out.add(valid.copy().put("unknown_field", 1));
    out.add(valid.copy().put("", ""));
    JsonObject deep = new JsonObject();
    JsonObject cur = deep;
    for (int i = 0; i < 200; i++) {
      JsonObject next = new JsonObject();
      cur.put("a", next);
      cur = next;
    }
    out.add(valid.copy().put("params", deep));
    return out;
  }

  private static void collect(JsonObject o, List<String> prefix, List<List<String>> out) {
    for (String k : o.fieldNames()) {
      List<String> p = new ArrayList<>(prefix);
      p.add(k);
      out.add(p);
      if (o.getValue(k) instanceof JsonObject child) {
        collect(child, p, out);
      }
    }
  }

  private static JsonObject without(JsonObject o, List<String> path) {
    JsonObject copy = o.copy();
    JsonObject parent = parent(copy, path);
    parent.remove(path.get(path.size() - 1));
    return copy;
  }

  private static JsonObject with(JsonObject o, List<String> path, Object value) {
    JsonObject copy = o.copy();
    parent(copy, path).put(path.get(path.size() - 1), value);
    return copy;
  }

  private static JsonObject parent(JsonObject root, List<String> path) {
    JsonObject cur = root;
    for (int i = 0; i < path.size() - 1; i++) {
      cur = cur.getJsonObject(path.get(i));
    }
    return cur;
  }

  private Object randomJson(int depth) {
    int kind = random.nextInt(depth <= 0 ? 5 : 7);
    return switch (kind) {
      case 0 -> null;
      case 1 -> random.nextBoolean();
      case 2 -> random.nextInt(3) == 0 ? random.nextLong() : random.nextDouble() * Math.pow(10, random.nextInt(40));
      case 3 -> randomString();
      case 4 -> random.nextInt(100) - 50;
      case 5 -> {
        JsonArray a = new JsonArray();
        for (int i = random.nextInt(4); i > 0; i--) {
          a.add(randomJson(depth - 1));
        }
        yield a;
      }
      default -> {
        JsonObject o = new JsonObject();
        String[] keys = {"app", "kind", "target", "params", "options", "name", "cron", "job", "min", "max", "up",
            "down", "alerts", "status", "labels", "count", "machine_ids", "x"};
        for (int i = random.nextInt(5); i > 0; i--) {
          o.put(keys[random.nextInt(keys.length)], randomJson(depth - 1));
        }
        yield o;
      }
    };
  }

  private String randomString() {
    String[] pool = {"web", "start", "stop", "scale", "create", "run", "firing", "resolved", "* * * * *", "", "\u0000",
        "ünï", "-1", "1e999", "null", "{", "app=web", "50%"};
    return pool[random.nextInt(pool.length)];
  }

  private List<byte[]> rawBodies(JsonObject valid) {
    List<byte[]> out = new ArrayList<>();
    String v = valid.encode();
    out.add(new byte[0]);
    out.add("null".getBytes(StandardCharsets.UTF_8));
    out.add("[]".getBytes(StandardCharsets.UTF_8));
    out.add("\"str\"".getBytes(StandardCharsets.UTF_8));
    out.add("12".repeat(3000).getBytes(StandardCharsets.UTF_8));
    out.add(v.substring(0, v.length() / 2).getBytes(StandardCharsets.UTF_8));
    out.add((v + v).getBytes(StandardCharsets.UTF_8));
    out.add(("[".repeat(20_000) + "]".repeat(20_000)).getBytes(StandardCharsets.UTF_8));
    out.add(("{\"a\":".repeat(5_000) + "1" + "}".repeat(5_000)).getBytes(StandardCharsets.UTF_8));
    out.add(("{\"app\":\"web\",\"kind\":\"start\",\"count\":" + "9".repeat(5000) + "}").getBytes(StandardCharsets.UTF_8));
    byte[] bad = v.getBytes(StandardCharsets.UTF_8).clone();
    bad[bad.length / 2] = (byte) 0xC3;
    bad[bad.length / 2 + 1] = (byte) 0x28;
    out.add(bad);
    out.add(new byte[] {(byte) 0xFF, (byte) 0xFE, 0x7B, 0x7D});
    out.add(("{\"app\":\"w\u0000eb\"}").getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < 40; i++) {
      byte[] b = v.getBytes(StandardCharsets.UTF_8).clone();
      for (int j = 0; j < 3; j++) {
        b[random.nextInt(b.length)] = (byte) random.nextInt(256);
      }
      out.add(b);
    }
    return out;
  }
}
