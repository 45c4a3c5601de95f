package dev.flightdeck.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The progress line: fits the terminal, says rate, elapsed, ETA and cancelled, redraws sparingly. */
class ProgressBarTest {

  private static JsonObject progress(int total, int succeeded, int failed, int cancelled) {
    return new JsonObject().put("total", total).put("succeeded", succeeded).put("skipped", 0).put("failed", failed)
        .put("cancelled", cancelled).put("remaining", total - succeeded - failed - cancelled);
  }

  @Test
  void the_line_fits_the_terminal_and_says_rate_elapsed_and_eta() {
    String wide = ProgressBar.line(progress(2000, 500, 10, 0), "running", 10_000, 120);
    assertThat(wide).startsWith("[#").contains("500/2000 done, 10 failed, 1490 left").contains("51.0/s")
        .contains("0:10 elapsed").contains("ETA 0:29").endsWith("running");
    String line = ProgressBar.line(progress(2000, 500, 10, 0), "running", 10_000, 80);
    assertThat(line.length()).as(line).isLessThan(80);
    assertThat(line).as("at 80 columns the rate goes before the ETA").contains("ETA 0:29").endsWith("running");
    for (int cols : new int[] {40, 60, 120, 200}) {
      assertThat(ProgressBar.line(progress(2000, 500, 10, 0), "running", 10_000, cols).length()).as(cols + " columns")
          .isLessThan(cols);
    }
  }

  @Test
  void cancelled_machines_are_shown_as_cancelled_not_failed() {
    String line = ProgressBar.line(progress(1500, 12, 0, 1488), "cancelled", 3_000, 100);
    assertThat(line).contains("12/1500 done, 0 failed, 1488 cancelled");
  }

  @Test
  void a_terminal_is_redrawn_at_most_four_times_a_second_and_plain_output_every_five_seconds() {
    long[] now = {0};
    ByteArrayOutputStream tty = new ByteArrayOutputStream();
    ProgressBar bar = new ProgressBar(new PrintStream(tty, true, StandardCharsets.UTF_8), true, 80, () -> now[0]);
    for (int i = 0; i < 100; i++) { // 100 events in one second
      bar.update(progress(100, i, 0, 0), "running");
      now[0] += 10;
    }
    bar.finish(progress(100, 100, 0, 0), "succeeded");
    String drawn = tty.toString(StandardCharsets.UTF_8);
    assertThat(drawn.chars().filter(c -> c == '\r').count()).as("redraws").isBetween(4L, 5L);
    assertThat(drawn).endsWith("succeeded\n").doesNotContain("\n[");

    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    now[0] = 0;
    ProgressBar log = new ProgressBar(new PrintStream(plain, true, StandardCharsets.UTF_8), false, 80, () -> now[0]);
    for (int i = 0; i < 100; i++) { // 100 events over 20 seconds
      log.update(progress(100, i, 0, 0), "running");
      now[0] += 200;
    }
    log.finish(progress(100, 100, 0, 0), "succeeded");
    assertThat(plain.toString(StandardCharsets.UTF_8).lines()).as("a line every 5 s, and the last").hasSize(5)
        .last().asString().contains("100/100 done");
  }
}
