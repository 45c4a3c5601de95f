package dev.flightdeck.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.config.ConfigLoader;
import dev.flightdeck.config.FlightdeckConfig;
import dev.flightdeck.fly.ListMachinesQuery;
import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.testing.ServerFixture;
import dev.flightdeck.testing.TestConfigs;
import dev.flightdeck.time.VertxTimeSource;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** /metrics after real work, the label limits, and /ready following the store and the API. */
@ExtendWith(VertxExtension.class)
class ObservabilityTest {

  @TempDir
  Path dir;

  private ServerFixture fx;

  private void start(Vertx vertx, int maxApps) {
    JsonObject cfg = TestConfigs.serveJson(dir);
    cfg.getJsonObject("management").put("metrics_max_apps", maxApps).put("metrics_refresh_ms", 50)
        .put("ready_check_ms", 50);
    fx = ServerFixture.start(vertx, ConfigLoader.bind(cfg, FlightdeckConfig.class, ""), new VertxTimeSource(vertx));
  }

  @AfterEach
  void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  private String scrape() {
    fx.server.engineMetrics().refresh().await();
    HttpResponse<Buffer> res = fx.management(HttpMethod.GET, "/metrics").send().await();
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.getHeader("content-type")).startsWith("text/plain");
    return res.bodyAsString();
  }

  @Test
  void the_dispatcher_figures_refresh_on_their_own_timer(Vertx vertx) {
    start(vertx, 50);
    fx.server.simulator().seed(new SimConfig.SeedApp("tick", 2, List.of("ord"), List.of("app"), "i:1", "stopped"))
        .await();
    String id = fx.submit(new JsonObject().put("app", "tick").put("kind", "start")
        .put("target", new JsonObject().put("all", true)));
    assertThat(fx.awaitEnd(id, ServerFixture.seconds(30)).getString("state")).isEqualTo("succeeded");
    // no refresh() here: the 50 ms timer loop must carry the dispatcher's counters to /metrics
    fx.eventually(() -> fx.management(HttpMethod.GET, "/metrics").send().await().bodyAsString()
        .contains("flightdeck_dispatch_ops_total{outcome=\"succeeded\"} 2.0"), ServerFixture.seconds(10), "the counters refreshed");
  }

  @Test
  void a_job_leaves_its_trace_in_the_metrics_without_ids_as_labels(Vertx vertx) throws Exception {
    start(vertx, 50);
    fx.server.simulator().seed(new SimConfig.SeedApp("web", 4, List.of("ord"), List.of("app"), "i:1", "stopped"))
        .await();
    String id = fx.submit(new JsonObject().put("app", "web").put("kind", "start")
        .put("target", new JsonObject().put("all", true)));
    assertThat(fx.awaitEnd(id, ServerFixture.seconds(30)).getString("state")).isEqualTo("succeeded");
    String text = scrape();
    assertThat(text)
        .contains("flightdeck_jobs_submitted_total{kind=\"start\"} 1.0")
        .contains("flightdeck_jobs_ended_total{kind=\"start\",outcome=\"succeeded\"} 1.0")
        .contains("flightdeck_jobs_duration_seconds_count{kind=\"start\",outcome=\"succeeded\"} 1")
        .contains("flightdeck_jobs_claim_latency_seconds_count 1")
        .contains("flightdeck_jobs_stored{state=\"succeeded\"} 1.0")
        .contains("flightdeck_fly_requests_seconds_count{operation=\"Machines_start\",status=\"2xx\"} 4")
        .contains("flightdeck_dispatch_ops_total{outcome=\"succeeded\"} 4.0")
        .contains("flightdeck_dispatch_leases_held 0.0")
        .contains("flightdeck_fleet_machines{app=\"web\",state=\"started\"} 4.0")
        .contains("flightdeck_store_operations_seconds_count{kind=\"write\",result=\"ok\"}")
        .contains("flightdeck_event_loop_lag_seconds")
        .contains("jvm_memory_used_bytes");
    assertThat(text).as("no job id as a label").doesNotContain(id);
    for (var m : fx.server.fly().listMachines("web", ListMachinesQuery.ALL).await()) {
      assertThat(text).as("no machine id as a label").doesNotContain(m.id());
    }
    assertThat(text).doesNotContain(TestConfigs.ADMIN_TOKEN).doesNotContain(TestConfigs.SIM_TOKEN);
    promtoolAccepts(text);
  }

  @Test
  void app_labels_stop_at_the_configured_limit_and_the_rest_count_as_other(Vertx vertx) {
    start(vertx, 3);
    for (int i = 0; i < 6; i++) {
      String app = "app-" + i;
      fx.server.simulator().seed(new SimConfig.SeedApp(app, 2, List.of("ord"), List.of("app"), "i:1", "stopped"))
          .await();
      fx.server.fleet().refresh(app).await();
    }
    String text = scrape();
    List<String> apps = text.lines().filter(l -> l.startsWith("flightdeck_fleet_machines{"))
        .map(l -> l.replaceAll(".*app=\"([^\"]*)\".*", "$1")).distinct().sorted().toList();
    assertThat(apps).hasSize(4).contains("other");
    assertThat(text).contains("flightdeck_fleet_machines{app=\"other\",state=\"stopped\"} 6.0");
  }

  @Test
  void labelled_counters_are_there_at_zero_before_their_first_event(Vertx vertx) {
    start(vertx, 50);
    String text = fx.management(HttpMethod.GET, "/metrics").send().await().bodyAsString();
    assertThat(text).contains("flightdeck_jobs_submitted_total{kind=\"scale\"} 0.0",
        "flightdeck_jobs_ended_total{kind=\"run\",outcome=\"cancelled\"} 0.0", "flightdeck_jobs_takeovers_total 0.0",
        "flightdeck_cron_fires_total{fired_as=\"catch_up\"} 0.0",
        "flightdeck_cron_skips_total{reason=\"concurrency_forbid\"} 0.0");
  }

  @Test
  void ready_waits_for_the_job_api_listener_even_when_store_and_machines_api_answer(Vertx vertx) {
    start(vertx, 50);
    dev.flightdeck.api.Readiness r = new dev.flightdeck.api.Readiness(vertx.getOrCreateContext(), fx.server.store(),
        fx.server.fly(), new dev.flightdeck.time.ManualTimeSource(0), 60_000);
    JsonObject first = r.start().await();
    assertThat(first.getBoolean("ready")).isFalse();
    assertThat(first.getJsonArray("not_ready")).containsExactly("job_api");
    assertThat(first.getJsonObject("checks").getJsonObject("job_api").getString("error")).contains("not listening");
    assertThat(r.listening().await().getBoolean("ready")).isTrue();
    assertThat(r.get().getJsonArray("not_ready")).isEmpty();
    r.stop();
  }

  @Test
  void ready_follows_the_machines_api_and_the_store(Vertx vertx) {
    start(vertx, 50);
    HttpResponse<Buffer> ok = fx.management(HttpMethod.GET, "/ready").send().await();
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.bodyAsJsonObject().getJsonArray("not_ready")).isEmpty();
    assertThat(ok.bodyAsJsonObject().getJsonObject("checks").getJsonObject("job_api").getBoolean("ok")).isTrue();

    fx.server.simulator().stop().await();
    fx.server.readiness().check().await();
    HttpResponse<Buffer> noApi = fx.management(HttpMethod.GET, "/ready").send().await();
    assertThat(noApi.statusCode()).isEqualTo(503);
    assertThat(noApi.bodyAsJsonObject().getJsonArray("not_ready")).containsExactly("machines_api");
    assertThat(noApi.bodyAsJsonObject().getJsonObject("checks").getJsonObject("machines_api").getString("error"))
        .contains("no answer");

    fx.server.store().close().await();
    fx.server.readiness().check().await();
    HttpResponse<Buffer> noStore = fx.management(HttpMethod.GET, "/ready").send().await();
    assertThat(noStore.statusCode()).isEqualTo(503);
    assertThat(noStore.bodyAsJsonObject().getJsonArray("not_ready")).contains("store", "machines_api");
    assertThat(fx.management(HttpMethod.GET, "/health").send().await().statusCode()).as("the process is still up")
        .isEqualTo(200);
    fx = null; // already half torn down; close what is left without the fixture's checks
  }

  /** {@code promtool check metrics} (Debian package prometheus; .ci/run installs it). */
  private static void promtoolAccepts(String text) throws IOException, InterruptedException {
    Path promtool = Path.of("/usr/bin/promtool");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(promtool), "promtool is not installed");
    Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
    p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("promtool check metrics: " + out).isZero();
  }
}
