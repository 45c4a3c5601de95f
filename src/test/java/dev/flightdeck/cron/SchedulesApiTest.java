package dev.flightdeck.cron;

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
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The schedules API end to end, on a manual clock. */
@ExtendWith(VertxExtension.class)
class SchedulesApiTest {

  @TempDir
  Path dir;

  private ServerFixture fx;
  private ManualTimeSource clock;
  private Vertx vertx;

  private void start(Vertx vertx, Consumer<JsonObject> tweak) {
    this.vertx = vertx;
    JsonObject cfg = TestConfigs.serveJson(dir);
    tweak.accept(cfg);
    clock = ManualClocks.now();
    fx = ServerFixture.start(vertx, ConfigLoader.bind(cfg, FlightdeckConfig.class, ""), clock);
    fx.server.simulator().seed(new SimConfig.SeedApp("web", 2, List.of("ord"), List.of("app"), "i:1", "stopped"))
        .await();
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  private static JsonObject schedule(String name, String cron) {
    return new JsonObject().put("name", name).put("cron", cron)
        .put("job", new JsonObject().put("app", "web").put("kind", "start")
            .put("target", new JsonObject().put("all", true)));
  }

  private void drive(java.util.function.Supplier<Boolean> done) {
    ManualClocks.drive(vertx, clock, done);
  }

  @Test
  void schedules_are_created_read_listed_replaced_and_deleted(Vertx vertx) {
    start(vertx, c -> { });
    ServerFixture.Answer created = fx.post("/v1/schedules", schedule("nightly", "0 3 * * *")
        .put("time_zone", "Europe/Berlin").put("concurrency_policy", "forbid"));
    assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
    JsonObject s = created.json();
    String id = s.getString("id");
    assertThat(created.headers().get("Location")).isEqualTo("/v1/schedules/" + id);
    assertThat(s.getString("app")).isEqualTo("web");
    assertThat(s.getString("misfire_policy")).isEqualTo("run_once");
    assertThat(s.getLong("starting_deadline_seconds")).isEqualTo(60);
    assertThat(s.getJsonArray("next_fire_times")).hasSize(5);
    String firstFire = s.getJsonArray("next_fire_times").getString(0);
    assertThat(Instant.parse(firstFire).atZone(java.time.ZoneId.of("Europe/Berlin")).getHour()).isEqualTo(3);
    assertThat(s.getString("next_fire_at")).isEqualTo(firstFire);
    assertThat(s.getJsonArray("runs")).isEmpty();

    ServerFixture.Answer dup = fx.post("/v1/schedules", schedule("nightly", "0 4 * * *"));
    assertThat(dup.status()).isEqualTo(409);
    assertThat(dup.error().getString("field")).isEqualTo("name");

    assertThat(fx.get("/v1/schedules").json().getJsonArray("schedules")).hasSize(1);
    assertThat(fx.get("/v1/schedules/" + id).json().getString("cron")).isEqualTo("0 3 * * *");

    ServerFixture.Answer replaced = fx.call(HttpMethod.PUT, "/v1/schedules/" + id,
        schedule("nightly", "@hourly").put("time_zone", "UTC"), TestConfigs.ADMIN_TOKEN, Map.of());
    assertThat(replaced.status()).isEqualTo(200);
    assertThat(replaced.json().getInteger("version")).isEqualTo(2);
    assertThat(Instant.parse(replaced.json().getString("next_fire_at")).getEpochSecond() % 3600).isZero();
    JsonObject otherApp = schedule("nightly", "@hourly");
    otherApp.getJsonObject("job").put("app", "api");
    assertThat(fx.call(HttpMethod.PUT, "/v1/schedules/" + id, otherApp, TestConfigs.ADMIN_TOKEN, Map.of())
        .error().getString("field")).isEqualTo("job.app");

    assertThat(fx.call(HttpMethod.DELETE, "/v1/schedules/" + id, null, TestConfigs.ADMIN_TOKEN, Map.of()).status())
        .isEqualTo(204);
    assertThat(fx.get("/v1/schedules/" + id).status()).isEqualTo(404);
  }

  @Test
  void bad_schedules_are_refused_by_field(Vertx vertx) {
    start(vertx, c -> { });
    record Case(JsonObject body, String field, String contains) {}
    JsonObject badJob = schedule("x", "* * * * *");
    badJob.getJsonObject("job").put("kind", "launch");
    List<Case> cases = List.of(
        new Case(schedule("x", "61 * * * *"), "cron", "'61' in the minute field"),
        new Case(schedule("x", "* * * *"), "cron", "has 4 fields"),
        new Case(schedule("x", "@fortnightly"), "cron", "'@fortnightly'"),
        new Case(schedule("x", "* * * * *").put("time_zone", "Mars/Olympus"), "time_zone", "Mars/Olympus"),
        new Case(schedule("Bad Name", "* * * * *"), "name", "Bad Name"),
        new Case(badJob, "job.kind", "launch"),
        new Case(schedule("x", "* * * * *").put("concurrency_policy", "sometimes"), "concurrency_policy", "sometimes"),
        new Case(schedule("x", "* * * * *").put("jitter_seconds", -1), "jitter_seconds", "-1"),
        new Case(schedule("x", "* * * * *").put("retries", 1), "retries", "unknown"),
        new Case(new JsonObject().put("name", "x").put("cron", "* * * * *"), "job", "required"));
    for (Case c : cases) {
      ServerFixture.Answer a = fx.post("/v1/schedules", c.body());
      assertThat(a.status()).as(c.body().encode()).isEqualTo(422);
      assertThat(a.error().getString("field")).as(c.body().encode()).isEqualTo(c.field());
      assertThat(a.error().getString("message")).contains(c.contains());
    }
    assertThat(fx.get("/v1/schedules").json().getJsonArray("schedules")).isEmpty();
    ServerFixture.Answer reader = fx.call(HttpMethod.POST, "/v1/schedules", schedule("r", "* * * * *"),
        TestConfigs.READ_TOKEN, Map.of());
    assertThat(reader.status()).isEqualTo(403);
  }

  @Test
  void a_tick_becomes_a_job_that_runs_and_shows_up_as_a_run(Vertx vertx) {
    start(vertx, c -> { });
    String id = fx.post("/v1/schedules", schedule("minutely", "* * * * *")).json().getString("id");
    long next = Instant.parse(fx.get("/v1/schedules/" + id).json().getString("next_fire_at")).toEpochMilli();
    drive(() -> clock.millis() > next + 1000 && fx.get("/v1/schedules/" + id).json().getJsonArray("runs").size() == 1
        && fx.get("/v1/schedules/" + id).json().getJsonArray("runs").getJsonObject(0).getString("state")
            .equals("succeeded"));
    JsonObject run = fx.get("/v1/schedules/" + id).json().getJsonArray("runs").getJsonObject(0);
    assertThat(run.getString("fired_as")).isEqualTo("tick");
    assertThat(run.getString("scheduled_at")).isEqualTo(Instant.ofEpochMilli(next).toString());
    JsonObject job = fx.get("/v1/jobs/" + run.getString("job_id")).json();
    assertThat(job.getString("schedule_id")).isEqualTo(id);
    assertThat(job.getString("submitted_by")).isEqualTo("schedule:minutely");
  }

  @Test
  void forbid_records_a_skip_while_the_previous_run_is_busy(Vertx vertx) {
    start(vertx, c -> c.getJsonObject("sim").getJsonObject("latency").put("start_ms", 3_600_000));
    String id = fx.post("/v1/schedules", schedule("busy", "* * * * *").put("concurrency_policy", "forbid"))
        .json().getString("id");
    drive(() -> fx.get("/v1/schedules/" + id).json().getJsonArray("skips").size() >= 1);
    JsonObject s = fx.get("/v1/schedules/" + id).json();
    JsonArray runs = s.getJsonArray("runs");
    assertThat(runs).hasSize(1);
    assertThat(runs.getJsonObject(0).getString("state")).isEqualTo("running");
    assertThat(s.getJsonArray("skips").getJsonObject(0).getString("reason"))
        .isEqualTo("previous run still running (job " + runs.getJsonObject(0).getString("job_id") + ")");
  }

  @Test
  void pause_resume_and_trigger(Vertx vertx) {
    start(vertx, c -> { });
    String id = fx.post("/v1/schedules", schedule("p", "0 0 1 1 *")).json().getString("id");
    JsonObject paused = fx.post("/v1/schedules/" + id + "/pause", null).json();
    assertThat(paused.getBoolean("paused")).isTrue();
    assertThat(paused.getJsonArray("next_fire_times")).isEmpty();
    assertThat(paused.getValue("next_fire_at")).isNull();
    JsonObject resumed = fx.post("/v1/schedules/" + id + "/resume", null).json();
    assertThat(resumed.getBoolean("paused")).isFalse();
    assertThat(resumed.getJsonArray("next_fire_times")).hasSize(5);
    ServerFixture.Answer triggered = fx.post("/v1/schedules/" + id + "/trigger", null);
    assertThat(triggered.status()).isEqualTo(201);
    assertThat(triggered.json().getString("fired_as")).isEqualTo("manual");
    assertThat(triggered.json().getString("schedule_id")).isEqualTo(id);
  }
}
