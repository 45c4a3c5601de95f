package dev.flightdeck.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.config.ConfigLoader;
import dev.flightdeck.config.FlightdeckConfig;
import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.testing.ServerFixture;
import dev.flightdeck.testing.TestConfigs;
import dev.flightdeck.time.VertxTimeSource;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job handed back mid-way (as on SIGTERM) and resumed carries on without repeating what its first
 * run already did: the machines it had acted on are read, not acted on again.
 */
@ExtendWith(VertxExtension.class)
class JobResumeTest {

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

  /** No poll, heartbeat or takeover resumes the job on its own: the test says when. */
  private void start(Vertx vertx, String transitionKey, int transitionMs) {
    JsonObject cfg = TestConfigs.serveJson(dir);
    cfg.getJsonObject("jobs").put("poll_interval_ms", 600_000).put("heartbeat_interval_ms", 300_000)
        .put("heartbeat_timeout_ms", 600_000);
    cfg.getJsonObject("cron").put("enabled", false);
    cfg.getJsonObject("sim").getJsonObject("latency").put(transitionKey, transitionMs);
    FlightdeckConfig config = ConfigLoader.bind(cfg, FlightdeckConfig.class, "");
    fx = ServerFixture.start(vertx, config, new VertxTimeSource(vertx));
  }

  private List<String> seed(String app, int n, String state) {
    fx.server.simulator().seed(new SimConfig.SeedApp(app, n, List.of("ord"), List.of("app"), "i:1", state)).await();
    JsonArray ms = fx.get("/v1/fleet/apps/" + app + "/machines").json().getJsonArray("machines");
    return ms.stream().map(m -> ((JsonObject) m).getString("id")).sorted().toList();
  }

  private long calls(String operation) {
    return fx.server.simulator().stats().await().getJsonObject("requests_by_operation").getLong(operation, 0L);
  }

  private boolean allIn(String app, List<String> ids, String state) {
    for (String id : ids) {
      if (!state.equals(fx.server.fly().getMachine(app, id).await().state())) {
        return false;
      }
    }
    return true;
  }

  /** What shutdown does after its grace: hand the running jobs back, let leases go, clear the claims. */
  private void handBack(String jobId) {
    List<String> ids = fx.server.runner().handBackAll().await();
    assertThat(ids).containsExactly(jobId);
    fx.eventually(() -> {
      var s = fx.server.dispatcher().stats().await();
      return s.inFlight() == 0 && s.leasesHeld() == 0;
    }, T, "the handed-back job's operations cancelled and their leases released");
    assertThat(fx.server.store().releaseClaims(fx.server.instanceId(), ids).await()).isEqualTo(1);
  }

  private JsonObject resume(String jobId) {
    fx.server.runner().resumeHandedBack();
    JsonObject done = fx.awaitEnd(jobId, T);
    assertThat(done.getInteger("claims")).as("resumed under a second claim").isEqualTo(2);
    String metrics = fx.management(io.vertx.core.http.HttpMethod.GET, "/metrics").send().await().bodyAsString();
    assertThat(metrics).as("a job its own instance gave back is resumed, not taken over")
        .contains("flightdeck_jobs_takeovers_total 0.0");
    return done;
  }

  private static JsonObject job(String app, String kind, List<String> ids) {
    return new JsonObject().put("app", app).put("kind", kind)
        .put("target", new JsonObject().put("machine_ids", new JsonArray(List.copyOf(ids))));
  }

  /**
   * Runs a {@code kind} job over {@code n} started machines of {@code app} until every action is
   * sent, hands it back, lets the machines settle in {@code settled} while nobody runs it, resumes it,
   * and checks it succeeded having sent each action once over both runs.
   */
  private void handedBackAndSettledBeforeResuming(String app, int n, String kind, String operation, String settled) {
    List<String> ids = seed(app, n, "started");
    String id = fx.submit(job(app, kind, ids));
    fx.eventually(() -> calls(operation) == n, T, "every " + kind + " sent");
    handBack(id);
    fx.eventually(() -> allIn(app, ids, settled), T, "the machines " + settled);

    JsonObject done = resume(id);
    assertThat(done.getString("state")).as(done.encode()).isEqualTo("succeeded");
    assertThat(calls(operation)).as(operation + " sent over both runs").isEqualTo(n);
  }

  @Test
  void a_resumed_restart_job_does_not_restart_machines_its_first_run_restarted(Vertx vertx) {
    start(vertx, "restart_ms", 1_500);
    handedBackAndSettledBeforeResuming("rs", 6, "restart", "Machines_restart", "started");
  }

  @Test
  void a_resumed_restart_job_waits_for_machines_still_restarting_instead_of_failing(Vertx vertx) {
    start(vertx, "restart_ms", 4_000);
    List<String> ids = seed("rr", 4, "started");
    String id = fx.submit(job("rr", "restart", ids));
    fx.eventually(() -> calls("Machines_restart") == 4, T, "all four restarts sent");
    handBack(id);
    assertThat(allIn("rr", ids, "restarting")).as("still restarting when the job resumes").isTrue();

    JsonObject done = resume(id);
    assertThat(done.getString("state")).as(done.encode()).isEqualTo("succeeded");
    assertThat(calls("Machines_restart")).as("restarts sent over both runs").isEqualTo(4);
  }

  @Test
  void a_resumed_stop_job_sends_no_second_stop_to_machines_already_stopped(Vertx vertx) {
    start(vertx, "stop_ms", 1_000);
    handedBackAndSettledBeforeResuming("st", 5, "stop", "Machines_stop", "stopped");
  }

  @Test
  void a_resumed_one_machine_job_whose_plan_was_never_written_does_not_act_twice(Vertx vertx) {
    start(vertx, "restart_ms", 1_500);
    handedBackAndSettledBeforeResuming("one", 1, "restart", "Machines_restart", "started");
  }
}
