package dev.flightdeck.dispatch;

import static dev.flightdeck.dispatch.DispatchTestSupport.actionsByMachine;
import static dev.flightdeck.dispatch.DispatchTestSupport.machines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.fly.CreateAppRequest;
import dev.flightdeck.fly.CreateMachineRequest;
import dev.flightdeck.fly.Machine;
import dev.flightdeck.fly.MachineConfig;
import dev.flightdeck.fly.RestartOptions;
import dev.flightdeck.testing.DispatchFixture;
import dev.flightdeck.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every kind of operation through the dispatcher, checked on the simulator. */
@ExtendWith(VertxExtension.class)
class DispatcherActionsTest {

  private DispatchFixture fx;
  private String id;

  @BeforeEach
  void start(Vertx vertx) {
    fx = DispatchFixture.real(vertx, TestConfigs.simJson(), new JsonObject());
    fx.sim.seed("a", 1, "started");
    id = machines(fx, "a").get(0).id();
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  private OpResult run(Action action, boolean await) {
    return fx.dispatcher.submit(MachineOp.of("op-" + System.nanoTime(), "job", "a", id, action, await)).await();
  }

  private Machine machine() {
    return fx.sim.fly.getMachine("a", id).await();
  }

  @Test
  void suspend_restart_and_destroy(Vertx vertx) {
    assertThat(run(new Action.Suspend(), true).succeeded()).isTrue();
    assertThat(machine().state()).isEqualTo("suspended");
    assertThat(run(new Action.Start(), true).succeeded()).isTrue();
    assertThat(run(new Action.Restart(RestartOptions.DEFAULT), true).succeeded()).isTrue();
    assertThat(machine().events().stream().filter(e -> e.type().equals("restart"))).hasSize(1);
    assertThat(run(new Action.Destroy(true), true).succeeded()).isTrue();
    assertThat(machine().state()).isEqualTo("destroyed");
    assertThat(actionsByMachine(fx.journal("a")).get(id)).containsSubsequence("suspend", "start", "restart", "destroy");
  }

  @Test
  void an_update_merges_into_the_current_config_and_keeps_what_it_does_not_name() {
    OpResult r = run(new Action.Update(null, new JsonObject().put("env", new JsonObject().put("MODE", "blue"))
        .put("guest", new JsonObject().put("memory_mb", 512)), false), true);
    assertThat(r.succeeded()).as(r.error()).isTrue();
    Machine m = machine();
    assertThat(m.state()).isEqualTo("started");
    assertThat(m.config().env()).containsEntry("MODE", "blue");
    assertThat(m.config().guestMemoryMb()).isEqualTo(512);
    assertThat(m.config().toJson().getJsonObject("guest").getString("cpu_kind")).isEqualTo("shared");
    assertThat(m.config().processGroup()).isEqualTo("app");
    // the same update again changes nothing and makes no call to update
    assertThat(run(new Action.Update(null, new JsonObject().put("env", new JsonObject().put("MODE", "blue")), false),
        true).succeeded()).isTrue();
    assertThat(fx.journal("a").stream().filter(e -> e.getString("action").equals("update"))).hasSize(1);
  }

  @Test
  void cordon_metadata_and_a_leaseless_wait() {
    assertThat(run(new Action.Cordon(true), false).succeeded()).isTrue();
    assertThat(machine().cordoned()).isTrue();
    assertThat(run(new Action.Metadata("owner", "team-a"), false).succeeded()).isTrue();
    assertThat(machine().config().metadata()).containsEntry("owner", "team-a");
    assertThat(run(new Action.Metadata("owner", null), false).succeeded()).isTrue();
    assertThat(machine().config().metadata()).doesNotContainKey("owner");
    OpResult waited = run(new Action.Wait(List.of("started")), false);
    assertThat(waited.succeeded()).isTrue();
    assertThat(waited.machine().id()).isEqualTo(id);
    assertThat(actionsByMachine(fx.journal("a")).get(id)).containsExactly("lease_acquire", "cordon", "lease_release",
        "metadata", "metadata");
  }

  @Test
  void a_create_waits_for_started_under_its_own_lease_and_tags_the_machine() {
    fx.sim.fly.createApp(new CreateAppRequest("new", "personal", null)).await();
    OpResult r = fx.dispatcher.submit(MachineOp.of("op", "job9", "new", null,
        new Action.Create(CreateMachineRequest.of(MachineConfig.ofImage("img:1")).withRegion("ams"), "3"), true))
        .await();
    assertThat(r.succeeded()).as(r.error()).isTrue();
    Machine m = fx.sim.fly.getMachine("new", r.machineId()).await();
    assertThat(m.state()).isEqualTo("started");
    assertThat(m.region()).isEqualTo("ams");
    assertThat(m.config().metadata()).containsEntry("flightdeck_op", "job9/3");
    assertThat(actionsByMachine(fx.journal("new")).get(r.machineId())).containsExactly("create", "lease_release");
  }

  @Test
  void an_operation_on_a_machine_that_does_not_exist_fails_as_not_found() {
    OpResult r = fx.dispatcher.submit(MachineOp.of("op", "job", "a", "00000000000000", new Action.Start(), true))
        .await();
    assertThat(r.outcome()).isEqualTo(OpResult.Outcome.FAILED);
    assertThat(r.errorCode()).isEqualTo("not_found");
  }
}
