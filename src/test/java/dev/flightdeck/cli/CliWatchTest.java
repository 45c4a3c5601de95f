package dev.flightdeck.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code jobs watch} when the server goes away mid-stream (a restart, a deploy). */
@ExtendWith(VertxExtension.class)
class CliWatchTest {

  private static String event(String type, String state, int succeeded) {
    return "event: " + type + "\ndata: " + new JsonObject().put("type", "progress").put("id", "job_1").put("state",
        state).put("progress", new JsonObject().put("total", 4).put("succeeded", succeeded).put("skipped", 0)
        .put("failed", 0).put("cancelled", 0).put("remaining", 4 - succeeded)).encode() + "\n\n";
  }

  @Test
  void watch_reconnects_after_the_server_drops_the_stream_and_ends_with_the_job(Vertx vertx) {
    AtomicInteger connections = new AtomicInteger();
    HttpServer server = vertx.createHttpServer().requestHandler(req -> {
      int n = connections.incrementAndGet();
      req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      if (n == 1) {
        req.response().write(event("progress", "running", 1)).onComplete(x -> req.connection().close());
      } else if (n == 2) {
        req.connection().close(); // still restarting: refused mid-request
      } else {
        req.response().write(event("progress", "running", 3));
        req.response().end(event("end", "succeeded", 4));
      }
    }).listen(0, "127.0.0.1").await();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Cli.run(List.of("jobs", "watch", "job_1"), Map.of("FLIGHTDECK_URL", "http://127.0.0.1:"
            + server.actualPort(), "FLIGHTDECK_TOKEN", "t"), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false);
    String errText = err.toString(StandardCharsets.UTF_8);
    assertThat(code).as(errText).isZero();
    assertThat(connections.get()).isEqualTo(3);
    assertThat(errText).contains("lost the connection").contains("reconnecting").contains("reconnected")
        .doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("4/4 done").endsWith("job_1 succeeded\n");
  }
}
