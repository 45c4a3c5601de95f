package dev.flightdeck.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.fly.ListMachinesQuery;
import dev.flightdeck.fly.Machine;
import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.testing.ServerFixture;
import dev.flightdeck.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Every job kind end to end through the HTTP API against the embedded simulator. */
@ExtendWith(VertxExtension.class)
class JobsApiTest {

  private static final Duration T = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  private ServerFixture fx;

  @BeforeEach
  void start(Vertx vertx) {
    fx = ServerFixture.start(vertx, dir);
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  private void seed(String app, int n, String state) {
    fx.server.simulator().seed(new SimConfig.SeedApp(app, n, List.of("ord", "ams"), List.of("app", "worker"),
        "registry.fly.io/" + app + ":v1", state)).await();
  }

  private List<Machine> machines(String app) {
    return fx.server.fly().listMachines(app, ListMachinesQuery.ALL).await();
  }

  private List<JsonObject> journal(String app) {
    JsonArray a = fx.server.simulator().journal(app, null, 0).await().getJsonArray("entries");
    return a.stream().map(o -> (JsonObject) o).toList();
  }

  private static JsonObject job(String app, String kind) {
    return new JsonObject().put("app", app).put("kind", kind);
  }

  private static List<JsonObject> results(JsonObject job) {
    return job.getJsonArray("machines").stream().map(o -> (JsonObject) o).toList();
  }

  @Test
  void a_start_job_by_selector_starts_the_group_and_skips_machines_already_running() {
    seed("web", 8, "stopped");
    Machine already = machines("web").stream().filter(m -> "worker".equals(m.processGroup())).findFirst().orElseThrow();
    fx.server.fly().startMachine("web", already.id(), null).await();

    ServerFixture.Answer submitted = fx.post("/v1/jobs", job("web", "start")
        .put("target", new JsonObject().put("process_group", "worker")));
    assertThat(submitted.status()).isEqualTo(201);
    assertThat(submitted.headers().get("Location")).isEqualTo("/v1/jobs/" + submitted.json().getString("id"));
    assertThat(submitted.json().getString("state")).isEqualTo("running");
    JsonObject done = fx.awaitEnd(submitted.json().getString("id"), T);

    assertThat(done.getString("state")).isEqualTo("succeeded");
    assertThat(done.getJsonObject("progress").getInteger("total")).isEqualTo(4);
    assertThat(done.getJsonObject("progress").getInteger("succeeded")).isEqualTo(3);
    assertThat(done.getJsonObject("progress").getInteger("skipped")).isEqualTo(1);
    assertThat(results(done)).filteredOn(r -> r.getString("machine_id").equals(already.id())).singleElement()
        .satisfies(r -> assertThat(r.getString("state")).isEqualTo("skipped"));
    assertThat(results(done)).filteredOn(r -> r.getString("state").equals("succeeded"))
        .allSatisfy(r -> assertThat(r.getInteger("attempts")).isGreaterThanOrEqualTo(1));
    assertThat(machines("web")).filteredOn(m -> "worker".equals(m.processGroup()))
        .allMatch(m -> m.state().equals("started"));
    assertThat(machines("web")).filteredOn(m -> "app".equals(m.processGroup()))
        .allMatch(m -> m.state().equals("stopped"));
    assertThat(done.getString("started_at")).isNotNull();
    assertThat(done.getLong("duration_ms")).isNotNull();
  }

  @Test
  void stop_suspend_restart_and_destroy_jobs_reach_their_states() {
    seed("ops", 4, "started");
    List<String> ids = machines("ops").stream().map(Machine::id).toList();
    JsonObject suspend = fx.awaitEnd(fx.submit(job("ops", "suspend").put("target",
        new JsonObject().put("machine_ids", new JsonArray(ids.subList(0, 1))))), T);
    JsonObject restart = fx.awaitEnd(fx.submit(job("ops", "restart").put("target",
        new JsonObject().put("machine_ids", new JsonArray(ids.subList(1, 2))))), T);
    JsonObject stop = fx.awaitEnd(fx.submit(job("ops", "stop").put("target",
            new JsonObject().put("machine_ids", new JsonArray(ids.subList(2, 4))))
        .put("params", new JsonObject().put("signal", "SIGTERM").put("timeout", "5s"))), T);
    JsonObject destroy = fx.awaitEnd(fx.submit(job("ops", "destroy").put("target",
        new JsonObject().put("machine_ids", new JsonArray(ids.subList(3, 4))))), T);

    assertThat(List.of(suspend, restart, stop, destroy)).allMatch(j -> j.getString("state").equals("succeeded"));
    Map<String, String> states = fx.server.fly().listMachines("ops", ListMachinesQuery.ALL.withIncludeDeleted(true))
        .await().stream().collect(Collectors.toMap(Machine::id, Machine::state));
    assertThat(states.get(ids.get(0))).isEqualTo("suspended");
    assertThat(states.get(ids.get(1))).isEqualTo("started");
    assertThat(states.get(ids.get(2))).isEqualTo("stopped");
    assertThat(states.get(ids.get(3))).isEqualTo("destroyed");
    assertThat(journal("ops").stream().filter(e -> e.getString("action").equals("stop"))
        .map(e -> e.getJsonObject("detail").getString("signal"))).containsOnly("SIGTERM");
  }

  @Test
  void a_create_job_makes_n_tagged_machines_spread_over_regions() {
    fx.server.fly().createApp(new dev.flightdeck.fly.CreateAppRequest("new", "personal", null)).await();
    JsonObject done = fx.awaitEnd(fx.submit(job("new", "create").put("params", new JsonObject().put("count", 4)
        .put("regions", new JsonArray().add("ord").add("ams"))
        .put("config", new JsonObject().put("image", "registry.fly.io/new:1")
            .put("metadata", new JsonObject().put("fly_process_group", "app"))))), T);
    assertThat(done.getString("state")).isEqualTo("succeeded");
    List<Machine> ms = machines("new");
    assertThat(ms).hasSize(4).allMatch(m -> m.state().equals("started"));
    assertThat(ms.stream().map(Machine::region).collect(Collectors.groupingBy(r -> r, Collectors.counting())))
        .containsEntry("ord", 2L).containsEntry("ams", 2L);
    assertThat(ms.stream().map(m -> m.config().metadata("flightdeck_op")))
        .containsExactlyInAnyOrder(done.getString("id") + "/0", done.getString("id") + "/1",
            done.getString("id") + "/2", done.getString("id") + "/3");
    assertThat(results(done)).extracting(r -> r.getString("machine_id"))
        .containsExactlyInAnyOrderElementsOf(ms.stream().map(Machine::id).toList());
  }

  @Test
  void a_rolling_update_changes_every_machine_keeping_stopped_ones_stopped() {
    seed("roll", 6, "started");
    List<Machine> before = machines("roll");
    fx.server.fly().stopMachine("roll", before.get(0).id(), null, null).await();
    fx.eventually(() -> machines("roll").get(0).state().equals("stopped"), T, "machine 0 stopped");

    JsonObject done = fx.awaitEnd(fx.submit(job("roll", "update").put("target", new JsonObject().put("all", true))
        .put("params", new JsonObject().put("image", "registry.fly.io/roll:v2").put("max_unavailable", 2))), T);

    assertThat(done.getString("state")).isEqualTo("succeeded");
    List<Machine> after = machines("roll");
    assertThat(after).allMatch(m -> m.config().image().equals("registry.fly.io/roll:v2"));
    assertThat(after.get(0).state()).as("a stopped machine is updated without being started").isEqualTo("stopped");
    assertThat(after.subList(1, 6)).allMatch(m -> m.state().equals("started"));
    List<JsonObject> updates = journal("roll").stream().filter(e -> e.getString("action").equals("update")).toList();
    assertThat(updates).hasSize(6);
    assertThat(updates.get(0).getString("machine_id")).as("not-running machines go first").isEqualTo(before.get(0).id());
  }

  @Test
  void scaling_up_starts_idle_machines_before_creating_and_scaling_down_suspends_the_newest() {
    seed("sc", 8, "stopped"); // 4 in group worker
    List<Machine> workers = machines("sc").stream().filter(m -> "worker".equals(m.processGroup())).toList();
    fx.server.fly().startMachine("sc", workers.get(0).id(), null).await();
    fx.server.fly().startMachine("sc", workers.get(1).id(), null).await();
    fx.eventually(() -> machines("sc").stream().filter(m -> m.state().equals("started")).count() == 2, T, "2 up");
    fx.server.fly().suspendMachine("sc", workers.get(1).id(), null).await();
    fx.eventually(() -> machines("sc").stream().anyMatch(m -> m.state().equals("suspended")), T, "one suspended");
    long since = fx.server.simulator().journal().await().getLong("last_seq");

    JsonObject up = fx.awaitEnd(fx.submit(job("sc", "scale").put("params", new JsonObject()
        .put("process_group", "worker").put("count", 6))), T);
    assertThat(up.getString("state")).isEqualTo("succeeded");
    List<Machine> nowWorkers = machines("sc").stream().filter(m -> "worker".equals(m.processGroup())).toList();
    assertThat(nowWorkers.stream().filter(m -> m.state().equals("started"))).hasSize(6);
    List<String> actions = fx.server.simulator().journal("sc", null, since).await().getJsonArray("entries").stream()
        .map(o -> ((JsonObject) o).getString("action"))
        .filter(a -> a.equals("start") || a.equals("create")).toList();
    assertThat(actions).containsExactly("start", "start", "start", "create", "create");
    assertThat(nowWorkers.stream().filter(m -> m.config().metadata("flightdeck_op") != null))
        .hasSize(2).allMatch(m -> m.config().image().equals("registry.fly.io/sc:v1"));

    JsonObject down = fx.awaitEnd(fx.submit(job("sc", "scale").put("params", new JsonObject()
        .put("process_group", "worker").put("count", 1).put("down_action", "suspend"))), T);
    assertThat(down.getString("state")).isEqualTo("succeeded");
    List<Machine> finalWorkers = machines("sc").stream().filter(m -> "worker".equals(m.processGroup())).toList();
    assertThat(finalWorkers.stream().filter(m -> m.state().equals("started"))).hasSize(1);
    assertThat(finalWorkers.stream().filter(m -> m.state().equals("suspended"))).hasSize(5);
    assertThat(finalWorkers.stream().filter(m -> m.config().metadata("flightdeck_op") != null))
        .as("the newest (created) machines went first").allMatch(m -> m.state().equals("suspended"));
  }

  private static JsonObject runJob(String app, int count, int exitCode) {
    return job(app, "run").put("params", new JsonObject().put("count", count).put("config", new JsonObject()
        .put("image", "registry.fly.io/batch:1")
        .put("env", new JsonObject().put("SIM_RUN_MS", "50").put("SIM_EXIT_CODE", Integer.toString(exitCode)))));
  }

  @Test
  void a_run_job_records_exit_codes_and_fails_unless_all_are_zero() {
    fx.server.fly().createApp(new dev.flightdeck.fly.CreateAppRequest("batch", "personal", null)).await();
    JsonObject ok = fx.awaitEnd(fx.submit(runJob("batch", 3, 0)), T);
    assertThat(ok.getString("state")).isEqualTo("succeeded");
    assertThat(results(ok)).allSatisfy(r -> assertThat(r.getInteger("exit_code")).isZero());
    assertThat(ok.getJsonObject("result").getJsonObject("exit_codes")).hasSize(3);

    JsonObject bad = fx.awaitEnd(fx.submit(runJob("batch", 2, 3)), T);
    assertThat(bad.getString("state")).isEqualTo("failed");
    assertThat(results(bad)).allSatisfy(r -> {
      assertThat(r.getInteger("exit_code")).isEqualTo(3);
      assertThat(r.getString("error")).isEqualTo("exited with code 3");
    });

    JsonObject threeIsFine = runJob("batch", 1, 3);
    threeIsFine.getJsonObject("params").put("success_exit_codes", new JsonArray().add(0).add(3));
    assertThat(fx.awaitEnd(fx.submit(threeIsFine), T).getString("state")).isEqualTo("succeeded");
    JsonObject anyIsFine = runJob("batch", 1, 9);
    anyIsFine.getJsonObject("params").put("allow_failure", true);
    assertThat(fx.awaitEnd(fx.submit(anyIsFine), T).getString("state")).isEqualTo("succeeded");
    // ephemeral machines clean themselves up
    fx.eventually(() -> machines("batch").isEmpty(), T, "run machines destroyed");
  }

  @Test
  void an_idempotency_key_returns_the_same_job_for_the_same_body_and_409_for_another() {
    seed("idem", 2, "stopped");
    JsonObject body = job("idem", "start").put("target", new JsonObject().put("all", true));
    Map<String, String> key = Map.of("Idempotency-Key", "deploy-42");
    ServerFixture.Answer first = fx.call(io.vertx.core.http.HttpMethod.POST, "/v1/jobs", body,
        TestConfigs.ADMIN_TOKEN, key);
    // same content, keys in another order
    JsonObject reordered = new JsonObject().put("target", new JsonObject().put("all", true)).put("kind", "start")
        .put("app", "idem");
    ServerFixture.Answer again = fx.call(io.vertx.core.http.HttpMethod.POST, "/v1/jobs", reordered,
        TestConfigs.ADMIN_TOKEN, key);
    ServerFixture.Answer other = fx.call(io.vertx.core.http.HttpMethod.POST, "/v1/jobs",
        job("idem", "stop").put("target", new JsonObject().put("all", true)), TestConfigs.ADMIN_TOKEN, key);

    assertThat(first.status()).isEqualTo(201);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.headers().get("Idempotent-Replayed")).isEqualTo("true");
    assertThat(again.json().getString("id")).isEqualTo(first.json().getString("id"));
    assertThat(other.status()).isEqualTo(409);
    assertThat(other.error().getString("field")).isEqualTo("Idempotency-Key");
    assertThat(fx.get("/v1/jobs?app=idem").json().getJsonArray("jobs")).hasSize(1);
  }

