package dev.flightdeck.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.flightdeck.api.ApiVerticle;
import dev.flightdeck.config.ConfigLoader;
import dev.flightdeck.config.FlightdeckConfig;
import dev.flightdeck.testing.LogCapture;
import dev.flightdeck.testing.ServerFixture;
import dev.flightdeck.testing.TestConfigs;
import dev.flightdeck.time.VertxTimeSource;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** What clients that misbehave at the connection level can do to the API listener: nothing lasting. */
@ExtendWith(VertxExtension.class)
class ApiConnectionTest {

  private static final Duration T = Duration.ofSeconds(20);

  @TempDir
  Path dir;

  private ServerFixture fx;

  @AfterEach
  void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  private void start(Vertx vertx) {
    JsonObject cfg = TestConfigs.serveJson(dir);
    cfg.getJsonObject("api").put("idle_timeout_seconds", 5);
    FlightdeckConfig config = ConfigLoader.bind(cfg, FlightdeckConfig.class, "");
    fx = ServerFixture.start(vertx, config, new VertxTimeSource(vertx));
  }

  @Test
  void aborted_uploads_write_no_error_lines(Vertx vertx) {
    start(vertx);
    Logger api = (Logger) LoggerFactory.getLogger(ApiVerticle.class);
    Level before = api.getLevel();
    api.setLevel(Level.DEBUG); // to see each abort handled
    try (LogCapture logs = new LogCapture()) {
      int n = 20;
      for (int i = 0; i < n; i++) {
        NetSocket s = vertx.createNetClient().connect(fx.server.apiPort(), "127.0.0.1").await();
        // with a valid token, so the server does start reading the body (without one it answers 401 first)
        s.write("POST /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TestConfigs.ADMIN_TOKEN
            + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"app\": \"a\"").await();
        s.close().await();
      }
      fx.eventually(() -> logs.lines().stream().filter(l -> l.startsWith("client went away")).count() == n, T,
          "every aborted upload seen by the server");
      assertThat(logs.lines()).noneMatch(l -> l.contains("Unhandled exception") || l.contains("internal error"));
    } finally {
      api.setLevel(before);
    }
    // and the listener still answers
    assertThat(fx.get("/v1/jobs").status()).isEqualTo(200);
  }

  @Test
  void a_connection_that_sends_nothing_is_closed_after_the_idle_timeout(Vertx vertx) {
    start(vertx);
    NetSocket s = vertx.createNetClient().connect(fx.server.apiPort(), "127.0.0.1").await();
    AtomicBoolean closed = new AtomicBoolean();
    s.closeHandler(v -> closed.set(true));
    fx.eventually(closed::get, T, "the silent connection closed by the server (api.idle_timeout_seconds 5)");
  }

  @Test
  void credentials_are_checked_before_a_body_is_read(Vertx vertx) {
    start(vertx);
    // over api.max_body_bytes: read first, this was a 413; the missing token is what the server says now
    String big = "{\"app\": \"" + "a".repeat(2 * 1024 * 1024) + "\"}";
    ServerFixture.Answer a = fx.call(io.vertx.core.http.HttpMethod.POST, "/v1/jobs", new JsonObject(big), null,
        java.util.Map.of());
    assertThat(a.status()).isEqualTo(401);
    ServerFixture.Answer alerts = fx.call(io.vertx.core.http.HttpMethod.POST, "/v1/alerts/alertmanager",
        new JsonObject(big), "not-the-webhook-token", java.util.Map.of());
    assertThat(alerts.status()).isEqualTo(401);
  }
}
