package dev.flightdeck.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.config.ConfigLoader;
import dev.flightdeck.config.FlightdeckConfig;
import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.store.JobRecord;
import dev.flightdeck.store.NewJob;
import dev.flightdeck.testing.ServerFixture;
import dev.flightdeck.testing.TestConfigs;
import dev.flightdeck.time.VertxTimeSource;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The durable job path: what a job costs in store writes and API calls, per-app fairness, orphans. */
@ExtendWith(VertxExtension.class)
class JobPathTest {

  private static final Duration T = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  private ServerFixture fx;

  @AfterEach
  void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  private void start(Vertx vertx, Consumer<JsonObject> tweak) {
    JsonObject cfg = TestConfigs.serveJson(dir);
    tweak.accept(cfg);
    FlightdeckConfig config = ConfigLoader.bind(cfg, FlightdeckConfig.class, "");
    fx = ServerFixture.start(vertx, config, new VertxTimeSource(vertx));
  }

  private List<String> seed(String app, int n, String state) {
    fx.server.simulator().seed(new SimConfig.SeedApp(app, n, List.of("ord"), List.of("app"), "i:1", state)).await();
    JsonArray ms = fx.get("/v1/fleet/apps/" + app + "/machines").json().getJsonArray("machines");
    return ms.stream().map(m -> ((JsonObject) m).getString("id")).sorted().toList();
  }

  private static JsonObject job(String app, String kind, String machineId) {
    return new JsonObject().put("app", app).put("kind", kind)
        .put("target", new JsonObject().put("machine_ids", new JsonArray().add(machineId)));
  }

  private long storeWrites() {
    String text = fx.management(HttpMethod.GET, "/metrics").send().await().bodyAsString();
    long n = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith("flightdeck_store_operations_seconds_count{") && line.contains("kind=\"write\"")) {
        n += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return n;
  }

  private JsonObject simRequests() {
    return fx.server.simulator().stats().await().getJsonObject("requests_by_operation");
  }

  private static long machineCalls(JsonObject before, JsonObject after) {
    long n = 0;
    for (String op : after.fieldNames()) {
      if (!op.equals("Machines_list") && !op.startsWith("Apps_")) {
        n += after.getLong(op) - before.getLong(op, 0L);
      }
    }
    return n;
  }

  /** Background writes (polls, heartbeats, pruning) kept out of the count. */
  private static void quiet(JsonObject cfg) {
    cfg.getJsonObject("jobs").put("poll_interval_ms", 600_000).put("heartbeat_interval_ms", 300_000)
        .put("heartbeat_timeout_ms", 600_000);
    cfg.getJsonObject("cron").put("enabled", false);
  }

  @Test
  void a_one_machine_restart_submitted_to_an_idle_instance_costs_an_insert_and_an_end_and_four_api_calls(
      Vertx vertx) {
    start(vertx, JobPathTest::quiet);
    List<String> ids = seed("r", 12, "started");
    // warm-up: the connection pool and the first claim
    fx.awaitEnd(fx.submit(job("r", "restart", ids.get(0))), T);

    long writes0 = storeWrites();
    JsonObject calls0 = simRequests();
    int jobs = 10;
    for (int i = 1; i <= jobs; i++) {
      String target = ids.get(i);
      ServerFixture.Answer submitted = fx.post("/v1/jobs", job("r", "restart", target));
      // stored claimed by the instance it was submitted to: no claim statement takes it from a queue
      assertThat(submitted.json().getString("state")).isEqualTo("running");
      assertThat(submitted.json().getString("owner")).isEqualTo(fx.server.instanceId());
      JsonObject done = fx.awaitEnd(submitted.json().getString("id"), T);
      assertThat(done.getString("state")).as(done.encode()).isEqualTo("succeeded");
      assertThat(done.getInteger("claims")).isEqualTo(1);
      // the slot was never written on its own: it rode with the end, and reads back whole
      assertThat(done.getJsonArray("machines")).singleElement().satisfies(m -> {
        assertThat(((JsonObject) m).getString("machine_id")).isEqualTo(target);
        assertThat(((JsonObject) m).getString("state")).isEqualTo("succeeded");
      });
    }
    long writes = storeWrites() - writes0;
    JsonObject calls = simRequests();

    // insert (claimed) and end: queued, a claim made three; the old path also wrote the plan and every slot change
    assertThat(writes).as("store writes for %d one-machine jobs", jobs).isLessThanOrEqualTo(2L * jobs);
    // lease, restart, wait, release: no read before the restart, the cache knows the newest event
    assertThat(machineCalls(calls0, calls)).as("machine API calls, by operation: %s", calls).isEqualTo(4L * jobs);
    assertThat(calls.getLong("Machines_show", 0L) - calls0.getLong("Machines_show", 0L)).isZero();
  }

