package dev.flightdeck.dispatch;

import static dev.flightdeck.dispatch.DispatchTestSupport.actionsByMachine;
import static dev.flightdeck.dispatch.DispatchTestSupport.machines;
import static dev.flightdeck.dispatch.DispatchTestSupport.ops;
import static dev.flightdeck.dispatch.DispatchTestSupport.submitAndAwait;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.fly.StopOptions;
import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.testing.DispatchFixture;
import dev.flightdeck.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A few hundred machines through 5xx, 429s and dropped connections: all done, nothing twice, no lease left. */
@ExtendWith(VertxExtension.class)
class DispatcherFaultsTest {

  private DispatchFixture fx;

  @AfterEach
  void stop() {
    fx.close();
  }

  @Test
  void a_batch_under_injected_faults_reaches_its_target_with_no_duplicates_and_no_leases_left(Vertx vertx) {
    JsonObject sim = TestConfigs.simJson();
    sim.getJsonObject("latency").put("start_ms", 5).put("stop_ms", 5);
    sim.getJsonObject("rate_limits").put("enabled", true);
    fx = DispatchFixture.real(vertx, sim, new JsonObject()
        .put("backoff", new JsonObject().put("base_ms", 5).put("cap_ms", 50).put("max_attempts", 12)));
    fx.sim.seed("fleet", 300, "stopped");
    var fleet = machines(fx, "fleet");
    fx.sim.sim.setFaults(new SimConfig.Faults(99, 0.10, 0.05, 0, 0, 0.02, 0.03, false, List.of(), 0)).await();

    List<OpResult> started = submitAndAwait(fx, ops("up", "fleet", fleet, new Action.Start(), true));
    List<OpResult> stopped = submitAndAwait(fx, ops("down", "fleet", fleet, new Action.Stop(StopOptions.DEFAULT), true));

    assertThat(started).allSatisfy(r -> assertThat(r.outcome()).as(r.error()).isEqualTo(OpResult.Outcome.SUCCEEDED));
    assertThat(stopped).allSatisfy(r -> assertThat(r.outcome()).as(r.error()).isEqualTo(OpResult.Outcome.SUCCEEDED));
    fx.sim.sim.setFaults(SimConfig.Faults.none()).await();
    assertThat(machines(fx, "fleet")).hasSize(300).allMatch(m -> m.state().equals("stopped"));
    Map<String, List<String>> byMachine = actionsByMachine(fx.journal("fleet"));
    assertThat(byMachine.values()).allSatisfy(actions -> {
      assertThat(actions.stream().filter("start"::equals)).as("starts").hasSize(1);
      assertThat(actions.stream().filter("stop"::equals)).as("stops").hasSize(1);
    });
    assertThat(fx.journal("fleet")).filteredOn(e -> List.of("start", "stop").contains(e.getString("action")))
        .allMatch(e -> e.getBoolean("with_lease"));
    assertThat(fx.sim.sim.leases(null).await().getJsonArray("leases")).isEmpty();
    JsonObject stats = fx.sim.sim.stats().await();
    assertThat(stats.getLong("injected_errors") + stats.getLong("injected_throttles") + stats.getLong("dropped_after"))
        .as("faults were really injected").isGreaterThan(50);
  }
}
