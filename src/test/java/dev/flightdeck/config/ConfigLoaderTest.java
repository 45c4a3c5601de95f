package dev.flightdeck.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** conf/flightdeck.json < environment < flags, parsed once; bad settings are named. */
class ConfigLoaderTest {

  @TempDir
  Path dir;

  private static ConfigLoader.Loaded load(List<String> args, Map<String, String> env) {
    return ConfigLoader.load(args, env, null);
  }

  private static Set<String> paths(JsonObject o, String prefix) {
    Set<String> out = new TreeSet<>();
    for (String k : o.fieldNames()) {
      String p = prefix.isEmpty() ? k : prefix + "." + k;
      if (o.getValue(k) instanceof JsonObject child) {
        out.addAll(paths(child, p));
      } else {
        out.add(p);
      }
    }
    return out;
  }

  @Test
  void the_shipped_file_binds_and_names_every_setting() {
    FlightdeckConfig cfg = load(List.of(), Map.of()).config();
    assertThat(paths(ConfigLoader.toJson(cfg), "")).isEqualTo(paths(ConfigLoader.defaults(), ""));
    assertThat(cfg.api().port()).isEqualTo(8080);
    assertThat(cfg.management().port()).isEqualTo(9091);
    assertThat(cfg.sim().port()).isEqualTo(4280);
    assertThat(cfg.useEmbeddedSimulator()).isTrue();
  }

  @Test
  void the_jar_carries_the_same_defaults_as_conf_flightdeck_json() throws Exception {
    assertThat(ConfigLoader.defaults()).isEqualTo(new JsonObject(Files.readString(Path.of("conf/flightdeck.json"))));
  }

  @Test
  void a_file_is_overridden_by_the_environment_which_is_overridden_by_flags() throws Exception {
    Path file = dir.resolve("fd.json");
    Files.writeString(file, "{\"api\":{\"port\":7000,\"host\":\"127.0.0.1\"},\"sim\":{\"latency\":{\"start_ms\":5}}}");
    FlightdeckConfig fileOnly = load(List.of("--config", file.toString()), Map.of()).config();
    assertThat(fileOnly.api().port()).isEqualTo(7000);
    assertThat(fileOnly.api().host()).isEqualTo("127.0.0.1");
    assertThat(fileOnly.sim().latency().startMs()).isEqualTo(5);
    assertThat(fileOnly.sim().latency().stopMs()).as("untouched keys keep their defaults").isEqualTo(300);

    Map<String, String> env = Map.of("FLIGHTDECK_API__PORT", "7001", "FLIGHTDECK_SIM__LATENCY__START_MS", "6");
    FlightdeckConfig withEnv = load(List.of("--config=" + file), env).config();
    assertThat(withEnv.api().port()).isEqualTo(7001);
    assertThat(withEnv.sim().latency().startMs()).isEqualTo(6);

    FlightdeckConfig withFlags = load(List.of("--config", file.toString(), "--api.port=7002", "--sim.latency.start_ms",
        "7"), env).config();
    assertThat(withFlags.api().port()).isEqualTo(7002);
    assertThat(withFlags.sim().latency().startMs()).isEqualTo(7);
  }

  @Test
  void the_fly_token_and_hostname_come_from_their_usual_variables_and_never_print() {
    FlightdeckConfig cfg = load(List.of(), Map.of("FLY_API_TOKEN", "fm2_secret_value",
        "FLY_API_HOSTNAME", "http://_api.internal:4280")).config();
    assertThat(cfg.useEmbeddedSimulator()).isFalse();
    assertThat(cfg.fly().token().reveal()).isEqualTo("fm2_secret_value");
    assertThat(cfg.fly().endpoint().toString()).isEqualTo("http://_api.internal:4280");
    assertThat(cfg.toString()).doesNotContain("fm2_secret_value");
    assertThat(ConfigLoader.toJson(cfg).encode()).doesNotContain("fm2_secret_value");
  }

  @Test
  void the_subcommand_and_its_own_flags_pass_through() {
    ConfigLoader.Loaded loaded = load(List.of("sim", "--sim.port=0", "--watch"), Map.of());
    assertThat(loaded.arguments()).containsExactly("sim", "--watch");
    assertThat(loaded.config().sim().port()).isZero();
  }