  @Test
  void an_app_at_its_running_cap_does_not_hold_back_other_apps(Vertx vertx) {
    start(vertx, cfg -> {
      cfg.getJsonObject("jobs").put("max_running_per_app", 1);
      cfg.getJsonObject("sim").getJsonObject("latency").put("start_ms", 600_000);
    });
    List<String> slow = seed("slow", 2, "stopped");
    List<String> other = seed("other", 1, "started");
    String first = fx.submit(job("slow", "start", slow.get(0)));
    fx.eventually(() -> "running".equals(fx.get("/v1/jobs/" + first).json().getString("state")), T, "first running");
    String second = fx.submit(job("slow", "start", slow.get(1)));
    String elsewhere = fx.submit(job("other", "stop", other.get(0)));

    assertThat(fx.awaitEnd(elsewhere, T).getString("state")).isEqualTo("succeeded");
    assertThat(fx.get("/v1/jobs/" + second).json().getString("state"))
        .as("the app's second job waits for its first").isEqualTo("queued");
    fx.post("/v1/jobs/" + first + "/cancel", null);
    fx.eventually(() -> !"queued".equals(fx.get("/v1/jobs/" + second).json().getString("state")), T,
        "the second job claimed once the first ended");
  }

  @Test
  void replayed_submits_give_back_the_run_slot_they_were_offered(Vertx vertx) {
    start(vertx, cfg -> cfg.getJsonObject("jobs").put("max_running", 1));
    List<String> ids = seed("k", 2, "started");
    JsonObject body = job("k", "restart", ids.get(0));
    ServerFixture.Answer first = fx.call(HttpMethod.POST, "/v1/jobs", body, TestConfigs.ADMIN_TOKEN,
        java.util.Map.of("Idempotency-Key", "once"));
    assertThat(first.status()).isEqualTo(201);
    assertThat(fx.awaitEnd(first.json().getString("id"), T).getString("state")).isEqualTo("succeeded");
    for (int i = 0; i < 3; i++) {
      ServerFixture.Answer again = fx.call(HttpMethod.POST, "/v1/jobs", body, TestConfigs.ADMIN_TOKEN,
        java.util.Map.of("Idempotency-Key", "once"));
      assertThat(again.status()).isEqualTo(200);
      assertThat(again.json().getString("id")).isEqualTo(first.json().getString("id"));
    }
    // with the one slot leaked by a replay, this job would wait forever
    String next = fx.submit(job("k", "restart", ids.get(1)));
    assertThat(fx.awaitEnd(next, T).getString("state")).isEqualTo("succeeded");
    assertThat(fx.server.runner().runningCount().await()).isZero();
  }

