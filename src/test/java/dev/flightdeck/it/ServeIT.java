package dev.flightdeck.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.testing.ChildProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, started as a user would: {@code serve} on the embedded default, and {@code sim}. */
class ServeIT {

  private static final Duration START = Duration.ofSeconds(30);
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build(); // no h2c upgrade: one such request hung a test run

  @TempDir
  Path dir;

  private static HttpResponse<String> get(String url, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void serve_without_a_token_runs_on_the_embedded_simulator_with_a_demo_app() throws Exception {
    int api = ChildProcess.freePort();
    int mgmt = ChildProcess.freePort();
    int sim = ChildProcess.freePort();
    try (ChildProcess p = ChildProcess.start(dir, Map.of(), "serve", "--api.port=" + api, "--management.port=" + mgmt,
        "--sim.port=" + sim)) {
      p.awaitLine("Flightdeck ready", START);
      assertThat(p.output()).filteredOn(l -> l.contains("embedded Machines API simulator at http://127.0.0.1:" + sim))
          .hasSize(1);
      assertThat(p.rawOutput()).as("not a terminal: JSON lines").filteredOn(l -> l.contains("Flightdeck ready"))
          .singleElement().satisfies(l -> assertThat(new JsonObject(l).getString("level")).isEqualTo("INFO"));

      HttpResponse<String> health = get("http://127.0.0.1:" + api + "/health", null);
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(health.body()).getString("status")).isEqualTo("up");
      assertThat(get("http://127.0.0.1:" + mgmt + "/health", null).statusCode()).isEqualTo(200);
      assertThat(get("http://127.0.0.1:" + mgmt + "/ready", null).statusCode()).isEqualTo(200);

      HttpResponse<String> machines = get("http://127.0.0.1:" + sim + "/v1/apps/demo/machines", "flightdeck-sim-token");
      assertThat(machines.statusCode()).isEqualTo(200);
      JsonArray list = new JsonArray(machines.body());
      Set<String> groups = new HashSet<>();
      Set<String> regions = new HashSet<>();
      for (int i = 0; i < list.size(); i++) {
        JsonObject m = list.getJsonObject(i);
        assertThat(m.getString("state")).isEqualTo("stopped");
        groups.add(m.getJsonObject("config").getJsonObject("metadata").getString("fly_process_group"));
        regions.add(m.getString("region"));
      }
      assertThat(list).hasSize(40);
      assertThat(groups).containsExactlyInAnyOrder("app", "worker");
      assertThat(regions).containsExactlyInAnyOrder("ord", "ams");
    }
  }

  @Test
  void serve_with_a_token_drives_the_configured_api_and_never_starts_the_simulator() throws Exception {
    int api = ChildProcess.freePort();
    int mgmt = ChildProcess.freePort();
    int sim = ChildProcess.freePort();
    String token = "fm2_it_secret_do_not_print";
    try (ChildProcess p = ChildProcess.start(dir, Map.of("FLY_API_TOKEN", token, "FLY_API_HOSTNAME",
        "http://_api.internal:4280"), "serve", "--api.port=" + api, "--management.port=" + mgmt, "--sim.port=" + sim)) {
      p.awaitLine("Flightdeck ready", START);
      assertThat(p.outputText()).contains("Driving the Machines API at http://_api.internal:4280");
      assertThat(p.outputText()).doesNotContain("simulator").doesNotContain(token);
      assertThat(get("http://127.0.0.1:" + api + "/health", null).statusCode()).isEqualTo(200);
      try {
        get("http://127.0.0.1:" + sim + "/v1/apps?org_slug=personal", "x");
        throw new AssertionError("something answered on the simulator port");
      } catch (ConnectException expected) {
        // nothing listens there
      }
    }
  }

  @Test
  void the_sim_command_runs_the_simulator_alone() throws Exception {
    int sim = ChildProcess.freePort();
    try (ChildProcess p = ChildProcess.start(dir, Map.of(), "sim", "--sim.port=" + sim)) {
      p.awaitLine("simulator ready at http://127.0.0.1:" + sim, START);
      HttpResponse<String> apps = get("http://127.0.0.1:" + sim + "/v1/apps?org_slug=personal", "flightdeck-sim-token");
      assertThat(new JsonObject(apps.body()).getInteger("total_apps")).isEqualTo(1);
      HttpResponse<String> denied = get("http://127.0.0.1:" + sim + "/v1/apps?org_slug=personal", "wrong");
      assertThat(denied.statusCode()).isEqualTo(401);
    }
  }

  @Test
  void help_runs_with_the_loggers_and_the_clis_variables_set_and_flags_a_misspelt_setting() {
    assertThat(ChildProcess.OPERATOR_ENV).containsKeys("FLIGHTDECK_LOG_FORMAT", "FLIGHTDECK_URL", "FLIGHTDECK_TOKEN");
    try (ChildProcess p = ChildProcess.start(dir, Map.of("FLIGHTDECK_API_PORT", "9000"), "help")) {
      assertThat(p.waitFor(START)).isZero();
      assertThat(p.outputText()).contains("Usage: flightdeck").contains("serve").contains("jobs")
          .contains("FLIGHTDECK_API_PORT is not a setting").contains("FLIGHTDECK_API__PORT")
          .doesNotContain("fd_operator_cli_token");
    }
  }

  @Test
  void an_unknown_section_in_a_setting_variable_stops_start_up_with_exit_2() {
    try (ChildProcess p = ChildProcess.start(dir, Map.of("FLIGHTDECK_LOGGING__FORMAT", "json"), "serve")) {
      assertThat(p.waitFor(START)).isEqualTo(2);
      assertThat(p.outputText()).contains("unknown setting 'logging.format'")
          .contains("FLIGHTDECK_LOGGING__FORMAT");
    }
  }

  @Test
  void an_invalid_setting_stops_start_up_and_names_it() {
    try (ChildProcess p = ChildProcess.start(dir, Map.of("FLIGHTDECK_SIM__LATENCY__START_MS", "-5"), "serve")) {
      assertThat(p.waitFor(START)).isEqualTo(2);
      assertThat(p.outputText()).contains("invalid configuration").contains("sim.latency.start_ms");
    }
  }
}
