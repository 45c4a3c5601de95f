package dev.flightdeck.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.fly.ListMachinesQuery;
import dev.flightdeck.testing.SimFixture;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** 100,000 machines across 1,000 apps fit and stay answerable (speed is measured in bench/). */
@ExtendWith(VertxExtension.class)
class SimScaleTest {

  private SimFixture fx;

  @AfterEach
  void stop() {
    fx.close();
  }

  @Test
  void holds_a_hundred_thousand_machines_across_a_thousand_apps(Vertx vertx, VertxTestContext ctx) {
    fx = SimFixture.start(vertx);
    for (int i = 0; i < 1000; i++) {
      fx.sim.seed(new SimConfig.SeedApp(String.format("app-%04d", i), 100, List.of("ord", "ams", "fra"),
          List.of("app", "worker"), "registry.fly.io/x:1", i % 2 == 0 ? "stopped" : "started"));
    }
    fx.sim.stats()
        .compose(stats -> {
          ctx.verify(() -> assertThat(stats.getInteger("machines")).isEqualTo(100_000));
          return fx.fly.listMachines("app-0500", ListMachinesQuery.ALL);
        })
        .compose(ms -> {
          ctx.verify(() -> assertThat(ms).hasSize(100).allMatch(m -> m.state().equals("stopped")));
          return fx.fly.listMachines("app-0999", ListMachinesQuery.ALL.withRegion("fra"));
        })
        .compose(fra -> fx.fly.getMachine("app-0999", fra.get(0).id()))
        .onComplete(ctx.succeeding(m -> ctx.verify(() -> {
          assertThat(m.region()).isEqualTo("fra");
          assertThat(m.state()).isEqualTo("started");
          ctx.completeNow();
        })));
  }
}
