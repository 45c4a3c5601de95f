package dev.flightdeck.dispatch;

import static dev.flightdeck.dispatch.DispatchTestSupport.actionsByMachine;
import static dev.flightdeck.dispatch.DispatchTestSupport.machines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.fly.CreateMachineRequest;
import dev.flightdeck.fly.CreateAppRequest;
import dev.flightdeck.fly.MachineConfig;
import dev.flightdeck.sim.SimConfig;
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

/** Lost answers: the dispatcher looks before it repeats, so nothing happens twice. */
@ExtendWith(VertxExtension.class)
class DispatcherAmbiguityTest {

  private DispatchFixture fx;

  @AfterEach
  void stop() {
    fx.close();
  }

  private static SimConfig.Faults dropAfter(String... operations) {
    return new SimConfig.Faults(1, 0, 0, 0, 0, 0, 1.0, false, List.of(operations), 0);
  }

  private static SimConfig.Faults dropBefore(String... operations) {
    return new SimConfig.Faults(1, 0, 0, 0, 0, 1.0, 0, false, List.of(operations), 0);
  }

  private MachineOp create(String slot) {
    return MachineOp.of("op-" + slot, "job7", "c", null,
        new Action.Create(CreateMachineRequest.of(MachineConfig.ofImage("img:1")), slot), true);
  }

  @Test
  void a_create_whose_answer_was_lost_is_found_by_its_tag_not_made_twice(Vertx vertx) {
    fx = DispatchFixture.real(vertx, TestConfigs.simJson(), new JsonObject());
    fx.sim.fly.createApp(new CreateAppRequest("c", "personal", null)).await();
    fx.sim.sim.setFaults(dropAfter("Machines_create")).await();
    OpResult r = fx.dispatcher.submit(create("0")).await();

    assertThat(r.outcome()).as(r.error()).isEqualTo(OpResult.Outcome.SUCCEEDED);
    assertThat(r.machineId()).isNotNull();
    List<JsonObject> creates = fx.journal("c").stream().filter(e -> e.getString("action").equals("create")).toList();
    assertThat(creates).singleElement().satisfies(e -> {
      assertThat(e.getString("machine_id")).isEqualTo(r.machineId());
      assertThat(e.getJsonObject("detail").getJsonObject("metadata").getString("flightdeck_op")).isEqualTo("job7/0");
    });
    assertThat(machines(fx, "c")).singleElement().satisfies(m -> assertThat(m.state()).isEqualTo("started"));
    assertThat(fx.dispatcher.stats().await().ambiguous()).isEqualTo(1);
    assertThat(fx.sim.sim.leases(null).await().getJsonArray("leases")).isEmpty();
  }

  @Test
  void a_create_that_never_arrived_is_sent_again_after_the_lookup_finds_nothing(Vertx vertx) {
    fx = DispatchFixture.manual(vertx, TestConfigs.simJson(), new JsonObject());
    fx.sim.fly.createApp(new CreateAppRequest("c", "personal", null)).await();
    fx.sim.sim.setFaults(dropBefore("Machines_create")).await();
    Future<OpResult> result = fx.dispatcher.submit(create("1"));
    // the lookup finds nothing, waits, looks again, then the op backs off
    fx.eventually(() -> fx.clock.pendingTimers() > 0, Duration.ofSeconds(10), "the lookup pause");
    fx.fireNextTimer();
    fx.eventually(() -> fx.clock.pendingTimers() > 0, Duration.ofSeconds(10), "the backoff");
    fx.sim.sim.setFaults(SimConfig.Faults.none()).await();
    fx.fireNextTimer();
    OpResult r = fx.settle(result);

    assertThat(r.outcome()).as(r.error()).isEqualTo(OpResult.Outcome.SUCCEEDED);
    assertThat(r.attempts()).isEqualTo(2);
    assertThat(fx.journal("c").stream().filter(e -> e.getString("action").equals("create"))).hasSize(1);
  }

  @Test
  void a_create_with_no_clear_answer_keeps_looking_while_the_list_fails_then_goes_on(Vertx vertx) {
    fx = DispatchFixture.manual(vertx, TestConfigs.simJson(), new JsonObject()
        .put("rate_limits", new JsonObject().put("enabled", false)));
    fx.sim.fly.createApp(new CreateAppRequest("c", "personal", null)).await();
    // a 5xx on create may have applied; the lookup by tag then fails too
    fx.sim.sim.setFaults(new SimConfig.Faults(1, 1.0, 0, 0, 0, 0, 0, false, List.of("Machines_create",
        "Machines_list"), 0)).await();
    Future<OpResult> result = fx.dispatcher.submit(create("2"));
    fx.eventually(() -> fx.clock.pendingTimers() > 0, Duration.ofSeconds(10), "the lookup's backoff");
    assertThat(result.isComplete()).as("a failing lookup is retried, not the end of the op").isFalse();
    fx.sim.sim.setFaults(SimConfig.Faults.none()).await();
    while (!result.isComplete()) {
      fx.fireNextTimer();
      fx.eventually(() -> result.isComplete() || fx.clock.pendingTimers() > 0, Duration.ofSeconds(10), "progress");
    }
    OpResult r = fx.settle(result);

    assertThat(r.outcome()).as(r.error()).isEqualTo(OpResult.Outcome.SUCCEEDED);
    assertThat(fx.journal("c").stream().filter(e -> e.getString("action").equals("create"))).hasSize(1);
    assertThat(machines(fx, "c")).hasSize(1);
  }

  @Test
  void a_start_whose_answer_was_lost_is_not_sent_again(Vertx vertx) {
    fx = DispatchFixture.real(vertx, TestConfigs.simJson(), new JsonObject());
    fx.sim.seed("s", 3, "stopped");
    fx.sim.sim.setFaults(dropAfter("Machines_start", "Machines_create_lease", "Machines_release_lease")).await();
    List<OpResult> results = DispatchTestSupport.submitAndAwait(fx,
        DispatchTestSupport.ops("j", "s", machines(fx, "s"), new Action.Start(), true));

    assertThat(results).allMatch(OpResult::succeeded);
    assertThat(actionsByMachine(fx.journal("s")).values()).allSatisfy(a ->
        assertThat(a).containsExactly("lease_acquire", "start", "lease_release"));
    assertThat(fx.sim.sim.leases(null).await().getJsonArray("leases")).isEmpty();
  }

  @Test
  void an_update_whose_answer_was_lost_is_not_applied_twice(Vertx vertx) {
    fx = DispatchFixture.real(vertx, TestConfigs.simJson(), new JsonObject());
    fx.sim.seed("u", 1, "started");
    String id = machines(fx, "u").get(0).id();
    fx.sim.sim.setFaults(dropAfter("Machines_update")).await();
    OpResult r = fx.dispatcher.submit(MachineOp.of("op", "job", "u", id,
        new Action.Update("registry.fly.io/u:v2", null, false), true)).await();

    assertThat(r.outcome()).as(r.error()).isEqualTo(OpResult.Outcome.SUCCEEDED);
    assertThat(fx.journal("u").stream().filter(e -> e.getString("action").equals("update"))).hasSize(1);
    assertThat(machines(fx, "u").get(0).config().image()).isEqualTo("registry.fly.io/u:v2");
  }
}
