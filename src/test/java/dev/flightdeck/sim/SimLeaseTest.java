package dev.flightdeck.sim;

import static dev.flightdeck.testing.Futures.apiFailure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.fly.CreateAppRequest;
import dev.flightdeck.fly.CreateMachineRequest;
import dev.flightdeck.fly.ErrorClass;
import dev.flightdeck.fly.FlyClient;
import dev.flightdeck.fly.Lease;
import dev.flightdeck.fly.ListMachinesQuery;
import dev.flightdeck.fly.Machine;
import dev.flightdeck.fly.MachineConfig;
import dev.flightdeck.fly.RestartOptions;
import dev.flightdeck.fly.UpdateMachineRequest;
import dev.flightdeck.testing.SimFixture;
import dev.flightdeck.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Leases: nonce, TTL and expiry on the sim clock, refresh, release, enforcement on every mutation. */
@ExtendWith(VertxExtension.class)
class SimLeaseTest {

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

  private Future<Machine> only(String app) {
    return fly.listMachines(app, ListMachinesQuery.ALL).map(ms -> ms.get(0));
  }

  @Test
  void a_lease_expires_when_its_ttl_passes_on_the_sim_clock(VertxTestContext ctx) {
    fx.seed("ttl", 1, "stopped");
    only("ttl").compose(m -> fly.acquireLease("ttl", m.id(), 13, "test")
        .compose(l -> {
          ctx.verify(() -> assertThat(l.expiresAt()).isEqualTo(fx.clock.millis() / 1000 + 13));
          return fx.clock.advance(12_999);
        })
        .compose(v -> fly.getLease("ttl", m.id()))
        .compose(v -> fx.clock.advance(1))
        .compose(v -> apiFailure(fly.getLease("ttl", m.id())))
        .compose(e -> {
          ctx.verify(() -> assertThat(e.errorClass()).isEqualTo(ErrorClass.NOT_FOUND));
          // nobody holds it now, so a mutation without a nonce goes through
          return fly.startMachine("ttl", m.id(), null);
        }))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.previousState()).isEqualTo("stopped");
          ctx.completeNow();
        })));
  }

  @Test
  void a_refresh_keeps_the_nonce_and_extends_the_expiry(VertxTestContext ctx) {
    fx.seed("ref", 1, "stopped");
    only("ref").compose(m -> fly.acquireLease("ref", m.id(), 13, null)
        .compose(l -> fx.clock.advance(10_000).compose(v -> fly.refreshLease("ref", m.id(), l.nonce(), 13))
            .compose(r -> {
              ctx.verify(() -> {
                assertThat(r.nonce()).isEqualTo(l.nonce());
                assertThat(r.expiresAt()).isEqualTo(l.expiresAt() + 10);
              });
              return fx.clock.advance(12_000);
            })
            .compose(v -> fly.getLease("ref", m.id()))))
        .onComplete(ctx.succeeding(l -> ctx.verify(() -> {
          assertThat(l.owner()).isEqualTo("flightdeck@sim.local");
          ctx.completeNow();
        })));
  }

  @Test
  void the_ttl_may_come_as_a_query_parameter_like_fly_go_sends_it(VertxTestContext ctx) {
    fx.seed("q", 1, "stopped");
    only("q").compose(m -> fx.raw(HttpMethod.POST, "/v1/apps/q/machines/" + m.id() + "/lease?ttl=20").send())
        .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
          assertThat(res.statusCode()).isEqualTo(201);
          JsonObject data = res.bodyAsJsonObject().getJsonObject("data");
          assertThat(data.getLong("expires_at")).isEqualTo(fx.clock.millis() / 1000 + 20);
          assertThat(res.bodyAsJsonObject().getString("status")).isEqualTo("success");
          ctx.completeNow();
        })));
  }

  @Test
  void release_needs_the_holders_nonce(VertxTestContext ctx) {
    fx.seed("rel", 1, "stopped");
    only("rel").compose(m -> fly.acquireLease("rel", m.id(), 60, null).compose(l ->
        fx.raw(HttpMethod.DELETE, "/v1/apps/rel/machines/" + m.id() + "/lease").send()
            .compose(noNonce -> {
              ctx.verify(() -> assertThat(noNonce.statusCode()).isEqualTo(400));
              return apiFailure(fly.releaseLease("rel", m.id(), "000000000000"));
            })
            .compose(wrong -> {
              ctx.verify(() -> assertThat(wrong.errorClass()).isEqualTo(ErrorClass.LEASE_CONFLICT));
              return fly.releaseLease("rel", m.id(), l.nonce());
            })
            .compose(v -> apiFailure(fly.releaseLease("rel", m.id(), l.nonce())))))
        .onComplete(ctx.succeeding(gone -> ctx.verify(() -> {
          assertThat(gone.errorClass()).isEqualTo(ErrorClass.NOT_FOUND);
          ctx.completeNow();
        })));
  }

  @Test
  void create_with_lease_ttl_returns_the_nonce_of_a_lease_already_held(VertxTestContext ctx) {
    fly.createApp(new CreateAppRequest("lc", "personal", null))
        .compose(v -> fly.createMachine("lc", CreateMachineRequest.of(MachineConfig.ofImage("img:1")).withLeaseTtl(30)))
        .compose(m -> {
          ctx.verify(() -> assertThat(m.nonce()).matches("[0-9a-f]{12}"));
          return fly.getLease("lc", m.id()).map(l -> new Object[] {m, l});
        })
        .onComplete(ctx.succeeding(pair -> ctx.verify(() -> {
          assertThat(((Lease) pair[1]).nonce()).isEqualTo(((Machine) pair[0]).nonce());
          ctx.completeNow();
        })));
  }

  @Test
  void every_mutating_route_refuses_a_caller_without_the_nonce(VertxTestContext ctx) {
    fx.seed("all", 1, "started");
    only("all").compose(m -> fly.acquireLease("all", m.id(), 60, null).compose(l -> {
      List<Function<String, Future<?>>> mutations = List.of(
          n -> fly.updateMachine("all", m.id(), UpdateMachineRequest.of(m.config(), null), n),
          n -> fly.stopMachine("all", m.id(), null, n),
          n -> fly.suspendMachine("all", m.id(), n),
          n -> fly.restartMachine("all", m.id(), RestartOptions.DEFAULT, n),
          n -> fly.cordonMachine("all", m.id(), n),
          n -> fly.uncordonMachine("all", m.id(), n),
          n -> fly.deleteMachine("all", m.id(), true, n),
          n -> fly.startMachine("all", m.id(), n));
      Future<Void> chain = Future.succeededFuture();
      for (Function<String, Future<?>> mutation : mutations) {
        chain = chain.compose(v -> apiFailure(mutation.apply(null))).compose(e -> {
          ctx.verify(() -> {
            assertThat(e.status()).isEqualTo(409);
            assertThat(e.apiError()).matches("aborted: machine ID " + m.id()
                + " lease currently held by flightdeck@sim\\.local, expires at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
          });
          return Future.succeededFuture();
        });
      }
      // metadata writes are not guarded by leases
      return chain.compose(v -> fly.setMetadata("all", m.id(), "note", "leased"))
          .compose(v -> fx.journal("all", m.id()));
    })).onComplete(ctx.succeeding(journal -> ctx.verify(() -> {
      assertThat(journal.getJsonArray("entries").stream().map(e -> ((JsonObject) e).getString("action")))
          .containsExactly("lease_acquire", "metadata");
      ctx.completeNow();
    })));
  }

  @Test
  void foreign_leases_are_set_and_cleared_through_the_admin_endpoint(VertxTestContext ctx) {
    fx.seed("fl", 2, "stopped");
    fly.listMachines("fl", ListMachinesQuery.ALL).compose(ms -> fx.admin()
            .postAbs(fx.baseUrl() + "/sim/foreign-leases")
            .sendJsonObject(new JsonObject().put("app", "fl").put("machine_ids", List.of(ms.get(0).id()))
                .put("owner", "ci@example.com").put("ttl_seconds", 120))
            .compose(res -> {
              ctx.verify(() -> assertThat(res.bodyAsJsonObject().getJsonArray("machine_ids")).containsExactly(ms.get(0).id()));
              return apiFailure(fly.startMachine("fl", ms.get(0).id(), null));
            })
            .compose(e -> {
              ctx.verify(() -> assertThat(e.leaseHolder()).isEqualTo("ci@example.com"));
              return fly.startMachine("fl", ms.get(1).id(), null);
            })
            .compose(v -> fx.admin().deleteAbs(fx.baseUrl() + "/sim/foreign-leases?app=fl&owner=ci@example.com").send())
            .compose(v -> fly.startMachine("fl", ms.get(0).id(), null)))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.previousState()).isEqualTo("stopped");
          ctx.completeNow();
        })));
  }
}
