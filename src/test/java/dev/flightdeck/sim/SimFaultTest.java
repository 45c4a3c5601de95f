package dev.flightdeck.sim;

import static dev.flightdeck.testing.Futures.apiFailure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.fly.CreateMachineRequest;
import dev.flightdeck.fly.ErrorClass;
import dev.flightdeck.fly.FlyApp;
import dev.flightdeck.fly.FlyClient;
import dev.flightdeck.fly.ListMachinesQuery;
import dev.flightdeck.fly.MachineConfig;
import dev.flightdeck.fly.WaitOptions;
import dev.flightdeck.testing.SimFixture;
import dev.flightdeck.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Each fault kind, proven by what the client sees and what the journal recorded. */
@ExtendWith(VertxExtension.class)
class SimFaultTest {

  private SimFixture fx;
  private FlyClient fly;

  @BeforeEach
  void start(Vertx vertx) {
    fx = SimFixture.manual(vertx, TestConfigs.simJson());
    fly = fx.fly;
    fx.seed("f", 1, "stopped");
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  private static SimConfig.Faults faults(double error, double throttle, double slow, long slowMs, double dropBefore,
      double dropAfter, boolean mutationsOnly) {
    return new SimConfig.Faults(11, error, throttle, slow, slowMs, dropBefore, dropAfter, mutationsOnly,
        java.util.List.of(), 0);
  }

  private Future<String> machineId() {
    return fly.listMachines("f", ListMachinesQuery.ALL).map(ms -> ms.get(0).id());
  }

  private Future<Integer> journalSize() {
    return fx.sim.journal("f", null, 0).map(j -> j.getJsonArray("entries").size());
  }

  @Test
  void injected_server_errors_answer_5xx_and_change_nothing(VertxTestContext ctx) {
    machineId().compose(id -> fx.sim.setFaults(faults(1, 0, 0, 0, 0, 0, false))
            .compose(v -> apiFailure(fly.startMachine("f", id, null))))
        .compose(e -> {
          ctx.verify(() -> {
            assertThat(e.status()).isIn(500, 502, 503);
            assertThat(e.errorClass()).isEqualTo(ErrorClass.RETRYABLE);
          });
          return fx.sim.setFaults(SimConfig.Faults.none());
        })
        .compose(v -> journalSize())
        .onComplete(ctx.succeeding(n -> ctx.verify(() -> {
          assertThat(n).isZero();
          ctx.completeNow();
        })));
  }

  @Test
  void injected_throttles_answer_429(VertxTestContext ctx) {
    fx.sim.setFaults(faults(0, 1, 0, 0, 0, 0, false))
        .compose(v -> apiFailure(fly.getApp("f")))
        .onComplete(ctx.succeeding(e -> ctx.verify(() -> {
          assertThat(e.status()).isEqualTo(429);
          assertThat(e.rateLimited()).isTrue();
          ctx.completeNow();
        })));
  }

  @Test
  void a_slow_response_arrives_only_after_the_configured_delay(VertxTestContext ctx) {
    fx.sim.setFaults(faults(0, 0, 1, 5000, 0, 0, false)).compose(v -> {
      Future<FlyApp> answer = fly.getApp("f");
      return fx.clock.whenPending(1)
          .compose(x -> fx.clock.advance(4999))
          .compose(x -> {
            ctx.verify(() -> assertThat(answer.isComplete()).isFalse());
            return fx.clock.advance(1);
          })
          .compose(x -> answer);
    }).onComplete(ctx.succeeding(app -> ctx.verify(() -> {
      assertThat(app.name()).isEqualTo("f");
      ctx.completeNow();
    })));
  }

  @Test
  void a_connection_dropped_before_the_action_leaves_no_trace(VertxTestContext ctx) {
    machineId().compose(id -> fx.sim.setFaults(faults(0, 0, 0, 0, 1, 0, false))
            .compose(v -> apiFailure(fly.startMachine("f", id, null))))
        .compose(e -> {
          ctx.verify(() -> assertThat(e.status()).isZero());
          return fx.sim.setFaults(SimConfig.Faults.none());
        })
        .compose(v -> journalSize())
        .onComplete(ctx.succeeding(n -> ctx.verify(() -> {
          assertThat(n).isZero();
          ctx.completeNow();
        })));
  }

  @Test
  void a_connection_dropped_after_the_action_leaves_it_applied(VertxTestContext ctx) {
    fx.sim.setFaults(faults(0, 0, 0, 0, 0, 1, false))
        .compose(v -> apiFailure(fly.createMachine("f", CreateMachineRequest.of(MachineConfig.ofImage("i:2")))))
        .compose(e -> {
          ctx.verify(() -> assertThat(e.errorClass()).isEqualTo(ErrorClass.AMBIGUOUS));
          return fx.sim.setFaults(SimConfig.Faults.none());
        })
        .compose(v -> fx.sim.journal("f", null, 0))
        .onComplete(ctx.succeeding(j -> ctx.verify(() -> {
          assertThat(j.getJsonArray("entries")).hasSize(1);
          assertThat(j.getJsonArray("entries").getJsonObject(0).getString("action")).isEqualTo("create");
          ctx.completeNow();
        })));
  }

  @Test
  void mutations_only_faults_leave_reads_alone(VertxTestContext ctx) {
    machineId().compose(id -> fx.sim.setFaults(faults(1, 0, 0, 0, 0, 0, true))
            .compose(v -> fly.getApp("f"))
            .compose(app -> fly.listMachines("f", ListMachinesQuery.ALL))
            .compose(ms -> apiFailure(fly.startMachine("f", id, null))))
        .onComplete(ctx.succeeding(e -> ctx.verify(() -> {
          assertThat(e.status()).isGreaterThanOrEqualTo(500);
          ctx.completeNow();
        })));
  }

  @Test
  void faults_can_be_limited_to_named_operations(VertxTestContext ctx) {
    machineId().compose(id -> fx.sim.setFaults(new SimConfig.Faults(3, 1.0, 0, 0, 0, 0, 0, false,
            java.util.List.of("Machines_stop"), 0))
        .compose(v -> fly.startMachine("f", id, null))
        .compose(v -> apiFailure(fly.stopMachine("f", id, null, null))))
        .onComplete(ctx.succeeding(e -> ctx.verify(() -> {
          assertThat(e.status()).isGreaterThanOrEqualTo(500);
          ctx.completeNow();
        })));
  }

  @Test
  void faults_are_set_through_the_admin_endpoint_and_checked(VertxTestContext ctx) {
    fx.admin().putAbs(fx.baseUrl() + "/sim/faults").sendJsonObject(new JsonObject().put("throttle_rate", 1.0))
        .compose(ok -> {
          ctx.verify(() -> {
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.bodyAsJsonObject().getDouble("throttle_rate")).isEqualTo(1.0);
            assertThat(ok.bodyAsJsonObject().getDouble("error_rate")).isEqualTo(0.0);
          });
          return apiFailure(fly.getApp("f"));
        })
        .compose(e -> {
          ctx.verify(() -> assertThat(e.status()).isEqualTo(429));
          return fx.admin().putAbs(fx.baseUrl() + "/sim/faults").sendJsonObject(new JsonObject().put("error_rate", 2));
        })
        .onComplete(ctx.succeeding(bad -> ctx.verify(() -> {
          assertThat(bad.statusCode()).isEqualTo(400);
          assertThat(bad.bodyAsJsonObject().getString("error")).contains("sim.faults.error_rate");
          ctx.completeNow();
        })));
  }

