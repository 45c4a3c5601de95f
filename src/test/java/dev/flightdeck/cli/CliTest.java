package dev.flightdeck.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.testing.ServerFixture;
import dev.flightdeck.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a running server (its HTTP calls block, so it runs off the Vert.x threads). */
@ExtendWith(VertxExtension.class)
class CliTest {

  @TempDir
  Path dir;

  private ServerFixture fx;
  private Map<String, String> env;

  private record Run(int code, String out, String err) {}

  @BeforeEach
  void start(Vertx vertx) {
    fx = ServerFixture.start(vertx, dir.resolve("data"));
    fx.server.simulator().seed(new SimConfig.SeedApp("demo", 6, List.of("ord"), List.of("app", "worker"), "i:1",
        "stopped")).await();
    env = Map.of("FLIGHTDECK_URL", "http://127.0.0.1:" + fx.server.apiPort(), "FLIGHTDECK_TOKEN",
        TestConfigs.ADMIN_TOKEN);
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  private Run cli(boolean tty, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Cli.run(Arrays.asList(args), env, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), tty);
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Path file(String name, JsonObject body) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, body.encode());
    return p;
  }

  @Test
  void submit_and_watch_prints_progress_lines_and_exits_zero_when_the_job_succeeds() throws Exception {
    Path job = file("job.json", new JsonObject().put("app", "demo").put("kind", "start")
        .put("target", new JsonObject().put("process_group", "worker")));
    Run r = cli(false, "jobs", "submit", "-f", job.toString(), "--watch");
    assertThat(r.code()).as(r.err()).isZero();
    List<String> lines = r.out().lines().toList();
    String id = lines.get(0).split(" ")[0];
    assertThat(id).startsWith("job_");
    assertThat(lines).anyMatch(l -> l.startsWith("[") && l.contains("3/3 done"));
    assertThat(lines.get(lines.size() - 1)).isEqualTo(id + " succeeded");
    assertThat(r.out()).as("plain lines when not a terminal").doesNotContain("\r");

    Run get = cli(false, "jobs", "get", id, "--output", "json");
    assertThat(new JsonObject(get.out()).getString("state")).isEqualTo("succeeded");
    Run summary = cli(false, "jobs", "get", id);
    assertThat(summary.out().lines().toList()).as(summary.out()).hasSizeLessThan(8).first().asString()
        .isEqualTo(id + "  start on demo  SUCCEEDED");
    assertThat(summary.out()).contains("submitted by admin").contains("machines: 3 — 3 succeeded");
    Run list = cli(false, "jobs", "list", "--app", "demo");
    assertThat(list.out().lines().findFirst().orElseThrow()).as("a header row").startsWith("ID").contains("STATE")
        .contains("CREATED");
    assertThat(list.out()).contains(id).contains("succeeded").contains("3/3").containsAnyOf(" ago", "just now");
    Run cancel = cli(false, "jobs", "cancel", id);
    assertThat(cancel.code()).isEqualTo(1);
    assertThat(cancel.err().lines()).singleElement().satisfies(l -> assertThat(l).startsWith("flightdeck: 409 "));
  }

  @Test
  void on_a_terminal_watch_draws_a_progress_bar_in_place() throws Exception {
    Path job = file("job.json", new JsonObject().put("app", "demo").put("kind", "start")
        .put("target", new JsonObject().put("all", true)));
    Run r = cli(true, "jobs", "submit", "-f", job.toString(), "--watch");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("\r[").contains("##").contains("6/6 done");
  }

  @Test
  void api_errors_are_one_clear_line_with_a_non_zero_exit() throws Exception {
    Path bad = file("bad.json", new JsonObject().put("app", "demo").put("kind", "scale")
        .put("params", new JsonObject().put("process_group", "worker")));
    Run r = cli(false, "jobs", "submit", "-f", bad.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().trim()).isEqualTo("flightdeck: 422 missing_field (params.count): params.count (the number of "
        + "started machines wanted) is required");
    Run missing = cli(false, "jobs", "get", "job_nope");
    assertThat(missing.err().trim()).startsWith("flightdeck: 404 not_found");
    env = Map.of("FLIGHTDECK_URL", "http://127.0.0.1:" + fx.server.apiPort(), "FLIGHTDECK_TOKEN", "wrong");
    assertThat(cli(false, "fleet", "ls", "demo").err().trim()).startsWith("flightdeck: 401 unauthorized");
    env = Map.of("FLIGHTDECK_URL", "http://127.0.0.1:1", "FLIGHTDECK_TOKEN", "x");
    Run down = cli(false, "jobs", "list");
    assertThat(down.code()).isEqualTo(1);
    assertThat(down.err().trim()).startsWith("flightdeck: cannot reach http://127.0.0.1:1");
    Run usage = cli(false, "jobs");
    assertThat(usage.code()).isEqualTo(2);
    assertThat(usage.err()).contains("Usage: flightdeck jobs");
  }

  @Test
  void every_command_has_help_and_unknown_flags_are_errors() {
    for (String[] c : List.of(new String[] {"jobs"}, new String[] {"jobs", "submit"}, new String[] {"jobs", "list"},
        new String[] {"jobs", "watch"}, new String[] {"jobs", "get"}, new String[] {"schedules", "create"},
        new String[] {"policies", "decisions"}, new String[] {"fleet", "ls"})) {
      List<String> args = new java.util.ArrayList<>(List.of(c));
      args.add("--help");
      Run help = cli(false, args.toArray(String[]::new));
      assertThat(help.code()).as(args.toString()).isZero();
      assertThat(help.out()).as(args.toString()).startsWith("Usage: flightdeck " + String.join(" ", c));
    }
    Run typo = cli(false, "jobs", "list", "--stat", "running");
    assertThat(typo.code()).isEqualTo(2);
    assertThat(typo.err()).startsWith("flightdeck: Unknown options: '--stat'");
    Run format = cli(false, "jobs", "list", "--output", "yaml");
    assertThat(format.code()).isEqualTo(2);
    assertThat(format.err()).contains("--output").contains("text, json");
  }

  @Test
  void fleet_schedules_and_policies_are_reachable_from_the_command_line() throws Exception {
    Run fleet = cli(false, "fleet", "ls", "demo", "--process-group", "worker");
    assertThat(fleet.code()).isZero();
    assertThat(fleet.out().lines().filter(l -> l.contains("stopped"))).hasSize(3);
    assertThat(fleet.out()).contains("3 machines");

    Path sched = file("s.json", new JsonObject().put("name", "nightly").put("cron", "0 3 * * *")
        .put("job", new JsonObject().put("app", "demo").put("kind", "stop").put("target", new JsonObject()
            .put("all", true))));
    Run created = cli(false, "schedules", "create", "-f", sched.toString());
    assertThat(created.code()).as(created.err()).isZero();
    String sid = new JsonObject(created.out()).getString("id");
    assertThat(cli(false, "schedules", "list").out()).contains(sid).contains("demo/nightly");
    assertThat(new JsonObject(cli(false, "schedules", "pause", sid).out()).getBoolean("paused")).isTrue();
    assertThat(new JsonObject(cli(false, "schedules", "trigger", sid).out()).getString("fired_as")).isEqualTo("manual");
    assertThat(cli(false, "schedules", "delete", sid).out().trim()).isEqualTo("deleted " + sid);

    Path pol = file("p.json", new JsonObject().put("name", "w").put("app", "demo").put("process_group", "worker")
        .put("min", 1).put("max", 3).put("up", new JsonObject().put("alertname", "Busy")
            .put("matchers", new JsonArray().add("app=demo"))));
    Run p = cli(false, "policies", "create", "-f", pol.toString());
    assertThat(p.code()).as(p.err()).isZero();
    String pid = new JsonObject(p.out()).getString("id");
    assertThat(cli(false, "policies", "list").out()).contains(pid).contains("demo/w");
    assertThat(cli(false, "policies", "decisions", pid).out().trim()).isEqualTo("(none)");
    assertThat(cli(false, "policies", "delete", pid).code()).isZero();
  }
}
