package dev.flightdeck.dispatch;

import static dev.flightdeck.dispatch.DispatchTestSupport.actionsByMachine;
import static dev.flightdeck.dispatch.DispatchTestSupport.machines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.testing.DispatchFixture;
import dev.flightdeck.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Leases: refreshed during long waits, released on success and failure, foreign holders respected. */
@ExtendWith(VertxExtension.class)
class DispatcherLeaseTest {

  private DispatchFixture fx;

  @AfterEach
  void stop() {
    fx.close();
  }

  /** A timer due within the next second: the lease refresh (the boot and the wait time out later). */
  private boolean refreshArmed() {
    long now = fx.clock.millis();
    return fx.clock.dueTimes().stream().anyMatch(t -> t > now && t <= now + 1000);
  }

  private JsonArray leases() {
    return fx.sim.sim.leases(null).await().getJsonArray("leases");
  }

  @Test
  void the_lease_is_refreshed_while_a_long_start_is_awaited_and_released_after(Vertx vertx) {
    JsonObject sim = TestConfigs.simJson();
    sim.getJsonObject("latency").put("start_ms", 10_000);
    fx = DispatchFixture.manual(vertx, sim, new JsonObject().put("lease_ttl_seconds", 4));
    fx.sim.seed("slow", 1, "stopped");
    String id = machines(fx, "slow").get(0).id();
    Future<OpResult> result = fx.dispatcher.submit(MachineOp.of("op", "job", "slow", id, new Action.Start(), true));
    // advance a second at a time, each time only once the last refresh was answered and the next
    // one armed (advancing before that would skip a refresh and count the test's timing, not ours)
    for (int s = 0; s < 10; s++) {
      fx.eventually(() -> result.isComplete() || (fx.simWaiters() == 1 && refreshArmed()), Duration.ofSeconds(10),
          "the op waits with its next lease refresh armed");
      fx.advance(1000).await();
    }
    OpResult r = result.await();
    assertThat(r.outcome()).as(r.error()).isEqualTo(OpResult.Outcome.SUCCEEDED);
    List<String> actions = actionsByMachine(fx.journal("slow")).get(id);
    assertThat(actions).startsWith("lease_acquire", "start").endsWith("lease_release");
    assertThat(actions.stream().filter("lease_refresh"::equals).count()).isGreaterThanOrEqualTo(8);
    assertThat(fx.journal("slow").get(fx.journal("slow").size() - 1).getBoolean("with_lease"))
        .as("released with the nonce, so the lease never lapsed").isTrue();
    assertThat(leases()).isEmpty();
  }

  @Test
  void a_lease_that_lapsed_while_refreshes_failed_is_never_used_for_the_action(Vertx vertx) {
    fx = DispatchFixture.manual(vertx, TestConfigs.simJson(), new JsonObject().put("lease_ttl_seconds", 4)
        .put("backoff", new JsonObject().put("kind", "exponential").put("base_ms", 200).put("cap_ms", 500)
            .put("max_attempts", 100)));
    fx.sim.seed("lapse", 1, "stopped");
    String id = machines(fx, "lapse").get(0).id();
    // every start fails, so the op keeps retrying it while holding its lease
    fx.sim.sim.setFaults(new dev.flightdeck.sim.SimConfig.Faults(1, 1.0, 0, 0, 0, 0, 0, false,
        List.of("Machines_start"), 0)).await();
    Future<OpResult> result = fx.dispatcher.submit(MachineOp.of("op", "job", "lapse", id, new Action.Start(), true));
    fx.eventually(() -> fx.clock.pendingTimers() > 0, Duration.ofSeconds(10), "a retry of the start");
    // then the API fails the lease refreshes too, for longer than the 4 s TTL: the lease runs out
    fx.sim.sim.setFaults(new dev.flightdeck.sim.SimConfig.Faults(1, 1.0, 0, 0, 0, 0, 0, false,
        List.of("Machines_start", "Machines_create_lease"), 0)).await();
    for (int i = 0; i < 12; i++) {
      // a start already in flight must not see the clock jump seconds before it reaches the simulator
      fx.eventually(fx::apiIdle, Duration.ofSeconds(10), "no call in flight");
      fx.advance(500).await();
    }
    fx.sim.sim.setFaults(dev.flightdeck.sim.SimConfig.Faults.none()).await();
    while (!result.isComplete()) {
      // time moves only while no call is in flight: a start sent under a live lease must not find it
      // expired at the simulator because the clock raced ahead during the round trip (a CI flake)
      fx.eventually(() -> (fx.clock.pendingTimers() > 0 && fx.apiIdle()) || result.isComplete(),
          Duration.ofSeconds(10), "progress");
      if (!result.isComplete()) {
        fx.advance(250).await();
      }
    }
    OpResult r = result.await();
    assertThat(r.outcome()).as(r.error()).isEqualTo(OpResult.Outcome.SUCCEEDED);
    List<JsonObject> starts = fx.journal("lapse").stream().filter(e -> e.getString("action").equals("start")).toList();
    assertThat(starts).hasSize(1);
    assertThat(starts.get(0).getBoolean("with_lease")).as("sent under a live lease, a fresh one: %s", fx.journal("lapse")).isTrue();
    assertThat(actionsByMachine(fx.journal("lapse")).get(id).stream().filter("lease_acquire"::equals).count())
        .as("a fresh lease was taken after the first one lapsed").isGreaterThanOrEqualTo(2);
    assertThat(leases()).isEmpty();
  }

