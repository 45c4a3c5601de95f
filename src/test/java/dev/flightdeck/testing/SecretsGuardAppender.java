package dev.flightdeck.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches every log line of the unit-test run (logback-test.xml) for the test suite's secrets —
 * API tokens, the simulator's Fly token, the alert receiver's token and password. A line that
 * holds one is written to {@code target/secrets-in-logs/violations.txt}; how many lines were
 * checked goes to {@code checked.txt} at exit. {@code NoSecretsInLogsIT} fails the build on either.
 */
public final class SecretsGuardAppender extends AppenderBase<ILoggingEvent> {

  static final Path DIR = Path.of("target", "secrets-in-logs");
  private static final List<String> SECRETS = List.of(TestConfigs.ADMIN_TOKEN, TestConfigs.READ_TOKEN,
      TestConfigs.WEB_WRITER_TOKEN, TestConfigs.SIM_TOKEN, TestConfigs.ALERT_TOKEN, TestConfigs.ALERT_PASSWORD,
      "flightdeck-sim-token", "it-admin-token");
  private static final AtomicLong CHECKED = new AtomicLong();
  /** Only the unit-test JVM records (surefire sets the property); the IT JVM must not overwrite it. */
  private static final boolean RECORD = "record".equals(System.getProperty("flightdeck.secrets.guard"));

  static {
    if (RECORD) {
      try {
        Files.createDirectories(DIR);
        Files.deleteIfExists(DIR.resolve("violations.txt"));
      } catch (IOException ignored) {
        // the IT will then find no checked.txt and say so
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          Files.writeString(DIR.resolve("checked.txt"), Long.toString(CHECKED.get()), StandardCharsets.UTF_8);
        } catch (IOException ignored) {
          // nothing to do at exit
        }
      }));
    }
  }

  @Override
  protected void append(ILoggingEvent e) {
    CHECKED.incrementAndGet();
    StringBuilder sb = new StringBuilder(e.getFormattedMessage() == null ? "" : e.getFormattedMessage());
    if (e.getKeyValuePairs() != null) {
      e.getKeyValuePairs().forEach(kv -> sb.append(' ').append(kv.key).append('=').append(kv.value));
    }
    for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
      sb.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
    }
    String line = sb.toString();
    for (String s : SECRETS) {
      if (RECORD && line.contains(s)) {
        try {
          Files.writeString(DIR.resolve("violations.txt"), e.getLoggerName() + ": " + line + "\n",
              StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
          // reported as missing output by the IT
        }
      }
    }
  }
}
