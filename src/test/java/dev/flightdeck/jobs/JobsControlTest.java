package dev.flightdeck.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.config.ConfigLoader;
import dev.flightdeck.config.FlightdeckConfig;
import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.testing.ServerFixture;
import dev.flightdeck.testing.TestConfigs;
import dev.flightdeck.time.VertxTimeSource;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Cancel, the event stream, failure policies and timeouts. */
@ExtendWith(VertxExtension.class)
class JobsControlTest {

  private static final Duration T = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  private ServerFixture fx;

  @AfterEach
  void stop() {
    fx.close();
  }

  private void start(Vertx vertx, Consumer<JsonObject> tweak) {
    JsonObject cfg = TestConfigs.serveJson(dir);
    tweak.accept(cfg);
    FlightdeckConfig config = ConfigLoader.bind(cfg, FlightdeckConfig.class, "");
    fx = ServerFixture.start(vertx, config, new VertxTimeSource(vertx));
  }

  private void seed(String app, int n, String state) {
    fx.server.simulator().seed(new SimConfig.SeedApp(app, n, List.of("ord"), List.of("app"), "i:1", state)).await();
  }

  private static JsonObject job(String app, String kind) {
    return new JsonObject().put("app", app).put("kind", kind).put("target", new JsonObject().put("all", true));
  }

  private JsonArray leases() {
    return fx.server.simulator().leases(null).await().getJsonArray("leases");
  }

  private long starts(String app) {
    return fx.server.simulator().journal(app, null, 0).await().getJsonArray("entries").stream()
        .filter(e -> ((JsonObject) e).getString("action").equals("start")).count();
  }

  @Test
  void cancelling_a_running_job_stops_it_cleanly(Vertx vertx) {
    start(vertx, cfg -> cfg.getJsonObject("sim").getJsonObject("latency").put("start_ms", 60_000));
    seed("slow", 6, "stopped");
    String id = fx.submit(job("slow", "start").put("options", new JsonObject().put("max_concurrent", 2)));
    fx.eventually(() -> starts("slow") == 2, T, "two machines starting");

    ServerFixture.Answer cancel = fx.post("/v1/jobs/" + id + "/cancel", null);
    assertThat(cancel.status()).isEqualTo(202);
    assertThat(cancel.json().getBoolean("cancel_requested")).isTrue();
    JsonObject done = fx.awaitEnd(id, T);

    assertThat(done.getString("state")).isEqualTo("cancelled");
    assertThat(done.getJsonObject("progress").getInteger("cancelled")).isEqualTo(6);
    assertThat(starts("slow")).isEqualTo(2);
    fx.eventually(() -> leases().isEmpty(), T, "leases released");
    assertThat(fx.post("/v1/jobs/" + id + "/cancel", null).status()).as("already ended").isEqualTo(409);
  }

  @Test
  void a_queued_job_is_cancelled_at_once_and_never_runs(Vertx vertx) {
    start(vertx, cfg -> {
      cfg.getJsonObject("sim").getJsonObject("latency").put("start_ms", 60_000);
      cfg.getJsonObject("jobs").put("max_running", 1);
    });
    seed("q", 2, "stopped");
    String first = fx.submit(job("q", "start"));
    fx.eventually(() -> fx.get("/v1/jobs/" + first).json().getString("state").equals("running"), T, "first running");
    String second = fx.submit(job("q", "stop"));
    ServerFixture.Answer cancel = fx.post("/v1/jobs/" + second + "/cancel", null);
    assertThat(cancel.status()).isEqualTo(202);
    assertThat(cancel.json().getString("state")).isEqualTo("cancelled");
    assertThat(cancel.json().getString("error")).isEqualTo("cancelled before it started");
    fx.post("/v1/jobs/" + first + "/cancel", null);
    fx.awaitEnd(first, T);
    assertThat(fx.get("/v1/jobs/" + second).json().getInteger("claims")).isZero();
  }