  @Test
  void out_of_range_values_name_the_setting() {
    assertThatThrownBy(() -> load(List.of("--api.port=70000"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("api.port").hasMessageContaining("70000");
    assertThatThrownBy(() -> load(List.of("--sim.faults.error_rate=1.5"), Map.of()))
        .hasMessageContaining("sim.faults.error_rate");
    assertThatThrownBy(() -> load(List.of("--fly.api_hostname=ftp://example.com"), Map.of()))
        .hasMessageContaining("fly.api_hostname");
    assertThatThrownBy(() -> load(List.of("--sim.latency.start_ms=-1"), Map.of()))
        .hasMessageContaining("sim.latency.start_ms");
  }

  @Test
  void values_of_the_wrong_type_name_the_setting_and_where_it_came_from() {
    assertThatThrownBy(() -> load(List.of("--api.port=eighty"), Map.of()))
        .hasMessage("setting 'api.port' (from flag --api.port) must be a number, got 'eighty'");
    assertThatThrownBy(() -> load(List.of(), Map.of("FLIGHTDECK_SIM__RATE_LIMITS__ENABLED", "yes")))
        .hasMessageContaining("sim.rate_limits.enabled").hasMessageContaining("FLIGHTDECK_SIM__RATE_LIMITS__ENABLED");
  }

  @Test
  void a_file_with_a_wrong_type_or_an_unknown_key_is_refused_by_name() throws Exception {
    Path typo = dir.resolve("typo.json");
    Files.writeString(typo, "{\"api\":{\"prot\":8081}}");
    assertThatThrownBy(() -> load(List.of("--config", typo.toString()), Map.of()))
        .hasMessageContaining("unknown setting 'api.prot'").hasMessageContaining(typo.toString());
    Path wrong = dir.resolve("wrong.json");
    Files.writeString(wrong, "{\"api\":{\"port\":\"8081x\"}}");
    assertThatThrownBy(() -> load(List.of("--config", wrong.toString()), Map.of()))
        .hasMessage("setting 'api.port' must be an integer");
    Path broken = dir.resolve("broken.json");
    Files.writeString(broken, "{\"api\":");
    assertThatThrownBy(() -> load(List.of("--config", broken.toString()), Map.of()))
        .hasMessageContaining("is not valid JSON");
    assertThatThrownBy(() -> load(List.of("--config", dir.resolve("missing.json").toString()), Map.of()))
        .hasMessageContaining("does not exist");
  }

  @Test
  void unknown_flags_and_variables_are_refused_by_name() {
    assertThatThrownBy(() -> load(List.of("--api.nope=1"), Map.of())).hasMessageContaining("unknown setting 'api.nope'");
    assertThatThrownBy(() -> load(List.of(), Map.of("FLIGHTDECK_NOPE__X", "1")))
        .hasMessageContaining("unknown setting 'nope.x'");
    assertThatThrownBy(() -> load(List.of("--api.port"), Map.of())).hasMessageContaining("needs a value");
  }

  @Test
  void the_loggers_and_the_clis_variables_are_not_settings_and_are_left_alone() {
    // what the Dockerfile, fly.toml and the CLI's documentation put in the environment
    Map<String, String> env = Map.of("FLIGHTDECK_LOG_FORMAT", "json", "FLIGHTDECK_URL", "http://127.0.0.1:8080",
        "FLIGHTDECK_TOKEN", "fd_cli_token", "FLIGHTDECK_STORE__DATA_DIR", "/data");
    ConfigLoader.Loaded loaded = load(List.of("serve"), env);
    assertThat(loaded.config().store().dataDir()).isEqualTo("/data");
    assertThat(ConfigLoader.toJson(loaded.config()).encode()).doesNotContain("fd_cli_token");
    assertThat(loaded.warnings()).isEmpty();
    assertThat(ConfigLoader.toJson(loaded.config()))
        .isEqualTo(ConfigLoader.toJson(load(List.of("serve"), Map.of("FLIGHTDECK_STORE__DATA_DIR", "/data")).config()));
  }

  @Test
  void an_unknown_section_or_key_in_a_setting_variable_still_stops_start_up() {
    assertThatThrownBy(() -> load(List.of(), Map.of("FLIGHTDECK_LOGGING__FORMAT", "json")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("unknown setting 'logging.format' (from environment variable FLIGHTDECK_LOGGING__FORMAT)");
    assertThatThrownBy(() -> load(List.of(), Map.of("FLIGHTDECK_SIM_LATENCY__START_MS", "5")))
        .hasMessageContaining("unknown setting 'sim_latency.start_ms'");
    assertThatThrownBy(() -> load(List.of(), Map.of("FLIGHTDECK_API__", "1")))
        .hasMessageContaining("FLIGHTDECK_API__");
  }

  @Test
  void a_variable_with_one_underscore_after_a_section_is_ignored_with_a_warning_naming_the_right_one() {
    ConfigLoader.Loaded loaded = load(List.of(), Map.of("FLIGHTDECK_API_PORT", "9000", "FLIGHTDECK_DEBUG", "1"));
    assertThat(loaded.config().api().port()).isEqualTo(8080);
    assertThat(loaded.warnings()).singleElement().satisfies(w -> assertThat(w)
        .contains("FLIGHTDECK_API_PORT is not a setting").contains("FLIGHTDECK_API__PORT"));
  }

  @Test
  void secrets_are_masked_everywhere_but_reveal() {
    Secret s = Secret.of("hunter2");
    assertThat(s.toString()).isEqualTo("****");
    assertThat(s.matches("hunter2")).isTrue();
    assertThat(s.matches("hunter3")).isFalse();
    assertThat(Secret.of("").toString()).isEqualTo("(unset)");
  }
}
