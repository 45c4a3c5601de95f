package dev.flightdeck.dispatch;

import static dev.flightdeck.dispatch.DispatchTestSupport.actionsByMachine;
import static dev.flightdeck.dispatch.DispatchTestSupport.machines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.fleet.Selector;
import dev.flightdeck.fly.CreateAppRequest;
import dev.flightdeck.fly.CreateMachineRequest;
import dev.flightdeck.fly.MachineConfig;
import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.testing.DispatchFixture;
import dev.flightdeck.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Machines that fail to start: the operation ends as soon as the boot fails (not at its deadline),
 * with a clear error, the lease released and the start sent once.
 */
@ExtendWith(VertxExtension.class)
class DispatcherStartFailureTest {

  private DispatchFixture fx;

  @AfterEach
  void stop() {
    fx.close();
  }

  private static SimConfig.Faults bootsFail(String... dropAfter) {
    return new SimConfig.Faults(3, 0, 0, 0, 0, 0, dropAfter.length > 0 ? 1.0 : 0, false, List.of(dropAfter), 1.0);
  }

  /** The op timeout is five minutes: an answer within seconds shows the failure was seen, not timed out. */
  private static OpResult within10s(Future<OpResult> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private DispatchFixture fixture(Vertx vertx) {
    return DispatchFixture.real(vertx, TestConfigs.simJson(), new JsonObject().put("op_timeout_ms", 300_000)
        .put("wait_timeout_seconds", 60));
  }

  /** Loads the app into the fleet cache, as a job does when it resolves its targets. */
  private void cache(String app) throws Exception {
    fx.onEngine(() -> fx.fleet.machines(app, Selector.ALL)).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void a_start_whose_boot_fails_ends_at_once_as_start_failed_with_the_lease_released(Vertx vertx) throws Exception {
    fx = fixture(vertx);
    fx.sim.seed("s", 1, "stopped");
    String id = machines(fx, "s").get(0).id();
    cache("s");
    fx.sim.sim.setFaults(bootsFail()).await();

    OpResult r = within10s(fx.dispatcher.submit(MachineOp.of("op", "job", "s", id, new Action.Start(), true)));

    assertThat(r.outcome()).isEqualTo(OpResult.Outcome.FAILED);
    assertThat(r.errorCode()).isEqualTo("start_failed");
    assertThat(r.error()).contains(id).contains("failed to start");
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(actionsByMachine(fx.journal("s")).get(id)).containsExactly("lease_acquire", "start", "lease_release");
    assertThat(machines(fx, "s").get(0).state()).isEqualTo("failed");
    assertThat(fx.onEngine(() -> fx.fleet.peek("s", id)).state()).as("the cache learnt it").isEqualTo("failed");
    assertThat(fx.sim.sim.leases(null).await().getJsonArray("leases")).isEmpty();

    // "may be recoverable": once boots work again, a start from failed succeeds
    fx.sim.sim.setFaults(SimConfig.Faults.none()).await();
    OpResult again = within10s(fx.dispatcher.submit(MachineOp.of("op2", "job2", "s", id, new Action.Start(), true)));
    assertThat(again.outcome()).as(again.error()).isEqualTo(OpResult.Outcome.SUCCEEDED);
    assertThat(machines(fx, "s").get(0).state()).isEqualTo("started");
  }

  @Test
  void a_start_whose_answer_was_lost_and_whose_boot_failed_is_not_sent_again(Vertx vertx) throws Exception {
    fx = fixture(vertx);
    fx.sim.seed("a", 1, "stopped");
    String id = machines(fx, "a").get(0).id();
    // the cache knows the machine was stopped before the start
    cache("a");
    fx.sim.sim.setFaults(bootsFail("Machines_start")).await();

    OpResult r = within10s(fx.dispatcher.submit(MachineOp.of("op", "job", "a", id, new Action.Start(), true)));

    assertThat(r.outcome()).isEqualTo(OpResult.Outcome.FAILED);
    assertThat(r.errorCode()).isEqualTo("start_failed");
    assertThat(actionsByMachine(fx.journal("a")).get(id)).containsExactly("lease_acquire", "start", "lease_release");
    assertThat(fx.sim.sim.leases(null).await().getJsonArray("leases")).isEmpty();
  }

  @Test
  void a_created_machine_that_fails_to_boot_is_reported_not_waited_for(Vertx vertx) throws Exception {
    fx = fixture(vertx);
    fx.sim.fly.createApp(new CreateAppRequest("c", "personal", null)).await();
    fx.sim.sim.setFaults(bootsFail()).await();

    OpResult r = within10s(fx.dispatcher.submit(MachineOp.of("op", "job", "c", null,
        new Action.Create(CreateMachineRequest.of(MachineConfig.ofImage("img:1")), "0"), true)));

    assertThat(r.outcome()).isEqualTo(OpResult.Outcome.FAILED);
    assertThat(r.errorCode()).isEqualTo("start_failed");
    assertThat(r.machineId()).as("the machine exists; the job record names it").isNotNull();
    assertThat(fx.journal("c").stream().filter(e -> e.getString("action").equals("create"))).hasSize(1);
    assertThat(machines(fx, "c")).singleElement().satisfies(m -> assertThat(m.state()).isEqualTo("failed"));
  }

  @Test
  void a_resumed_start_whose_earlier_boot_failed_is_not_sent_again(Vertx vertx) throws Exception {
    fx = fixture(vertx);
    fx.sim.seed("r", 2, "stopped");
    List<String> ids = machines(fx, "r").stream().map(m -> m.id()).toList();
    // an earlier run started both and died; both boots failed
    fx.sim.sim.setFaults(bootsFail()).await();
    for (String id : ids) {
      fx.sim.fly.startMachine("r", id, null).await();
    }
    fx.eventually(() -> machines(fx, "r").stream().allMatch(m -> m.state().equals("failed")),
        java.time.Duration.ofSeconds(10), "the boots to fail");
    fx.sim.sim.setFaults(SimConfig.Faults.none()).await();

    // the resumed job planned the first from "stopped": its start already ran
    OpResult resumed = within10s(fx.dispatcher.submit(MachineOp.of("op", "job", "r", ids.get(0),
        new Action.Start("stopped"), true)));
    // the second was already failed when the job planned it: starting it is the job's point
    OpResult fromFailed = within10s(fx.dispatcher.submit(MachineOp.of("op2", "job", "r", ids.get(1),
        new Action.Start("failed"), true)));

    assertThat(resumed.errorCode()).isEqualTo("start_failed");
    assertThat(actionsByMachine(fx.journal("r")).get(ids.get(0))).containsExactly("start", "lease_acquire",
        "lease_release");
    assertThat(fromFailed.outcome()).as(fromFailed.error()).isEqualTo(OpResult.Outcome.SUCCEEDED);
    assertThat(actionsByMachine(fx.journal("r")).get(ids.get(1))).containsExactly("start", "lease_acquire", "start",
        "lease_release");
  }
}