  @Test
  void the_lease_is_released_when_the_action_fails(Vertx vertx) {
    fx = DispatchFixture.real(vertx, TestConfigs.simJson(), new JsonObject());
    fx.sim.seed("f", 1, "stopped");
    String id = machines(fx, "f").get(0).id();
    OpResult r = fx.dispatcher.submit(MachineOp.of("op", "job", "f", id, new Action.Suspend(), true)).await();
    assertThat(r.outcome()).isEqualTo(OpResult.Outcome.FAILED);
    assertThat(r.errorCode()).isEqualTo("precondition");
    assertThat(r.error()).contains("unable to suspend machine from current state: 'stopped'");
    assertThat(actionsByMachine(fx.journal("f")).get(id)).containsExactly("lease_acquire", "lease_release");
    assertThat(leases()).isEmpty();
  }

  @Test
  void a_foreign_lease_is_waited_for_and_then_reported_by_holder_never_stolen(Vertx vertx) {
    fx = DispatchFixture.manual(vertx, TestConfigs.simJson(), new JsonObject().put("lease_conflict_timeout_ms", 5000));
    fx.sim.seed("d", 1, "stopped");
    String id = machines(fx, "d").get(0).id();
    fx.sim.sim.foreignLeases("d", List.of(id), "deploy@fly.io", 3600).await();
    Future<OpResult> result = fx.dispatcher.submit(MachineOp.of("op", "job", "d", id, new Action.Start(), true));
    while (!result.isComplete()) {
      fx.eventually(() -> fx.clock.pendingTimers() > 0 || result.isComplete(), Duration.ofSeconds(10), "a backoff");
      fx.advance(500).await();
    }
    OpResult r = result.await();
    assertThat(r.outcome()).isEqualTo(OpResult.Outcome.FAILED);
    assertThat(r.errorCode()).isEqualTo("lease_conflict");
    assertThat(r.error()).contains("deploy@fly.io");
    assertThat(r.attempts()).isGreaterThan(1);
    assertThat(fx.journal("d")).isEmpty();
    assertThat(leases()).singleElement().satisfies(l -> assertThat(((JsonObject) l).getString("owner"))
        .isEqualTo("deploy@fly.io"));
    assertThat(fx.dispatcher.stats().await().leaseConflicts()).isGreaterThan(1);
  }

  @Test
  void the_operation_goes_through_once_the_foreign_holder_lets_go(Vertx vertx) {
    fx = DispatchFixture.manual(vertx, TestConfigs.simJson(), new JsonObject());
    fx.sim.seed("d2", 1, "stopped");
    String id = machines(fx, "d2").get(0).id();
    fx.sim.sim.foreignLeases("d2", List.of(id), "deploy@fly.io", 3600).await();
    Future<OpResult> result = fx.dispatcher.submit(MachineOp.of("op", "job", "d2", id, new Action.Start(), true));
    fx.eventually(() -> fx.clock.pendingTimers() > 0, Duration.ofSeconds(10), "the first conflict's backoff");
    fx.sim.admin().deleteAbs(fx.sim.baseUrl() + "/sim/foreign-leases?app=d2").send().await();
    fx.fireNextTimer(); // the deferral ends; the lease is free now
    assertThat(fx.settle(result).outcome()).isEqualTo(OpResult.Outcome.SUCCEEDED);
    assertThat(actionsByMachine(fx.journal("d2")).get(id)).containsExactly("lease_acquire", "start", "lease_release");
  }
}
