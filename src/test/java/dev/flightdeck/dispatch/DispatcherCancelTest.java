package dev.flightdeck.dispatch;

import static dev.flightdeck.dispatch.DispatchTestSupport.machines;
import static dev.flightdeck.dispatch.DispatchTestSupport.ops;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.testing.DispatchFixture;
import dev.flightdeck.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Cancelling a job drops its queue and lets running operations end cleanly. */
@ExtendWith(VertxExtension.class)
class DispatcherCancelTest {

  private DispatchFixture fx;

  @AfterEach
  void stop() {
    fx.close();
  }

  @Test
  void cancel_drops_queued_operations_and_releases_the_leases_of_running_ones(Vertx vertx) {
    JsonObject sim = TestConfigs.simJson();
    sim.getJsonObject("latency").put("start_ms", 10_000);
    fx = DispatchFixture.manual(vertx, sim, new JsonObject().put("max_in_flight", 2));
    fx.sim.seed("c", 10, "stopped");
    List<Future<OpResult>> futures = fx.dispatcher.submitAll(ops("job", "c", machines(fx, "c"), new Action.Start(), true))
        .await();
    fx.eventually(() -> fx.simWaiters() == 2, Duration.ofSeconds(10), "two running ops waiting");

    int dropped = fx.dispatcher.cancelJob("job").await();
    List<OpResult> results = Future.all(futures).await().list();

    assertThat(dropped).isEqualTo(8);
    assertThat(results).allMatch(r -> r.outcome() == OpResult.Outcome.CANCELLED);
    assertThat(results.stream().filter(r -> r.error().contains("while waiting"))).hasSize(2);
    assertThat(fx.journal("c").stream().filter(e -> e.getString("action").equals("start"))).hasSize(2);
    fx.eventually(() -> fx.sim.sim.leases(null).await().getJsonArray("leases").isEmpty(), Duration.ofSeconds(10),
        "leases released");
    assertThat(fx.journal("c").stream().filter(e -> e.getString("action").equals("lease_release"))).hasSize(2);
    // nothing more happens afterwards
    fx.advance(60_000).await();
    assertThat(fx.journal("c").stream().filter(e -> e.getString("action").equals("lease_refresh"))).isEmpty();
  }
}
