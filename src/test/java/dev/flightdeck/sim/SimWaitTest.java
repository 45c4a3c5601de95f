package dev.flightdeck.sim;

import static dev.flightdeck.testing.Futures.apiFailure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.fly.ErrorClass;
import dev.flightdeck.fly.FlyClient;
import dev.flightdeck.fly.ListMachinesQuery;
import dev.flightdeck.fly.Machine;
import dev.flightdeck.fly.UpdateMachineRequest;
import dev.flightdeck.fly.WaitOptions;
import dev.flightdeck.fly.WaitResult;
import dev.flightdeck.testing.SimFixture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** wait: immediate answers, answers on transition, the 408 at the deadline, parameter checks. */
@ExtendWith(VertxExtension.class)
class SimWaitTest {

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

  private Future<Machine> only(String app) {
    return fly.listMachines(app, ListMachinesQuery.ALL).map(ms -> ms.get(0));
  }

  @Test
  void a_machine_already_in_the_state_answers_at_once_with_version_and_event(VertxTestContext ctx) {
    fx.seed("now", 1, "stopped");
    only("now").compose(m -> fly.waitMachine("now", m.id(), WaitOptions.forState("stopped", 30))
            .map(w -> new Object[] {m, w}))
        .onComplete(ctx.succeeding(pair -> ctx.verify(() -> {
          Machine m = (Machine) pair[0];
          WaitResult w = (WaitResult) pair[1];
          assertThat(w.ok()).isTrue();
          assertThat(w.state()).isEqualTo("stopped");
          assertThat(w.version()).isEqualTo(m.instanceId());
          assertThat(w.eventId()).isEqualTo(m.events().get(0).id());
          ctx.completeNow();
        })));
  }

  @Test
  void a_wait_answers_when_the_transition_completes_and_not_before(VertxTestContext ctx) {
    fx.seed("later", 1, "stopped");
    only("later").compose(m -> fly.startMachine("later", m.id(), null).compose(r -> {
      Future<WaitResult> w = fly.waitMachine("later", m.id(), WaitOptions.forState("started", 30));
      // pending: the start transition and the wait's deadline
      return fx.clock.whenPending(2)
          .compose(v -> fx.clock.advance(299))
          .compose(v -> {
            ctx.verify(() -> assertThat(w.isComplete()).isFalse());
            return fx.clock.advance(1);
          })
          .compose(v -> w);
    })).onComplete(ctx.succeeding(w -> ctx.verify(() -> {
      assertThat(w.state()).isEqualTo("started");
      assertThat(fx.clock.pendingTimers()).as("the deadline timer was cancelled").isZero();
      ctx.completeNow();
    })));
  }

  @Test
  void a_wait_that_passes_its_deadline_gets_408_with_the_real_text(VertxTestContext ctx) {
    fx.seed("late", 1, "stopped");
    only("late").compose(m -> {
      Future<WaitResult> w = fly.waitMachine("late", m.id(), WaitOptions.forState("started", 5));
      return fx.clock.whenPending(1).compose(v -> fx.clock.advance(5000)).compose(v -> apiFailure(w));
    }).onComplete(ctx.succeeding(e -> ctx.verify(() -> {
      assertThat(e.status()).isEqualTo(408);
      assertThat(e.errorClass()).isEqualTo(ErrorClass.WAIT_TIMEOUT);
      assertThat(e.apiError())
          .isEqualTo("deadline_exceeded: machine failed to reach desired state, started, currently stopped");
      ctx.completeNow();
    })));
  }

  @Test
  void a_timeout_above_sixty_seconds_is_capped_at_sixty(VertxTestContext ctx) {
    fx.seed("cap", 1, "stopped");
    only("cap").compose(m -> {
      var res = fx.raw(HttpMethod.GET, "/v1/apps/cap/machines/" + m.id() + "/wait?state=started&timeout=600").send();
      return fx.clock.whenPending(1)
          .compose(v -> {
            ctx.verify(() -> assertThat(fx.clock.dueTimes()).containsExactly(fx.clock.millis() + 60_000));
            return fx.clock.advance(60_000);
          })
          .compose(v -> res);
    }).onComplete(ctx.succeeding(res -> ctx.verify(() -> {
      assertThat(res.statusCode()).isEqualTo(408);
      ctx.completeNow();
    })));
  }

  @Test
  void settled_and_several_states_match_any_persistent_state(VertxTestContext ctx) {
    fx.seed("set", 1, "started");
    only("set").compose(m -> fly.stopMachine("set", m.id(), null, null).compose(v -> {
      Future<WaitResult> settled = fly.waitMachine("set", m.id(), WaitOptions.forState("settled", 30));
      Future<WaitResult> either = fly.waitMachine("set", m.id(), new WaitOptions(List.of("suspended", "stopped"), null,
          30, null));
      return fx.clock.whenPending(3).compose(x -> fx.clock.advance(300)).compose(x -> Future.all(settled, either));
    })).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      assertThat(((WaitResult) all.resultAt(0)).state()).isEqualTo("stopped");
      assertThat(((WaitResult) all.resultAt(1)).state()).isEqualTo("stopped");
      ctx.completeNow();
    })));
  }

  @Test
  void bad_parameters_are_rejected_with_400(VertxTestContext ctx) {
    fx.seed("bad", 1, "stopped");
    only("bad").compose(m -> fx.raw(HttpMethod.GET, "/v1/apps/bad/machines/" + m.id() + "/wait?state=flying").send()
        .compose(r1 -> fx.raw(HttpMethod.GET, "/v1/apps/bad/machines/" + m.id() + "/wait?timeout=soon").send()
            .map(r2 -> List.of(r1, r2))))
        .onComplete(ctx.succeeding(rs -> ctx.verify(() -> {
          assertThat(rs.get(0).statusCode()).isEqualTo(400);
          assertThat(rs.get(0).bodyAsJsonObject().getString("error")).contains("invalid state: flying");
          assertThat(rs.get(1).statusCode()).isEqualTo(400);
          ctx.completeNow();
        })));
  }

  @Test
  void waiting_on_a_replaced_version_is_refused(VertxTestContext ctx) {
    fx.seed("ver", 1, "stopped");
    only("ver").compose(m -> fly.updateMachine("ver", m.id(),
            UpdateMachineRequest.of(m.config().withImage("img:2"), m.instanceId()).withSkipLaunch(true), null)
        .compose(u -> apiFailure(fly.waitMachine("ver", m.id(),
            WaitOptions.forState("stopped", 10).withVersion(m.instanceId())))))
        .onComplete(ctx.succeeding(e -> ctx.verify(() -> {
          assertThat(e.status()).isEqualTo(412);
          assertThat(e.apiError()).contains("currently replaced");
          ctx.completeNow();
        })));
  }
}
