package dev.flightdeck.dispatch;

import static dev.flightdeck.dispatch.DispatchTestSupport.actionsByMachine;
import static dev.flightdeck.dispatch.DispatchTestSupport.machines;
import static dev.flightdeck.dispatch.DispatchTestSupport.ops;
import static dev.flightdeck.dispatch.DispatchTestSupport.submit;
import static dev.flightdeck.dispatch.DispatchTestSupport.submitAndAwait;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.fly.Machine;
import dev.flightdeck.fly.StopOptions;
import dev.flightdeck.testing.DispatchFixture;
import dev.flightdeck.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Serialisation, limits and fairness, each proven against the simulator's journal and state. */
@ExtendWith(VertxExtension.class)
class DispatcherTest {

  private DispatchFixture fx;

  @AfterEach
  void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void a_batch_of_starts_leaves_every_machine_started_with_one_leased_start_each(Vertx vertx) {
    fx = DispatchFixture.real(vertx, TestConfigs.simJson(), new JsonObject());
    fx.sim.seed("web", 50, "stopped");
    List<Machine> ms = machines(fx, "web");

    List<OpResult> results = submitAndAwait(fx, ops("job1", "web", ms, new Action.Start(), true));

    assertThat(results).allSatisfy(r -> {
      assertThat(r.outcome()).isEqualTo(OpResult.Outcome.SUCCEEDED);
      assertThat(r.attempts()).isEqualTo(1);
      assertThat(r.apiCalls()).isEqualTo(4); // lease, start, wait, release
    });
    assertThat(machines(fx, "web")).allMatch(m -> m.state().equals("started"));
    Map<String, List<String>> byMachine = actionsByMachine(fx.journal("web"));
    assertThat(byMachine).hasSize(50);
    assertThat(byMachine.values()).allSatisfy(a -> assertThat(a).containsExactly("lease_acquire", "start",
        "lease_release"));
    assertThat(fx.journal("web")).filteredOn(e -> e.getString("action").equals("start"))
        .allMatch(e -> e.getBoolean("with_lease"));
    assertThat(fx.sim.sim.leases(null).await().getJsonArray("leases")).isEmpty();
  }

  @Test
  void operations_on_one_machine_from_several_jobs_never_overlap(Vertx vertx) {
    fx = DispatchFixture.real(vertx, TestConfigs.simJson(), new JsonObject());
    fx.sim.seed("one", 1, "stopped");
    String id = machines(fx, "one").get(0).id();
    List<Future<OpResult>> all = new ArrayList<>();
    all.addAll(submit(fx, List.of(MachineOp.of("a", "jobA", "one", id, new Action.Start(), true))));
    all.addAll(submit(fx, List.of(MachineOp.of("b", "jobB", "one", id, new Action.Stop(StopOptions.DEFAULT), true))));
    all.addAll(submit(fx, List.of(MachineOp.of("c", "jobC", "one", id, new Action.Start(), true))));
    List<OpResult> results = Future.all(all).await().list();

    assertThat(results).allMatch(OpResult::succeeded);
    assertThat(actionsByMachine(fx.journal("one")).get(id)).containsExactly(
        "lease_acquire", "start", "lease_release",
        "lease_acquire", "stop", "lease_release",
        "lease_acquire", "start", "lease_release");
    JsonObject stats = fx.sim.sim.stats().await();
    assertThat(stats.getJsonObject("responses_by_status").getLong("409")).as("no lease collisions").isNull();
  }

  /** Waits until the simulator has {@code n} parked wait calls: every running op is waiting. */
  private void quiescentWith(int n) {
    fx.eventually(() -> fx.simWaiters() == n, Duration.ofSeconds(10), n + " waiting operations");
  }

  private static Map<Long, Long> startsBySimTime(List<JsonObject> journal) {
    return journal.stream().filter(e -> e.getString("action").equals("start"))
        .collect(Collectors.groupingBy(e -> e.getLong("at"), java.util.TreeMap::new, Collectors.counting()));
  }