  @Test
  void the_event_stream_reports_progress_and_ends_with_the_job(Vertx vertx) {
    start(vertx, cfg -> cfg.getJsonObject("sim").getJsonObject("latency").put("start_ms", 200));
    seed("sse", 4, "stopped");
    String id = fx.submit(job("sse", "start").put("options", new JsonObject().put("max_concurrent", 1)));
    List<String> events = new ArrayList<>();
    Promise<Void> ended = Promise.promise();
    HttpClient client = vertx.createHttpClient();
    client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(fx.server.apiPort())
            .setURI("/v1/jobs/" + id + "/events").addHeader("Authorization", "Bearer " + TestConfigs.ADMIN_TOKEN))
        .compose(req -> req.send())
        .onSuccess((HttpClientResponse res) -> {
          assertThat(res.getHeader("content-type")).isEqualTo("text/event-stream");
          StringBuilder buf = new StringBuilder();
          res.handler(b -> {
            buf.append(b.toString());
            int i;
            while ((i = buf.indexOf("\n\n")) >= 0) {
              String ev = buf.substring(0, i);
              buf.delete(0, i + 2);
              synchronized (events) {
                events.add(ev);
              }
            }
          });
          res.endHandler(v -> ended.tryComplete());
        })
        .onFailure(ended::tryFail);
    ended.future().await();
    client.close();
    assertThat(events.get(0)).startsWith("event: progress");
    assertThat(events.get(events.size() - 1)).startsWith("event: end").contains("\"state\":\"succeeded\"");
    assertThat(events.stream().filter(e -> e.startsWith("event: machine"))).hasSize(4);
    JsonObject last = new JsonObject(events.get(events.size() - 1).split("data: ", 2)[1]);
    assertThat(last.getJsonObject("progress").getInteger("succeeded")).isEqualTo(4);
  }

  @Test
  void abort_after_n_failures_cancels_the_rest_and_continue_carries_on(Vertx vertx) {
    start(vertx, cfg -> { });
    seed("f", 4, "stopped");
    // every boot fails (a restart of stopped machines, which this test used, is now reported skipped)
    fx.server.simulator().setFaults(new SimConfig.Faults(1, 0, 0, 0, 0, 0, 0, false, List.of(), 1.0)).await();
    JsonObject aborted = fx.awaitEnd(fx.submit(job("f", "start").put("options", new JsonObject()
        .put("failure_policy", "abort").put("abort_after", 2).put("max_concurrent", 1))), T);
    assertThat(aborted.getString("state")).isEqualTo("failed");
    assertThat(aborted.getString("error")).startsWith("aborted after 2 failed machine(s)");
    assertThat(aborted.getJsonObject("progress").getInteger("failed")).isEqualTo(2);
    assertThat(aborted.getJsonObject("progress").getInteger("cancelled")).isEqualTo(2);
    assertThat(aborted.getJsonArray("machines").stream().map(o -> (JsonObject) o)
        .filter(m -> m.getString("state").equals("failed")))
        .allSatisfy(m -> assertThat(m.getString("error_code")).isEqualTo("start_failed"));

    JsonObject carried = fx.awaitEnd(fx.submit(job("f", "start")), T);
    assertThat(carried.getString("state")).isEqualTo("failed");
    assertThat(carried.getString("error")).isEqualTo("4 of 4 machine(s) failed");
  }

  @Test
  void planning_through_an_api_outage_is_retried_instead_of_failing_the_job(Vertx vertx) {
    start(vertx, cfg -> { });
    seed("out", 3, "stopped");
    fx.server.simulator().setFaults(new SimConfig.Faults(1, 1.0, 0, 0, 0, 0, 0, false, List.of("Machines_list"), 0))
        .await();
    String id = fx.submit(job("out", "start"));
    fx.eventually(() -> fx.server.simulator().stats().await().encode().contains("Machines_list"), T,
        "the job tried to list the app");
    assertThat(fx.get("/v1/jobs/" + id).json().getString("state")).as("still trying, not failed")
        .isIn("queued", "running");
    fx.server.simulator().setFaults(SimConfig.Faults.none()).await();
    JsonObject done = fx.awaitEnd(id, T);
    assertThat(done.getString("state")).isEqualTo("succeeded");
    assertThat(done.getJsonObject("progress").getInteger("succeeded")).isEqualTo(3);
  }

  @Test
  void a_job_past_its_timeout_fails_and_lets_go_of_its_machines(Vertx vertx) {
    start(vertx, cfg -> cfg.getJsonObject("sim").getJsonObject("latency").put("start_ms", 60_000));
    seed("t", 3, "stopped");
    JsonObject done = fx.awaitEnd(fx.submit(job("t", "start").put("options", new JsonObject()
        .put("timeout_seconds", 1))), T);
    assertThat(done.getString("state")).isEqualTo("failed");
    assertThat(done.getString("error")).isEqualTo("timed out after 1 s");
    fx.eventually(() -> leases().isEmpty(), T, "leases released");
  }

  @Test
  void machines_that_fail_to_boot_fail_their_slots_as_start_failed_without_waiting_out_the_timeout(Vertx vertx) {
    start(vertx, cfg -> { });
    seed("boot", 3, "stopped");
    fx.server.simulator().setFaults(new SimConfig.Faults(1, 0, 0, 0, 0, 0, 0, false, List.of(), 1.0)).await();
    JsonObject done = fx.awaitEnd(fx.submit(job("boot", "start")), T);
    assertThat(done.getString("state")).isEqualTo("failed");
    assertThat(done.getString("error")).isEqualTo("3 of 3 machine(s) failed");
    assertThat(done.getJsonArray("machines")).hasSize(3).allSatisfy(o -> {
      JsonObject m = (JsonObject) o;
      assertThat(m.getString("error_code")).isEqualTo("start_failed");
      assertThat(m.getString("error")).contains("failed to start");
    });
    fx.eventually(() -> leases().isEmpty(), T, "leases released");
  }
}