  @Test
  void a_scale_down_on_a_shared_store_does_not_stop_machines_another_instance_stopped_behind_its_cache(Vertx vertx) {
    String schema = dev.flightdeck.testing.Postgres.freshSchema();
    try {
      start(vertx, cfg -> {
        cfg.getJsonObject("store").put("url", dev.flightdeck.testing.Postgres.URL).put("schema", schema);
        cfg.getJsonObject("jobs").put("plan_max_age_ms", 600_000);
      });
      List<String> ids = seed("sd", 4, "started"); // the fleet cache has them started
      for (String id : ids) { // another instance stops them all, which this one's cache does not know
        fx.server.fly().stopMachine("sd", id, dev.flightdeck.fly.StopOptions.DEFAULT, null).await();
      }
      JsonObject calls0 = simRequests();
      JsonObject done = fx.awaitEnd(fx.submit(new JsonObject().put("app", "sd").put("kind", "scale")
          .put("params", new JsonObject().put("process_group", "app").put("count", 2).put("down_action", "stop"))), T);

      assertThat(done.getString("state")).as(done.encode()).isEqualTo("succeeded");
      assertThat(done.getJsonArray("machines")).as(done.encode()).hasSize(2);
      JsonObject calls = simRequests();
      assertThat(calls.getLong("Machines_stop", 0L) - calls0.getLong("Machines_stop", 0L))
          .as("stops sent to stopped machines").isZero();
      assertThat(calls.getLong("Machines_show", 0L) - calls0.getLong("Machines_show", 0L))
          .as("each picked machine read under its lease").isEqualTo(2);
    } finally {
      fx.close();
      fx = null;
      dev.flightdeck.testing.Postgres.drop(schema);
    }
  }

  @Test
  void a_job_held_in_the_store_but_not_running_here_is_handed_back_and_resumed(Vertx vertx) {
    start(vertx, cfg -> cfg.getJsonObject("jobs").put("poll_interval_ms", 600_000));
    List<String> ids = seed("o", 1, "started");
    String me = fx.server.instanceId();
    long now = System.currentTimeMillis();
    JsonObject body = job("o", "stop", ids.get(0));
    fx.server.store().insert(new NewJob("orphan-1", "o", "stop", body, 0, null, null, "test", now)).await();
    // a claim whose answer never reached the runner (a lost reply): owned here, run nowhere
    List<JobRecord> claimed = fx.server.store().claim(me, 1, now, Long.MIN_VALUE, Set.of()).await();
    assertThat(claimed).extracting(JobRecord::id).containsExactly("orphan-1");

    JsonObject done = fx.awaitEnd("orphan-1", T);
    assertThat(done.getString("state")).as(done.encode()).isEqualTo("succeeded");
    assertThat(done.getInteger("claims")).as("claimed again after the hand-back").isEqualTo(2);
  }

  @Test
  void a_restart_of_machines_that_are_not_running_reports_them_skipped_without_a_call(Vertx vertx) {
    start(vertx, cfg -> { });
    List<String> ids = seed("nr", 3, "stopped");
    JsonObject calls0 = simRequests();
    JsonObject body = new JsonObject().put("app", "nr").put("kind", "restart")
        .put("target", new JsonObject().put("machine_ids", new JsonArray(List.copyOf(ids))));
    JsonObject done = fx.awaitEnd(fx.submit(body), T);
    assertThat(done.getString("state")).as(done.encode()).isEqualTo("succeeded");
    assertThat(done.getJsonArray("machines")).hasSize(3).allSatisfy(m -> {
      assertThat(((JsonObject) m).getString("state")).isEqualTo("skipped");
      assertThat(((JsonObject) m).getString("error_code")).isEqualTo("not_running");
    });
    assertThat(simRequests().getLong("Machines_restart", 0L) - calls0.getLong("Machines_restart", 0L)).isZero();
  }

