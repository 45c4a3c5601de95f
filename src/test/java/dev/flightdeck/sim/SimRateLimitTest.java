package dev.flightdeck.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.fly.CreateAppRequest;
import dev.flightdeck.fly.CreateMachineRequest;
import dev.flightdeck.fly.FlyApiException;
import dev.flightdeck.fly.FlyClient;
import dev.flightdeck.fly.ListMachinesQuery;
import dev.flightdeck.fly.Machine;
import dev.flightdeck.fly.MachineConfig;
import dev.flightdeck.testing.SimFixture;
import dev.flightdeck.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The documented limits: 1/s burst 3 per action and machine (per app for create); get 5/s burst 10. */
@ExtendWith(VertxExtension.class)
class SimRateLimitTest {

  private SimFixture fx;
  private FlyClient fly;

  private static JsonObject limited(boolean retryAfter) {
    JsonObject sim = TestConfigs.simJson();
    sim.getJsonObject("rate_limits").put("enabled", true).put("retry_after", retryAfter);
    return sim;
  }

  @BeforeEach
  void start(Vertx vertx) {
    fx = SimFixture.manual(vertx, limited(false));
    fly = fx.fly;
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  /** Runs {@code n} calls one after another and reports which of them were answered 429. */
  private static Future<List<Boolean>> run(int n, Supplier<Future<?>> call) {
    Future<List<Boolean>> chain = Future.succeededFuture(new java.util.ArrayList<>());
    for (int i = 0; i < n; i++) {
      chain = chain.compose(list -> call.get().transform(ar -> {
        boolean throttled = ar.failed() && ar.cause() instanceof FlyApiException e && e.status() == 429;
        if (ar.failed() && !throttled) {
          return Future.failedFuture(ar.cause());
        }
        list.add(throttled);
        return Future.succeededFuture(list);
      }));
    }
    return chain;
  }

  private Future<List<Machine>> machines(String app) {
    return fly.listMachines(app, ListMachinesQuery.ALL);
  }

  @Test
  void an_action_on_a_machine_allows_a_burst_of_three_then_one_per_second(VertxTestContext ctx) {
    fx.seed("rl", 2, "started");
    machines("rl").compose(ms -> run(4, () -> fly.cordonMachine("rl", ms.get(0).id(), null))
        .compose(first -> {
          ctx.verify(() -> assertThat(first).containsExactly(false, false, false, true));
          // another action on the same machine and the same action on another machine have their own buckets
          return run(1, () -> fly.uncordonMachine("rl", ms.get(0).id(), null))
              .compose(x -> run(1, () -> fly.cordonMachine("rl", ms.get(1).id(), null)))
              .map(second -> {
                ctx.verify(() -> assertThat(second).containsExactly(false));
                return first;
              });
        })
        .compose(v -> fx.clock.advance(999))
        .compose(v -> run(1, () -> fly.cordonMachine("rl", ms.get(0).id(), null)))
        .compose(stillEmpty -> {
          ctx.verify(() -> assertThat(stillEmpty).containsExactly(true));
          return fx.clock.advance(1);
        })
        .compose(v -> run(2, () -> fly.cordonMachine("rl", ms.get(0).id(), null))))
        .onComplete(ctx.succeeding(refilled -> ctx.verify(() -> {
          assertThat(refilled).containsExactly(false, true);
          ctx.completeNow();
        })));
  }

  @Test
  void get_machine_allows_a_burst_of_ten_then_five_per_second(VertxTestContext ctx) {
    fx.seed("get", 1, "stopped");
    machines("get").compose(ms -> run(11, () -> fly.getMachine("get", ms.get(0).id()))
        .compose(first -> {
          ctx.verify(() -> assertThat(first.subList(0, 10)).containsOnly(false));
          ctx.verify(() -> assertThat(first.get(10)).isTrue());
          return fx.clock.advance(200);
        })
        .compose(v -> run(2, () -> fly.getMachine("get", ms.get(0).id()))))
        .onComplete(ctx.succeeding(after -> ctx.verify(() -> {
          assertThat(after).containsExactly(false, true);
          ctx.completeNow();
        })));
  }

  @Test
  void creates_are_limited_per_app(VertxTestContext ctx) {
    Supplier<Future<?>> createA = () -> fly.createMachine("a", CreateMachineRequest.of(MachineConfig.ofImage("i:1")));
    Supplier<Future<?>> createB = () -> fly.createMachine("b", CreateMachineRequest.of(MachineConfig.ofImage("i:1")));
    fly.createApp(new CreateAppRequest("a", "personal", null))
        .compose(v -> fly.createApp(new CreateAppRequest("b", "personal", null)))
        .compose(v -> run(4, createA))
        .compose(a -> run(1, createB).map(b -> List.of(a, b)))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.get(0)).containsExactly(false, false, false, true);
          assertThat(r.get(1)).containsExactly(false);
          ctx.completeNow();
        })));
  }

  @Test
  void reads_lists_and_waits_are_not_limited(VertxTestContext ctx) {
    fx.seed("free", 1, "stopped");
    run(30, () -> fly.listMachines("free", ListMachinesQuery.ALL))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r).containsOnly(false);
          ctx.completeNow();
        })));
  }

  @Test
  void a_429_has_a_json_error_body_and_retry_after_only_when_configured(Vertx vertx, VertxTestContext ctx) {
    fx.seed("h", 1, "started");
    machines("h").compose(ms -> {
      String path = "/v1/apps/h/machines/" + ms.get(0).id() + "/cordon";
      return run(3, () -> fly.cordonMachine("h", ms.get(0).id(), null))
          .compose(v -> fx.raw(HttpMethod.POST, path).send())
          .compose(plain -> {
            ctx.verify(() -> {
              assertThat(plain.statusCode()).isEqualTo(429);
              assertThat(plain.getHeader("Retry-After")).isNull();
              assertThat(plain.bodyAsJsonObject().getString("error")).contains("rate limit");
            });
            return fx.sim.setRateLimits(new SimConfig.RateLimits(true, 1, 3, 5, 10, 100, true));
          })
          .compose(v -> run(3, () -> fly.cordonMachine("h", ms.get(0).id(), null)))
          .compose(v -> fx.raw(HttpMethod.POST, path).send());
    }).onComplete(ctx.succeeding(withHeader -> ctx.verify(() -> {
      assertThat(withHeader.statusCode()).isEqualTo(429);
      assertThat(withHeader.getHeader("Retry-After")).isEqualTo("1");
      ctx.completeNow();
    })));
  }
}