  @Test
  void a_dry_run_returns_the_plan_and_changes_nothing() {
    seed("dry", 4, "stopped");
    ServerFixture.Answer plan = fx.post("/v1/jobs", job("dry", "start").put("target",
            new JsonObject().put("region", "ord"))
        .put("options", new JsonObject().put("dry_run", true)));
    assertThat(plan.status()).isEqualTo(200);
    assertThat(plan.json().getBoolean("dry_run")).isTrue();
    assertThat(plan.json().getInteger("operations")).isEqualTo(2);
    assertThat(plan.json().getJsonArray("plan")).hasSize(2).allSatisfy(o ->
        assertThat(((JsonObject) o).getString("action")).isEqualTo("start"));
    assertThat(fx.get("/v1/jobs").json().getJsonArray("jobs")).isEmpty();
    assertThat(journal("dry")).isEmpty();
  }

  @Test
  void listing_filters_and_pages_with_a_cursor() {
    seed("la", 1, "stopped");
    seed("lb", 1, "stopped");
    for (int i = 0; i < 5; i++) {
      fx.submit(job(i % 2 == 0 ? "la" : "lb", "start").put("target", new JsonObject().put("all", true)));
    }
    JsonObject p1 = fx.get("/v1/jobs?limit=2").json();
    JsonObject p2 = fx.get("/v1/jobs?limit=2&cursor=" + p1.getString("next_cursor")).json();
    JsonObject p3 = fx.get("/v1/jobs?limit=2&cursor=" + p2.getString("next_cursor")).json();
    assertThat(p1.getJsonArray("jobs")).hasSize(2);
    assertThat(p3.getJsonArray("jobs")).hasSize(1);
    assertThat(p3.getString("next_cursor")).isNull();
    Set<String> ids = new java.util.HashSet<>();
    for (JsonObject p : List.of(p1, p2, p3)) {
      p.getJsonArray("jobs").forEach(j -> ids.add(((JsonObject) j).getString("id")));
    }
    assertThat(ids).hasSize(5);
    assertThat(fx.get("/v1/jobs?app=la").json().getJsonArray("jobs")).hasSize(3);
    assertThat(fx.get("/v1/jobs?kind=stop").json().getJsonArray("jobs")).isEmpty();
    assertThat(fx.get("/v1/jobs?created_after=2000-01-01T00:00:00Z&kind=start").json().getJsonArray("jobs")).hasSize(5);
    assertThat(fx.get("/v1/jobs?created_before=2000-01-01T00:00:00Z").json().getJsonArray("jobs")).isEmpty();
  }
}
