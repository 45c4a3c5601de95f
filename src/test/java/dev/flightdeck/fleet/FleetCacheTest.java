package dev.flightdeck.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightdeck.dispatch.Action;
import dev.flightdeck.dispatch.MachineOp;
import dev.flightdeck.fly.ErrorClass;
import dev.flightdeck.fly.FlyApiException;
import dev.flightdeck.fly.ListMachinesQuery;
import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.testing.DispatchFixture;
import dev.flightdeck.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The cached fleet model: loaded on first use, queried, refreshed with jitter, fed by operation results. */
@ExtendWith(VertxExtension.class)
class FleetCacheTest {

  private DispatchFixture fx;

  @AfterEach
  void stop() {
    fx.close();
  }

  private long lists() {
    Long n = fx.sim.sim.stats().await().getJsonObject("requests_by_operation").getLong("Machines_list");
    return n == null ? 0 : n;
  }

  @Test
  void an_app_is_listed_once_on_first_use_then_queried_from_memory(Vertx vertx) {
    fx = DispatchFixture.real(vertx, TestConfigs.simJson(), new JsonObject());
    fx.sim.seed("q", 8, "stopped");
    var first = fx.sim.fly.listMachines("q", ListMachinesQuery.ALL).await();
    fx.sim.fly.startMachine("q", first.get(0).id(), null).await();
    fx.sim.fly.setMetadata("q", first.get(1).id(), "tier", "gold").await();
    long before = lists();

    assertThat(fx.fleet.machines("q", Selector.ALL).await()).hasSize(8);
    assertThat(fx.fleet.machines("q", Selector.ALL.withStates(Set.of("starting", "started"))).await())
        .extracting(CachedMachine::id).containsExactly(first.get(0).id());
    assertThat(fx.fleet.machines("q", Selector.ALL.withRegions(Set.of("ams"))).await()).hasSize(4)
        .allMatch(m -> m.region().equals("ams"));
    assertThat(fx.fleet.machines("q", Selector.ALL.withProcessGroups(Set.of("worker"))
        .withRegions(Set.of("ord"))).await()).hasSize(2);
    assertThat(fx.fleet.machines("q", Selector.ALL.withMetadata(Map.of("tier", "gold"))).await())
        .extracting(CachedMachine::id).containsExactly(first.get(1).id());
    assertThat(fx.fleet.machines("q", Selector.ALL.withIds(Set.of(first.get(2).id(), first.get(3).id()))).await())
        .hasSize(2);
    assertThat(lists() - before).as("one list for all those queries").isEqualTo(1);
  }

  @Test
  void dispatcher_results_update_the_cache_without_another_list(Vertx vertx) {
    fx = DispatchFixture.real(vertx, TestConfigs.simJson(), new JsonObject());
    fx.sim.seed("o", 4, "stopped");
    List<CachedMachine> cached = fx.fleet.machines("o", Selector.ALL).await();
    long before = lists();
    List<Future<dev.flightdeck.dispatch.OpResult>> done = fx.dispatcher.submitAll(cached.stream()
        .map(m -> MachineOp.of("op-" + m.id(), "job", "o", m.id(), new Action.Start(), true)).toList()).await();
    Future.all(done).await();

    assertThat(fx.fleet.machines("o", Selector.ALL).await()).allMatch(m -> m.state().equals("started"));
    assertThat(fx.fleet.machines("o", Selector.ALL).await()).allMatch(m -> m.leaseOwner() == null);
    assertThat(lists()).isEqualTo(before);
  }

  @Test
  void each_app_is_relisted_every_interval_give_or_take_the_jitter(Vertx vertx) {
    fx = DispatchFixture.manual(vertx, TestConfigs.simJson(), new JsonObject());
    fx.sim.seed("r", 2, "stopped");
    fx.fleet.machines("r", Selector.ALL).await();
    long loadedAt = fx.clock.millis();
    List<Long> due = fx.clock.dueTimes();
    assertThat(due).singleElement().satisfies(t -> assertThat(t - loadedAt).isBetween(25_000L, 35_000L));
    assertThat(fx.fleet.app("r", Long.MAX_VALUE).await().ageMs()).isZero();

    fx.advance(20_000).await();
    assertThat(fx.fleet.app("r", Long.MAX_VALUE).await().ageMs()).isEqualTo(20_000);
    long before = lists();
    fx.advance(due.get(0) - fx.clock.millis()).await();
    fx.eventually(() -> lists() == before + 1, Duration.ofSeconds(5), "the periodic list");
    fx.eventually(() -> fx.fleet.app("r", Long.MAX_VALUE).await().ageMs() == 0, Duration.ofSeconds(5), "fresh data");
  }

  @Test
  void a_caller_can_ask_for_data_no_older_than_it_needs(Vertx vertx) {
    fx = DispatchFixture.manual(vertx, TestConfigs.simJson(), new JsonObject());
    fx.sim.seed("f", 1, "stopped");
    fx.fleet.machines("f", Selector.ALL).await();
    fx.advance(5_000).await();
    long before = lists();
    fx.fleet.machines("f", Selector.ALL, 10_000).await();
    assertThat(lists()).isEqualTo(before);
    fx.fleet.machines("f", Selector.ALL, 1_000).await();
    assertThat(lists()).isEqualTo(before + 1);
  }

