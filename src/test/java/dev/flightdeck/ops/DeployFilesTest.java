package dev.flightdeck.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.flightdeck.config.ConfigLoader;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** fly.toml and the Dockerfile agree with the defaults in conf/flightdeck.json. */
class DeployFilesTest {

  private static final JsonObject DEFAULTS = ConfigLoader.defaults();

  private static JsonNode flyToml() throws Exception {
    return new TomlMapper().readTree(Files.readString(Path.of("fly.toml")));
  }

  @Test
  void the_service_and_its_check_match_the_api_listener() throws Exception {
    JsonNode service = flyToml().get("services").get(0);
    assertThat(service.get("internal_port").asInt()).isEqualTo(DEFAULTS.getJsonObject("api").getInteger("port"));
    assertThat(service.get("http_checks").get(0).get("path").asText()).isEqualTo("/health");
  }

  @Test
  void metrics_and_readiness_are_on_the_management_port() throws Exception {
    JsonNode toml = flyToml();
    int mgmt = DEFAULTS.getJsonObject("management").getInteger("port");
    assertThat(toml.get("metrics").get("port").asInt()).isEqualTo(mgmt);
    assertThat(toml.get("metrics").get("path").asText()).isEqualTo("/metrics");
    assertThat(toml.get("checks").get("ready").get("port").asInt()).isEqualTo(mgmt);
    assertThat(toml.get("checks").get("ready").get("path").asText()).isEqualTo("/ready");
  }

  @Test
  void the_data_directory_is_the_mounted_volume_in_fly_toml_and_the_dockerfile() throws Exception {
    JsonNode toml = flyToml();
    String mounted = toml.get("mounts").get("destination").asText();
    assertThat(toml.get("env").get("FLIGHTDECK_STORE__DATA_DIR").asText()).isEqualTo(mounted);
    String docker = Files.readString(Path.of("Dockerfile"));
    assertThat(docker).contains("VOLUME " + mounted).contains("FLIGHTDECK_STORE__DATA_DIR=" + mounted)
        .contains("USER flightdeck");
    assertThat(DEFAULTS.getJsonObject("store").getString("url")).as("SQLite by default, in the data directory")
        .isEmpty();
  }

  @Test
  void the_api_is_reached_over_the_private_network_and_the_token_is_never_in_the_file() throws Exception {
    JsonNode env = flyToml().get("env");
    assertThat(env.get("FLY_API_HOSTNAME").asText()).isEqualTo("http://_api.internal:4280");
    assertThat(env.has("FLY_API_TOKEN")).isFalse();
    assertThat(Files.readString(Path.of("fly.toml"))).contains("fly secrets set FLY_API_TOKEN");
  }

  @Test
  void every_metric_the_grafana_dashboard_queries_is_in_the_readme_catalog() throws Exception {
    JsonNode dash = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Files.readString(
        Path.of("conf", "grafana-dashboard.json")));
    String readme = Files.readString(Path.of("README.md"));
    java.util.Set<String> names = new java.util.TreeSet<>();
    int targets = 0;
    for (JsonNode panel : dash.get("panels")) {
      if (panel.has("targets")) {
        for (JsonNode t : panel.get("targets")) {
          targets++;
          java.util.regex.Matcher m = java.util.regex.Pattern.compile("flightdeck_[a-z_]+")
              .matcher(t.get("expr").asText());
          while (m.find()) {
            names.add(m.group().replaceAll("_(bucket|count|sum)$", ""));
          }
        }
      }
    }
    assertThat(targets).isGreaterThan(15);
    assertThat(names).hasSizeGreaterThan(15);
    assertThat(names).allSatisfy(n -> assertThat(readme).as("README lists " + n).contains("`" + n + "`"));
  }

  @Test
  void the_kill_timeout_leaves_room_for_the_shutdown_grace() throws Exception {
    String kill = flyToml().get("kill_timeout").asText();
    long killMs = Long.parseLong(kill.replace("s", "")) * 1000;
    assertThat(flyToml().get("kill_signal").asText()).isEqualTo("SIGTERM");
    assertThat(killMs).isGreaterThan(DEFAULTS.getJsonObject("jobs").getLong("shutdown_grace_ms") + 5_000);
  }
}