  @Test
  void a_suspend_of_stopped_machines_and_a_stop_of_machines_whose_boot_failed_are_skipped_without_a_call(Vertx vertx) {
    start(vertx, cfg -> { });
    List<String> stopped = seed("ns", 2, "stopped");
    List<String> broken = seed("nf", 2, "stopped");
    fx.server.simulator().setFaults(new SimConfig.Faults(1, 0, 0, 0, 0, 0, 0, false, List.of(), 1.0)).await();
    JsonObject boot = fx.awaitEnd(fx.submit(new JsonObject().put("app", "nf").put("kind", "start")
        .put("target", new JsonObject().put("machine_ids", new JsonArray(List.copyOf(broken))))), T);
    assertThat(boot.getString("state")).as("every boot fails").isEqualTo("failed");
    fx.server.simulator().setFaults(SimConfig.Faults.none()).await();
    JsonObject calls0 = simRequests();
    for (String[] c : List.of(new String[] {"ns", "suspend"}, new String[] {"nf", "stop"})) {
      List<String> ids = c[0].equals("ns") ? stopped : broken;
      JsonObject done = fx.awaitEnd(fx.submit(new JsonObject().put("app", c[0]).put("kind", c[1])
          .put("target", new JsonObject().put("machine_ids", new JsonArray(List.copyOf(ids))))), T);
      assertThat(done.getString("state")).as(done.encode()).isEqualTo("succeeded");
      assertThat(done.getJsonArray("machines")).as(c[1]).hasSize(2).allSatisfy(m -> {
        assertThat(((JsonObject) m).getString("state")).isEqualTo("skipped");
        assertThat(((JsonObject) m).getString("error_code")).isEqualTo("not_running");
      });
    }
    JsonObject calls = simRequests();
    for (String op : List.of("Machines_stop", "Machines_suspend", "Machines_create_lease")) {
      assertThat(calls.getLong(op, 0L) - calls0.getLong(op, 0L)).as(op).isZero();
    }
  }

  @Test
  void a_stop_job_reads_a_stale_cache_again_and_sends_no_stop_to_machines_stopped_behind_its_back(Vertx vertx) {
    start(vertx, cfg -> cfg.getJsonObject("jobs").put("plan_max_age_ms", 0));
    List<String> ids = seed("sb", 3, "started"); // the fleet cache has them started
    for (String id : ids) { // someone else stops them, straight through the API
      fx.server.fly().stopMachine("sb", id, dev.flightdeck.fly.StopOptions.DEFAULT, null).await();
    }
    fx.eventually(() -> ids.stream().allMatch(id -> "stopped".equals(fx.server.fly().getMachine("sb", id).await()
        .state())), T, "the machines stopped");
    long stops = simRequests().getLong("Machines_stop", 0L);
    JsonObject done = fx.awaitEnd(fx.submit(new JsonObject().put("app", "sb").put("kind", "stop")
        .put("target", new JsonObject().put("machine_ids", new JsonArray(List.copyOf(ids))))), T);
    assertThat(done.getString("state")).as(done.encode()).isEqualTo("succeeded");
    assertThat(done.getJsonArray("machines")).allSatisfy(m -> assertThat(((JsonObject) m).getString("state"))
        .isEqualTo("skipped"));
    assertThat(simRequests().getLong("Machines_stop", 0L)).as("no stop sent to a stopped machine").isEqualTo(stops);
  }

  @Test
  void a_run_whose_create_answer_is_lost_after_the_machine_already_ran_and_was_destroyed_is_not_run_again(
      Vertx vertx) {
    start(vertx, cfg -> cfg.getJsonObject("fly").put("request_timeout_ms", 500));
    seed("once", 0, "stopped");
    // every create is applied at once, answered after the client gave up: the machine runs 50 ms,
    // exits and is destroyed (auto_destroy) long before Flightdeck looks for it by its tag
    fx.server.simulator().setFaults(new SimConfig.Faults(1, 0, 0, 1.0, 1_500, 0, 0, false, List.of("Machines_create"),
        0)).await();
    JsonObject done = fx.awaitEnd(fx.submit(new JsonObject().put("app", "once").put("kind", "run").put("params",
        new JsonObject().put("count", 1).put("config", new JsonObject().put("image", "registry.fly.io/batch:1")
            .put("env", new JsonObject().put("SIM_RUN_MS", "50"))))), T);
    assertThat(simRequests().getLong("Machines_create", 0L)).as("the work ran once").isEqualTo(1);
    assertThat(done.getString("state")).as(done.encode()).isEqualTo("succeeded");
    assertThat(done.getJsonArray("machines")).singleElement()
        .satisfies(m -> assertThat(((JsonObject) m).getInteger("exit_code")).isZero());
  }