  @Test
  void a_list_that_started_before_an_operation_result_does_not_undo_it(Vertx vertx) {
    JsonObject sim = TestConfigs.simJson();
    fx = DispatchFixture.manual(vertx, sim, new JsonObject());
    fx.sim.seed("m", 2, "stopped");
    CachedMachine target = fx.fleet.machines("m", Selector.ALL).await().get(0);
    fx.sim.sim.setLatency(new SimConfig.Latency(100, 0, 0, 0, 0, 0, 0, 0, 0)).await();
    fx.advance(1).await();
    Future<FleetCache.AppView> refresh = fx.fleet.refresh("m");
    fx.eventually(() -> fx.clock.pendingTimers() >= 2, Duration.ofSeconds(5), "the list answer held back");
    fx.onEngine(() -> {
      fx.fleet.recordState("m", target.id(), "started", null);
      return null;
    });
    fx.advance(100).await();
    refresh.await();
    List<CachedMachine> after = fx.fleet.machines("m", Selector.ALL).await();
    assertThat(after).filteredOn(m -> m.id().equals(target.id())).singleElement()
        .satisfies(m -> assertThat(m.state()).isEqualTo("started"));
    assertThat(after).filteredOn(m -> !m.id().equals(target.id())).allMatch(m -> m.state().equals("stopped"));
  }

  @Test
  void refresh_errors_are_counted_and_old_data_served_as_stale(Vertx vertx) {
    fx = DispatchFixture.manual(vertx, TestConfigs.simJson(), new JsonObject());
    fx.sim.seed("s", 3, "stopped");
    fx.fleet.machines("s", Selector.ALL).await();
    fx.sim.sim.setFaults(new SimConfig.Faults(1, 1.0, 0, 0, 0, 0, 0, false, List.of("Machines_list"), 0)).await();
    fx.advance(100_000).await();
    FleetCache.AppView view = fx.fleet.refresh("s").await();
    assertThat(view.machines()).isEqualTo(3);
    assertThat(view.refreshErrors()).isGreaterThanOrEqualTo(1);
    assertThat(view.lastError()).contains("machines_list failed");
    assertThat(view.stale()).isTrue();
  }

  @Test
  void the_view_says_whether_an_earlier_answer_still_holds(Vertx vertx) {
    fx = DispatchFixture.manual(vertx, TestConfigs.simJson(), new JsonObject());
    fx.sim.seed("e", 3, "stopped");
    CachedMachine m = fx.fleet.machines("e", Selector.ALL).await().get(0);
    FleetCache.AppView first = fx.fleet.app("e", Long.MAX_VALUE).await();

    FleetCache.AppView relisted = fx.fleet.refresh("e").await();
    assertThat(relisted.changes()).as("a list that finds the same machines").isEqualTo(first.changes());

    fx.onEngine(() -> {
      fx.fleet.recordState("e", m.id(), "started", null);
      return null;
    });
    FleetCache.AppView started = fx.fleet.app("e", Long.MAX_VALUE).await();
    assertThat(started.changes()).as("Flightdeck's own result").isGreaterThan(relisted.changes());
    assertThat(FleetRoutes.etag(started, "")).isNotEqualTo(FleetRoutes.etag(relisted, ""));

    long expiresAt = fx.clock.millis() / 1000 + 10;
    fx.onEngine(() -> {
      fx.fleet.recordLease("e", m.id(), "someone else", expiresAt, false);
      return null;
    });
    FleetCache.AppView leased = fx.fleet.app("e", Long.MAX_VALUE).await();
    assertThat(leased.leases()).isEqualTo(1);
    fx.advance(11_000).await();
    FleetCache.AppView lapsed = fx.fleet.app("e", Long.MAX_VALUE).await();
    assertThat(lapsed.changes()).as("nothing was recorded").isEqualTo(leased.changes());
    assertThat(lapsed.leases()).as("the lease lapsed with time alone").isZero();
    assertThat(FleetRoutes.etag(lapsed, "")).isNotEqualTo(FleetRoutes.etag(leased, ""));
    assertThat(FleetRoutes.etag(lapsed, "state=started")).isNotEqualTo(FleetRoutes.etag(lapsed, ""));
  }

  @Test
  void an_app_that_does_not_exist_is_not_found(Vertx vertx) {
    fx = DispatchFixture.real(vertx, TestConfigs.simJson(), new JsonObject());
    assertThatThrownBy(() -> fx.fleet.machines("ghost", Selector.ALL).await())
        .isInstanceOfSatisfying(FlyApiException.class, e -> assertThat(e.errorClass()).isEqualTo(ErrorClass.NOT_FOUND));
    assertThat(fx.fleet.apps().await()).isEmpty();
  }
}