  @Test
  void a_second_stop_planned_before_the_first_landed_is_not_sent(Vertx vertx) {
    fx = DispatchFixture.real(vertx, TestConfigs.simJson(), new JsonObject());
    fx.sim.seed("twice", 1, "started");
    String id = machines(fx, "twice").get(0).id();
    fx.onEngine(() -> fx.fleet.machines("twice", dev.flightdeck.fleet.Selector.ALL)).await();
    // two scale-downs of one group, both planned from a cache that showed the machine started
    List<Future<OpResult>> both = new ArrayList<>();
    both.addAll(submit(fx, List.of(MachineOp.of("a", "jobA", "twice", id, new Action.Stop(StopOptions.DEFAULT), true))));
    both.addAll(submit(fx, List.of(MachineOp.of("b", "jobB", "twice", id, new Action.Stop(StopOptions.DEFAULT), true))));
    assertThat(Future.all(new ArrayList<>(both)).await().<OpResult>list()).allMatch(OpResult::succeeded);
    assertThat(actionsByMachine(fx.journal("twice")).get(id)).containsExactly(
        "lease_acquire", "stop", "lease_release",
        "lease_acquire", "lease_release");
  }

  @Test
  void a_stop_is_sent_when_the_machine_was_started_behind_the_caches_back(Vertx vertx) {
    fx = DispatchFixture.real(vertx, TestConfigs.simJson(), new JsonObject());
    fx.sim.seed("behind", 1, "started");
    String id = machines(fx, "behind").get(0).id();
    fx.onEngine(() -> fx.fleet.machines("behind", dev.flightdeck.fleet.Selector.ALL)).await();
    submitAndAwait(fx, List.of(MachineOp.of("a", "jobA", "behind", id, new Action.Stop(StopOptions.DEFAULT), true)));
    // someone else starts it; the cache still says stopped
    fx.sim.fly.startMachine("behind", id, null).await();
    fx.eventually(() -> "started".equals(fx.sim.fly.getMachine("behind", id).await().state()), Duration.ofSeconds(10),
        "started again");
    List<OpResult> second = submitAndAwait(fx, List.of(MachineOp.of("b", "jobB", "behind", id,
        new Action.Stop(StopOptions.DEFAULT), true)));
    assertThat(second).allMatch(OpResult::succeeded);
    assertThat(actionsByMachine(fx.journal("behind")).get(id)).containsExactly(
        "lease_acquire", "stop", "lease_release", "start",
        "lease_acquire", "stop", "lease_release");
    assertThat(fx.sim.fly.getMachine("behind", id).await().state()).isEqualTo("stopped");
  }

  @Test
  void never_more_than_the_global_limit_in_flight(Vertx vertx) {
    JsonObject sim = TestConfigs.simJson();
    sim.getJsonObject("latency").put("start_ms", 1000);
    fx = DispatchFixture.manual(vertx, sim, new JsonObject().put("max_in_flight", 3));
    fx.sim.seed("g", 10, "stopped");
    List<Future<OpResult>> futures = submit(fx, ops("job", "g", machines(fx, "g"), new Action.Start(), true));
    for (int round = 0; round < 4; round++) {
      quiescentWith(round < 3 ? 3 : 1);
      fx.advance(1000).await();
    }
    assertThat(Future.all(futures).await().list()).allMatch(r -> ((OpResult) r).succeeded());
    // starts happen in waves of at most three at one simulated instant
    assertThat(startsBySimTime(fx.journal("g")).values()).containsExactly(3L, 3L, 3L, 1L);
  }

