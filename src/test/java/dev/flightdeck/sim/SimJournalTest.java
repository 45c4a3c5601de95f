package dev.flightdeck.sim;

import static dev.flightdeck.testing.Futures.apiFailure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.fly.FlyClient;
import dev.flightdeck.fly.ListMachinesQuery;
import dev.flightdeck.fly.Machine;
import dev.flightdeck.testing.SimFixture;
import dev.flightdeck.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The journal records accepted mutations only, in order, with the lease they were made under. */
@ExtendWith(VertxExtension.class)
class SimJournalTest {

  private SimFixture fx;
  private FlyClient fly;

  @BeforeEach
  void start(Vertx vertx) {
    fx = SimFixture.manual(vertx, TestConfigs.simJson());
    fly = fx.fly;
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  private static List<String> actions(JsonObject journal) {
    return journal.getJsonArray("entries").stream().map(e -> ((JsonObject) e).getString("action")).toList();
  }

  @Test
  void accepted_mutations_are_recorded_in_order_with_their_lease(VertxTestContext ctx) {
    fx.seed("j", 2, "stopped");
    fly.listMachines("j", ListMachinesQuery.ALL).compose(ms -> {
      Machine a = ms.get(0);
      Machine b = ms.get(1);
      return fly.acquireLease("j", a.id(), 30, "job-1")
          .compose(l -> fly.startMachine("j", a.id(), l.nonce())
              .compose(v -> apiFailure(fly.startMachine("j", a.id(), null))) // refused: not recorded
              .compose(v -> fx.clock.runDue())
              .compose(v -> fly.stopMachine("j", a.id(), null, l.nonce()))
              .compose(v -> fly.releaseLease("j", a.id(), l.nonce())))
          .compose(v -> fly.startMachine("j", b.id(), null))
          .compose(v -> fx.sim.journal("j", a.id(), 0))
          .compose(forA -> {
            ctx.verify(() -> {
              assertThat(actions(forA)).containsExactly("lease_acquire", "start", "stop", "lease_release");
              JsonObject start = forA.getJsonArray("entries").getJsonObject(1);
              assertThat(start.getBoolean("with_lease")).isTrue();
              assertThat(start.getString("lease_owner")).isEqualTo("flightdeck@sim.local");
              assertThat(start.getString("state_before")).isEqualTo("stopped");
              assertThat(start.getString("state_after")).isEqualTo("starting");
              assertThat(start.getString("request_id")).isNotBlank();
              assertThat(start.getString("instance_id")).isEqualTo(a.instanceId());
            });
            return fx.sim.journal("j", null, 0);
          })
          .compose(all -> {
            ctx.verify(() -> {
              assertThat(actions(all)).containsExactly("lease_acquire", "start", "stop", "lease_release", "start");
              JsonObject last = all.getJsonArray("entries").getJsonObject(4);
              assertThat(last.getString("machine_id")).isEqualTo(b.id());
              assertThat(last.getBoolean("with_lease")).isFalse();
            });
            long third = all.getJsonArray("entries").getJsonObject(2).getLong("seq");
            return fx.admin().getAbs(fx.baseUrl() + "/sim/journal?app=j&after_seq=" + third).send();
          });
    }).onComplete(ctx.succeeding(res -> ctx.verify(() -> {
      JsonArray entries = res.bodyAsJsonObject().getJsonArray("entries");
      assertThat(entries.stream().map(e -> ((JsonObject) e).getString("action"))).containsExactly("lease_release",
          "start");
      ctx.completeNow();
    })));
  }

  @Test
  void creates_record_their_metadata_so_duplicates_per_slot_can_be_found(VertxTestContext ctx) {
    fly.createApp(new dev.flightdeck.fly.CreateAppRequest("c", "personal", null))
        .compose(v -> fly.createMachine("c", dev.flightdeck.fly.CreateMachineRequest.of(
            dev.flightdeck.fly.MachineConfig.ofImage("i:1").withMetadata("flightdeck_slot", "job-7/3"))))
        .compose(m -> fx.sim.journal("c", null, 0).map(j -> new Object[] {m, j}))
        .onComplete(ctx.succeeding(pair -> ctx.verify(() -> {
          JsonObject j = (JsonObject) pair[1];
          assertThat(actions(j)).containsExactly("app_create", "create");
          JsonObject create = j.getJsonArray("entries").getJsonObject(1);
          assertThat(create.getString("machine_id")).isEqualTo(((Machine) pair[0]).id());
          assertThat(create.getJsonObject("detail").getJsonObject("metadata").getString("flightdeck_slot"))
              .isEqualTo("job-7/3");
          ctx.completeNow();
        })));
  }
}
