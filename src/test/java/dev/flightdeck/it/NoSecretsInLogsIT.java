package dev.flightdeck.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** After the unit tests: no log line of the whole suite held a token or password (SecretsGuardAppender). */
class NoSecretsInLogsIT {

  @Test
  void no_log_line_of_the_unit_test_run_holds_a_secret() throws Exception {
    Path dir = Path.of("target", "secrets-in-logs");
    Path checked = dir.resolve("checked.txt");
    assertThat(checked).as("the unit tests ran with the secrets guard").exists();
    assertThat(Long.parseLong(Files.readString(checked).trim())).as("log lines checked").isGreaterThan(100);
    Path violations = dir.resolve("violations.txt");
    assertThat(Files.exists(violations) ? Files.readString(violations) : "").as("log lines holding a secret")
        .isEmpty();
  }
}