  @Test
  void never_more_than_the_per_app_limit_in_flight(Vertx vertx) {
    JsonObject sim = TestConfigs.simJson();
    sim.getJsonObject("latency").put("start_ms", 1000);
    fx = DispatchFixture.manual(vertx, sim, new JsonObject().put("max_in_flight", 10).put("max_in_flight_per_app", 2));
    fx.sim.seed("a1", 4, "stopped");
    fx.sim.seed("a2", 4, "stopped");
    List<MachineOp> all = new ArrayList<>(ops("job", "a1", machines(fx, "a1"), new Action.Start(), true));
    all.addAll(ops("job2", "a2", machines(fx, "a2"), new Action.Start(), true));
    List<Future<OpResult>> futures = submit(fx, all);
    quiescentWith(4);
    assertThat(fx.journal("a1").stream().filter(e -> e.getString("action").equals("start"))).hasSize(2);
    assertThat(fx.journal("a2").stream().filter(e -> e.getString("action").equals("start"))).hasSize(2);
    fx.advance(1000).await();
    quiescentWith(4);
    fx.advance(1000).await();
    assertThat(Future.all(futures).await().list()).hasSize(8);
    assertThat(startsBySimTime(fx.journal("a1")).values()).containsExactly(2L, 2L);
  }

  @Test
  void a_job_limit_caps_its_own_operations(Vertx vertx) {
    JsonObject sim = TestConfigs.simJson();
    sim.getJsonObject("latency").put("start_ms", 1000);
    fx = DispatchFixture.manual(vertx, sim, new JsonObject());
    fx.sim.seed("j", 5, "stopped");
    List<MachineOp> limited = ops("job", "j", machines(fx, "j"), new Action.Start(), true).stream()
        .map(o -> o.withJobMaxConcurrent(2)).toList();
    List<Future<OpResult>> futures = submit(fx, limited);
    for (int i = 0; i < 3; i++) {
      quiescentWith(i < 2 ? 2 : 1);
      fx.advance(1000).await();
    }
    Future.all(futures).await();
    assertThat(startsBySimTime(fx.journal("j")).values()).containsExactly(2L, 2L, 1L);
  }

  @Test
  void round_robin_lets_a_small_job_through_a_big_one(Vertx vertx) {
    fx = DispatchFixture.real(vertx, TestConfigs.simJson(), new JsonObject().put("max_in_flight", 1));
    fx.sim.seed("big", 20, "stopped");
    fx.sim.seed("small", 3, "stopped");
    // both jobs handed over in one step: submitted one after the other, the big one's first ops ran
    // before the small one arrived whenever the test thread was slow (a flaky run under load)
    List<MachineOp> both = new java.util.ArrayList<>(ops("big", "big", machines(fx, "big"), new Action.Start(), true));
    both.addAll(ops("small", "small", machines(fx, "small"), new Action.Start(), true));
    Future.all(submit(fx, both)).await();
    List<String> startOrder = fx.journal(null).stream().filter(e -> e.getString("action").equals("start"))
        .map(e -> e.getString("app")).toList();
    assertThat(startOrder).hasSize(23);
    int lastSmall = startOrder.lastIndexOf("small");
    assertThat(lastSmall).as("the 3-machine job finishes within the first rounds, order " + startOrder)
        .isLessThanOrEqualTo(7);
  }

  @Test
  void higher_priority_jobs_go_first(Vertx vertx) {
    JsonObject sim = TestConfigs.simJson();
    sim.getJsonObject("latency").put("start_ms", 1000);
    fx = DispatchFixture.manual(vertx, sim, new JsonObject().put("max_in_flight", 1));
    fx.sim.seed("low", 3, "stopped");
    fx.sim.seed("high", 2, "stopped");
    List<Future<OpResult>> low = submit(fx, ops("low", "low", machines(fx, "low"), new Action.Start(), true));
    quiescentWith(1); // the first low op is running
    List<Future<OpResult>> high = submit(fx, ops("high", "high", machines(fx, "high"), new Action.Start(), true)
        .stream().map(o -> o.withPriority(10)).toList());
    for (int i = 0; i < 5; i++) {
      quiescentWith(1);
      fx.advance(1000).await();
    }
    Future.all(low).await();
    Future.all(high).await();
    List<String> order = fx.journal(null).stream().filter(e -> e.getString("action").equals("start"))
        .map(e -> e.getString("app")).toList();
    assertThat(order).containsExactly("low", "high", "high", "low", "low");
  }
}