  @Test
  void a_machine_that_fails_to_start_ends_failed_with_an_exit_event_and_can_be_started_again(VertxTestContext ctx) {
    SimConfig.Faults bootsFail = new SimConfig.Faults(5, 0, 0, 0, 0, 0, 0, false, java.util.List.of(), 1.0);
    machineId().compose(id -> fx.sim.setFaults(bootsFail)
            .compose(v -> fly.startMachine("f", id, null))
            .compose(v -> {
              // the start is accepted; the boot fails when the transition ends
              var waited = fly.waitMachine("f", id, new WaitOptions(java.util.List.of("started", "failed"), null, 30,
                  null));
              return fx.clock.runDue().compose(x -> waited);
            })
            .compose(w -> {
              ctx.verify(() -> assertThat(w.state()).isEqualTo("failed"));
              // a wait for "started" alone gets the 408 naming the failed state
              var started = fly.waitMachine("f", id, WaitOptions.forState("started", 5));
              return fx.clock.whenPending(1).compose(x -> fx.clock.advance(5000)).compose(x -> apiFailure(started));
            })
            .compose(e -> {
              ctx.verify(() -> assertThat(e.apiError()).endsWith("currently failed"));
              return fly.getMachine("f", id);
            })
            .compose(m -> {
              ctx.verify(() -> {
                assertThat(m.state()).isEqualTo("failed");
                assertThat(m.events().get(0).type()).isEqualTo("exit");
                assertThat(m.events().get(0).status()).isEqualTo("failed");
              });
              return fx.sim.setFaults(SimConfig.Faults.none());
            })
            .compose(v -> fly.startMachine("f", id, null))
            .compose(v -> fx.clock.runDue())
            .compose(v -> fly.getMachine("f", id)))
        .onComplete(ctx.succeeding(m -> ctx.verify(() -> {
          assertThat(m.state()).as("a failed machine starts once the fault is gone").isEqualTo("started");
          ctx.completeNow();
        })));
  }

  @Test
  void a_start_failure_rate_outside_zero_to_one_is_refused_naming_the_field(VertxTestContext ctx) {
    fx.admin().putAbs(fx.baseUrl() + "/sim/faults").sendJsonObject(new JsonObject().put("start_failure_rate", 1.5))
        .onComplete(ctx.succeeding(bad -> ctx.verify(() -> {
          assertThat(bad.statusCode()).isEqualTo(400);
          assertThat(bad.bodyAsJsonObject().getString("error")).contains("sim.faults.start_failure_rate");
          ctx.completeNow();
        })));
  }
}
