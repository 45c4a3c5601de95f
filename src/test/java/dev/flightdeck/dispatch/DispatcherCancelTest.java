package dev.flightdeck.dispatch;

import static dev.flightdeck.dispatch.DispatchTestSupport.machines;
import static dev.flightdeck.dispatch.DispatchTestSupport.ops;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.testing.DispatchFixture;
import dev.flightdeck.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import dev.flightdeck.fly.StopOptions;
import dev.flightdeck.sim.SimConfig;
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

  private long requests(String operation) {
    return fx.sim.sim.stats().await().getJsonObject("requests_by_operation").getLong(operation, 0L);
  }

  @Test
  void a_cancel_during_a_retry_backoff_ends_the_operation_at_once_and_sends_nothing_more(Vertx vertx) {
    fx = DispatchFixture.manual(vertx, TestConfigs.simJson(), new JsonObject());
    fx.sim.seed("b", 1, "started");
    // every stop answers 500 (not applied): the op reads the machine, sees it still started, backs off
    fx.sim.sim.setFaults(new SimConfig.Faults(1, 1.0, 0, 0, 0, 0, 0, false, List.of("Machines_stop"), 0)).await();
    Future<OpResult> stop = fx.dispatcher.submitAll(ops("job", "b", machines(fx, "b"),
        new Action.Stop(StopOptions.DEFAULT), true)).await().get(0);
    fx.eventually(() -> requests("Machines_stop") == 1 && requests("Machines_show") >= 1 && fx.apiIdle(),
        Duration.ofSeconds(10), "the first stop refused and the op backing off");

    fx.dispatcher.cancelJob("job").await();
    // the backoff is not waited out: the clock does not move, yet the op ends
    fx.eventually(stop::isComplete, Duration.ofSeconds(10), "the op ended without its backoff running out");
    assertThat(stop.result().outcome()).isEqualTo(OpResult.Outcome.CANCELLED);
    fx.eventually(() -> fx.sim.sim.leases(null).await().getJsonArray("leases").isEmpty(), Duration.ofSeconds(10),
        "lease released");

    fx.sim.sim.setFaults(SimConfig.Faults.none()).await();
    fx.advance(120_000).await();
    assertThat(requests("Machines_stop")).as("stops sent, before and after the cancel").isEqualTo(1);
  }
}