  @Test
  void a_run_longer_than_one_operations_timeout_is_waited_for_until_the_jobs_own_timeout(Vertx vertx) {
    start(vertx, cfg -> cfg.getJsonObject("dispatch").put("op_timeout_ms", 1_000));
    seed("long", 0, "stopped");
    JsonObject done = fx.awaitEnd(fx.submit(new JsonObject().put("app", "long").put("kind", "run").put("params",
        new JsonObject().put("count", 1).put("config", new JsonObject().put("image", "registry.fly.io/batch:1")
            .put("env", new JsonObject().put("SIM_RUN_MS", "2500"))))), T);
    assertThat(done.getString("state")).as(done.encode()).isEqualTo("succeeded");
    assertThat(done.getJsonArray("machines")).singleElement()
        .satisfies(m -> assertThat(((JsonObject) m).getInteger("exit_code")).isZero());
  }

  @Test
  void a_run_whose_machine_fails_to_boot_ends_failed_with_the_exit_code_instead_of_waiting(Vertx vertx) {
    start(vertx, cfg -> { });
    seed("rb", 0, "stopped");
    fx.server.simulator().setFaults(new SimConfig.Faults(1, 0, 0, 0, 0, 0, 0, false, List.of(), 1.0)).await();
    JsonObject done = fx.awaitEnd(fx.submit(new JsonObject().put("app", "rb").put("kind", "run").put("params",
        new JsonObject().put("count", 1).put("config", new JsonObject().put("image", "registry.fly.io/batch:1")
            .put("env", new JsonObject().put("SIM_RUN_MS", "50"))))), T);
    assertThat(done.getString("state")).as(done.encode()).isEqualTo("failed");
    assertThat(done.getJsonArray("machines")).singleElement()
        .satisfies(m -> assertThat(((JsonObject) m).getInteger("exit_code")).as("the failed boot's exit code").isEqualTo(1));
  }

  @Test
  void a_scale_job_with_a_direction_never_moves_the_other_way(Vertx vertx) {
    start(vertx, cfg -> { });
    seed("sd", 6, "started");
    JsonObject calls0 = simRequests();
    // an up-scale to 2 finds 6 running (a manual job brought them up meanwhile): it stops none
    JsonObject up = fx.awaitEnd(fx.submit(new JsonObject().put("app", "sd").put("kind", "scale").put("params",
        new JsonObject().put("process_group", "app").put("count", 2).put("direction", "up"))), T);
    assertThat(up.getString("state")).as(up.encode()).isEqualTo("succeeded");
    assertThat(up.getJsonArray("machines")).isEmpty();
    // a down-scale to 8 finds 6: it starts or creates none
    JsonObject down = fx.awaitEnd(fx.submit(new JsonObject().put("app", "sd").put("kind", "scale").put("params",
        new JsonObject().put("process_group", "app").put("count", 8).put("direction", "down"))), T);
    assertThat(down.getString("state")).as(down.encode()).isEqualTo("succeeded");
    assertThat(down.getJsonArray("machines")).isEmpty();
    JsonObject calls = simRequests();
    for (String op : List.of("Machines_stop", "Machines_suspend", "Machines_start", "Machines_create")) {
      assertThat(calls.getLong(op, 0L) - calls0.getLong(op, 0L)).as(op).isZero();
    }
    // without a direction the same scale does move the group down
    JsonObject any = fx.awaitEnd(fx.submit(new JsonObject().put("app", "sd").put("kind", "scale").put("params",
        new JsonObject().put("process_group", "app").put("count", 2))), T);
    assertThat(any.getJsonArray("machines")).hasSize(4);
  }
}
