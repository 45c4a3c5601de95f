package dev.flightdeck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command line in front of the servers: help starts nothing, mistakes are usage errors. */
class MainTest {

  private record Run(int code, String out, String err) {}

  private static Run main(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void serve_and_sim_help_print_their_usage_and_start_nothing() {
    for (String command : new String[] {"serve", "sim"}) {
      Run r = main(command, "--help");
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(r.out()).startsWith("Usage: flightdeck " + command).contains("--config").contains("--section.key=value");
      assertThat(r.out() + r.err()).doesNotContain("ready");
    }
    Run top = main("--help");
    assertThat(top.code()).isZero();
    assertThat(top.out()).startsWith("Usage: flightdeck").contains("serve").contains("sim").contains("jobs")
        .contains("schedules").contains("policies").contains("fleet");
  }

  @Test
  void an_unknown_command_or_setting_is_a_usage_error_with_exit_2() {
    Run unknown = main("launch");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("launch").contains("Usage: flightdeck");
    Run setting = main("serve", "--api.prot=9000");
    assertThat(setting.code()).isEqualTo(2);
    assertThat(setting.err()).contains("unknown setting 'api.prot'");
    Run word = main("sim", "extra");
    assertThat(word.code()).isEqualTo(2);
    assertThat(word.err()).contains("unexpected argument(s) for sim: extra");
  }
}
