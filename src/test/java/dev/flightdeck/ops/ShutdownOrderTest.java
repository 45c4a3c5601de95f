package dev.flightdeck.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.flightdeck.FlightdeckServer;
import dev.flightdeck.testing.ServerFixture;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A shutdown refuses new work before it does or says anything else, so whoever sees "Shutting
 * down" (a person, a test, a log pipeline) can rely on the next write being refused.
 */
@ExtendWith(VertxExtension.class)
class ShutdownOrderTest {

  @TempDir
  Path dir;

  private static final JsonObject JOB = new JsonObject().put("app", "demo").put("kind", "stop")
      .put("target", new JsonObject().put("all", true));

  /** Records, at the moment the line is logged, whether the server already refused new work. */
  private static final class AtShuttingDown extends AppenderBase<ILoggingEvent> {
    private final FlightdeckServer server;
    final List<Boolean> refusing = new ArrayList<>();
    final List<Boolean> ready = new ArrayList<>();

    AtShuttingDown(FlightdeckServer server) {
      this.server = server;
    }

    @Override
    protected void append(ILoggingEvent e) {
      if (e.getFormattedMessage().startsWith("Shutting down")) {
        refusing.add(server.refusingNewWork());
        ready.add(server.readiness().get().getBoolean("ready"));
      }
    }
  }

  @Test
  void the_shutting_down_line_is_logged_only_after_new_work_is_refused(Vertx vertx) {
    try (ServerFixture fx = ServerFixture.start(vertx, dir)) {
      Logger log = (Logger) LoggerFactory.getLogger(FlightdeckServer.class);
      AtShuttingDown seen = new AtShuttingDown(fx.server);
      seen.start();
      log.addAppender(seen);
      try {
        assertThat(fx.server.refusingNewWork()).isFalse();
        fx.server.shutdown().await();
      } finally {
        log.detachAppender(seen);
      }
      assertThat(seen.refusing).as("refusing new work when 'Shutting down' was logged").containsExactly(true);
      assertThat(seen.ready).as("/ready when 'Shutting down' was logged").containsExactly(false);
    }
  }

  @Test
  void once_new_work_is_refused_the_very_next_write_gets_503_and_reads_still_work(Vertx vertx) {
    try (ServerFixture fx = ServerFixture.start(vertx, dir)) {
      fx.server.refuseNewWork(); // from this (non-event-loop) thread, as the signal handler does

      ServerFixture.Answer refused = fx.post("/v1/jobs", JOB);
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.error().getString("code")).isEqualTo("shutting_down");
      assertThat(refused.headers().get("Retry-After")).isEqualTo("5");
      assertThat(fx.post("/v1/schedules", new JsonObject()).status()).as("every write, not only jobs")
          .isEqualTo(503);
      assertThat(fx.get("/v1/jobs").status()).as("reads still work").isEqualTo(200);
      HttpResponse<Buffer> ready = fx.management(HttpMethod.GET, "/ready").send().await();
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.bodyAsJsonObject().getJsonArray("not_ready")).contains("shutting_down");
    }
  }
}
