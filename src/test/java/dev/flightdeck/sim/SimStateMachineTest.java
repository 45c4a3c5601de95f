package dev.flightdeck.sim;

import static dev.flightdeck.testing.Futures.apiFailure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.fly.CreateAppRequest;
import dev.flightdeck.fly.CreateMachineRequest;
import dev.flightdeck.fly.ErrorClass;
import dev.flightdeck.fly.FlyClient;
import dev.flightdeck.fly.ListMachinesQuery;
import dev.flightdeck.fly.Machine;
import dev.flightdeck.fly.MachineConfig;
import dev.flightdeck.fly.MachineEvent;
import dev.flightdeck.fly.UpdateMachineRequest;
import dev.flightdeck.testing.SimFixture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Transitions and their latencies, exits, restart policies and auto_destroy, on a manual clock. */
@ExtendWith(VertxExtension.class)
class SimStateMachineTest {

  private SimFixture fx;
  private FlyClient fly;

  @BeforeEach
  void start(Vertx vertx) {
    fx = SimFixture.manual(vertx, SimFixture.shippedLatency());
    fly = fx.fly;
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  private Future<String> state(String app, String id) {
    return fly.getMachine(app, id).map(Machine::state);
  }

  private Future<Machine> only(String app) {
    return fly.listMachines(app, ListMachinesQuery.ALL).map(ms -> ms.get(0));
  }

  private Future<Machine> create(String app, JsonObject cfg) {
    return fly.createApp(new CreateAppRequest(app, "personal", null))
        .compose(v -> fly.createMachine(app, CreateMachineRequest.of(MachineConfig.of(cfg))));
  }

  @Test
  void start_passes_through_starting_for_exactly_the_configured_latency(VertxTestContext ctx) {
    fx.seed("s", 1, "stopped");
    only("s").compose(m -> fly.startMachine("s", m.id(), null)
        .compose(r -> state("s", m.id()))
        .compose(st -> {
          ctx.verify(() -> assertThat(st).isEqualTo("starting"));
          return fx.clock.advance(299);
        })
        .compose(v -> state("s", m.id()))
        .compose(st -> {
          ctx.verify(() -> assertThat(st).isEqualTo("starting"));
          return fx.clock.advance(1);
        })
        .compose(v -> state("s", m.id())))
        .onComplete(ctx.succeeding(st -> ctx.verify(() -> {
          assertThat(st).isEqualTo("started");
          ctx.completeNow();
        })));
  }

  @Test
  void create_answers_created_then_starts_after_the_create_latency(VertxTestContext ctx) {
    create("c", new JsonObject().put("image", "img:1"))
        .compose(m -> {
          ctx.verify(() -> {
            assertThat(m.state()).isEqualTo("created");
            assertThat(m.events()).extracting(MachineEvent::type).containsExactly("launch");
          });
          return fx.clock.advance(400).compose(v -> fly.getMachine("c", m.id()));
        })
        .onComplete(ctx.succeeding(m -> ctx.verify(() -> {
          assertThat(m.state()).isEqualTo("started");
          assertThat(m.events()).extracting(e -> e.type() + ":" + e.status()).containsExactly("start:started",
              "launch:created");
          ctx.completeNow();
        })));
  }

  @Test
  void skip_launch_leaves_a_new_machine_created(VertxTestContext ctx) {
    fly.createApp(new CreateAppRequest("k", "personal", null))
        .compose(v -> fly.createMachine("k", CreateMachineRequest.of(MachineConfig.ofImage("img:1")).withSkipLaunch(true)))
        .compose(m -> fx.clock.advance(10_000).compose(v -> state("k", m.id())))
        .onComplete(ctx.succeeding(st -> ctx.verify(() -> {
          assertThat(st).isEqualTo("created");
          ctx.completeNow();
        })));
  }

  @Test
  void update_replaces_the_version_and_reboots_a_running_machine(VertxTestContext ctx) {
    fx.seed("u", 1, "started");
    only("u").compose(before -> fly.updateMachine("u", before.id(),
            UpdateMachineRequest.of(before.config().withImage("registry.fly.io/u:v2"), before.instanceId()), null)
        .compose(after -> {
          ctx.verify(() -> {
            assertThat(after.state()).isEqualTo("replacing");
            assertThat(after.instanceId()).isNotEqualTo(before.instanceId()).hasSize(26);
          });
          return apiFailure(fly.startMachine("u", before.id(), null));
        })
        .compose(refused -> {
          ctx.verify(() -> {
            assertThat(refused.errorClass()).isEqualTo(ErrorClass.PRECONDITION);
            assertThat(refused.apiError()).isEqualTo("failed_precondition: machine getting replaced, refusing to start");
          });
          return fx.clock.advance(600);
        })
        .compose(v -> fly.getMachine("u", before.id()))
        .compose(m -> {
          ctx.verify(() -> {
            assertThat(m.state()).isEqualTo("started");
            assertThat(m.config().image()).isEqualTo("registry.fly.io/u:v2");
          });
          return fx.raw(io.vertx.core.http.HttpMethod.GET, "/v1/apps/u/machines/" + before.id() + "/versions").send();
        })
        .map(res -> res.bodyAsJsonArray()))
        .onComplete(ctx.succeeding(versions -> ctx.verify(() -> {
          assertThat(versions).hasSize(2);
          assertThat(versions.getJsonObject(1).getJsonObject("user_config").getString("image"))
              .isEqualTo("registry.fly.io/u:v1");
          ctx.completeNow();
        })));
  }

  @Test
  void update_with_skip_launch_keeps_a_stopped_machine_stopped(VertxTestContext ctx) {
    fx.seed("us", 1, "stopped");
    only("us").compose(m -> fly.updateMachine("us", m.id(),
            UpdateMachineRequest.of(m.config().withImage("img:2"), m.instanceId()).withSkipLaunch(true), null)
        .compose(v -> fx.clock.advance(600))
        .compose(v -> state("us", m.id())))
        .onComplete(ctx.succeeding(st -> ctx.verify(() -> {
          assertThat(st).isEqualTo("stopped");
          ctx.completeNow();
        })));
  }

  @Test
  void an_ephemeral_machine_exits_with_its_code_and_auto_destroys(VertxTestContext ctx) {
    JsonObject cfg = new JsonObject().put("image", "job:1").put("auto_destroy", true)
        .put("restart", new JsonObject().put("policy", "no"))
        .put("env", new JsonObject().put("SIM_RUN_MS", "1000").put("SIM_EXIT_CODE", "3"));
    create("e", cfg).compose(m -> fx.clock.advance(400)
        .compose(v -> state("e", m.id()))
        .compose(st -> {
          ctx.verify(() -> assertThat(st).isEqualTo("started"));
          return fx.clock.advance(999);
        })
        .compose(v -> state("e", m.id()))
        .compose(st -> {
          ctx.verify(() -> assertThat(st).isEqualTo("started"));
          return fx.clock.advance(1);
        })
        .compose(v -> state("e", m.id()))
        .compose(st -> {
          ctx.verify(() -> assertThat(st).isEqualTo("destroying"));
          return fx.clock.advance(200);
        })
        .compose(v -> fly.getMachine("e", m.id())))
        .onComplete(ctx.succeeding(m -> ctx.verify(() -> {
          assertThat(m.state()).isEqualTo("destroyed");
          MachineEvent exit = m.events().stream().filter(e -> e.type().equals("exit")).findFirst().orElseThrow();
          assertThat(exit.exitCode()).isEqualTo(3);
          assertThat(exit.request().getJsonObject("exit_event").getBoolean("restarting")).isFalse();
          ctx.completeNow();
        })));
  }

  @Test
  void on_failure_restarts_up_to_max_retries_then_stops(VertxTestContext ctx) {
    JsonObject cfg = new JsonObject().put("image", "job:1")
        .put("restart", new JsonObject().put("policy", "on-failure").put("max_retries", 2))
        .put("env", new JsonObject().put("SIM_RUN_MS", "100").put("SIM_EXIT_CODE", "1"));
    // create 400, then (run 100 + restart start 300) twice, then a last run of 100
    create("f", cfg).compose(m -> fx.clock.advance(400 + 2 * (100 + 300) + 100).compose(v -> fly.getMachine("f", m.id())))
        .onComplete(ctx.succeeding(m -> ctx.verify(() -> {
          assertThat(m.state()).isEqualTo("stopped");
          List<MachineEvent> exits = m.events().stream().filter(e -> e.type().equals("exit")).toList();
          assertThat(exits).hasSize(3).allMatch(e -> e.exitCode() == 1);
          assertThat(m.events().stream().filter(e -> e.type().equals("restart"))).hasSize(2);
          ctx.completeNow();
        })));
  }

  @Test
  void a_clean_exit_under_the_default_policy_stops_without_restarting(VertxTestContext ctx) {
    JsonObject cfg = new JsonObject().put("image", "job:1")
        .put("env", new JsonObject().put("SIM_RUN_MS", "100").put("SIM_EXIT_CODE", "0"));
    create("d", cfg).compose(m -> fx.clock.advance(500).compose(v -> fly.getMachine("d", m.id())))
        .onComplete(ctx.succeeding(m -> ctx.verify(() -> {
          assertThat(m.state()).isEqualTo("stopped");
          assertThat(m.events().stream().filter(e -> e.type().equals("restart"))).isEmpty();
          ctx.completeNow();
        })));
  }

  @Test
  void always_restarts_even_after_a_clean_exit(VertxTestContext ctx) {
    JsonObject cfg = new JsonObject().put("image", "job:1").put("restart", new JsonObject().put("policy", "always"))
        .put("env", new JsonObject().put("SIM_RUN_MS", "100").put("SIM_EXIT_CODE", "0"));
    create("a", cfg).compose(m -> fx.clock.advance(400 + 100 + 300).compose(v -> fly.getMachine("a", m.id())))
        .onComplete(ctx.succeeding(m -> ctx.verify(() -> {
          assertThat(m.state()).isEqualTo("started");
          assertThat(m.events().stream().filter(e -> e.type().equals("restart"))).hasSize(1);
          ctx.completeNow();
        })));
  }

  @Test
  void auto_destroy_machines_use_the_configured_default_run(Vertx vertx, VertxTestContext ctx) {
    fx.close();
    JsonObject sim = SimFixture.shippedLatency();
    sim.put("ephemeral", new JsonObject().put("run_ms", 5000).put("exit_code", 7));
    fx = SimFixture.manual(vertx, sim);
    fly = fx.fly;
    JsonObject cfg = new JsonObject().put("image", "job:1").put("auto_destroy", true)
        .put("restart", new JsonObject().put("policy", "no"));
    create("dflt", cfg).compose(m -> fx.clock.advance(400 + 5000 + 200).compose(v -> fly.getMachine("dflt", m.id())))
        .onComplete(ctx.succeeding(m -> ctx.verify(() -> {
          assertThat(m.state()).isEqualTo("destroyed");
          assertThat(m.events().stream().filter(e -> e.type().equals("exit")).findFirst().orElseThrow().exitCode())
              .isEqualTo(7);
          ctx.completeNow();
        })));
  }

  @Test
  void suspend_and_resume_and_stopping_a_suspended_machine_is_immediate(VertxTestContext ctx) {
    fx.seed("p", 1, "started");
    only("p").compose(m -> fly.suspendMachine("p", m.id(), null)
        .compose(v -> state("p", m.id()))
        .compose(st -> {
          ctx.verify(() -> assertThat(st).isEqualTo("suspending"));
          return fx.clock.advance(300);
        })
        .compose(v -> state("p", m.id()))
        .compose(st -> {
          ctx.verify(() -> assertThat(st).isEqualTo("suspended"));
          return fly.stopMachine("p", m.id(), null, null);
        })
        .compose(v -> state("p", m.id())))
        .onComplete(ctx.succeeding(st -> ctx.verify(() -> {
          assertThat(st).isEqualTo("stopped");
          ctx.completeNow();
        })));
  }

  @Test
  void operations_from_the_wrong_state_are_refused_with_the_real_text(VertxTestContext ctx) {
    fx.seed("w", 1, "stopped");
    only("w").compose(m -> apiFailure(fly.suspendMachine("w", m.id(), null))
        .compose(e -> {
          ctx.verify(() -> assertThat(e.apiError())
              .isEqualTo("failed_precondition: unable to suspend machine from current state: 'stopped'"));
          return fly.startMachine("w", m.id(), null).compose(v -> fx.clock.advance(300));
        })
        .compose(v -> apiFailure(fly.startMachine("w", m.id(), null))))
        .onComplete(ctx.succeeding(e -> ctx.verify(() -> {
          assertThat(e.status()).isEqualTo(412);
          assertThat(e.apiError())
              .isEqualTo("failed_precondition: unable to start machine from current state: 'started'");
          ctx.completeNow();
        })));
  }

  @Test
  void sigkill_stops_a_running_machine(VertxTestContext ctx) {
    fx.seed("kill", 1, "started");
    only("kill").compose(m -> fly.signalMachine("kill", m.id(), "SIGKILL")
        .compose(v -> fx.clock.runDue())
        .compose(v -> fly.getMachine("kill", m.id())))
        .onComplete(ctx.succeeding(m -> ctx.verify(() -> {
          assertThat(m.state()).isEqualTo("stopped");
          assertThat(m.events().get(0).exitCode()).isEqualTo(137);
          ctx.completeNow();
        })));
  }
}
