package dev.flightdeck.dispatch;

import static dev.flightdeck.dispatch.DispatchTestSupport.actionsByMachine;
import static dev.flightdeck.dispatch.DispatchTestSupport.machines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.testing.DispatchFixture;
import dev.flightdeck.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Client-side buckets, 429 handling and backoff with its cap, on a manual clock. */
@ExtendWith(VertxExtension.class)
class DispatcherRetryTest {

  private DispatchFixture fx;

  @AfterEach
  void stop() {
    fx.close();
  }

  private static JsonObject limitedSim() {
    JsonObject sim = TestConfigs.simJson();
    sim.getJsonObject("rate_limits").put("enabled", true);
    return sim;
  }

  private long status429() {
    Long n = fx.sim.sim.stats().await().getJsonObject("responses_by_status").getLong("429");
    return n == null ? 0 : n;
  }

  private List<Future<OpResult>> cordons(String app, String id, int n) {
    List<MachineOp> ops = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ops.add(MachineOp.of("c" + i, "job" + i, app, id, new Action.Cordon(i % 2 == 0), false));
    }
    return fx.dispatcher.submitAll(ops).await();
  }

  @Test
  void client_buckets_pace_calls_so_the_api_never_answers_429(Vertx vertx) {
    fx = DispatchFixture.manual(vertx, limitedSim(), new JsonObject());
    fx.sim.seed("b", 1, "started");
    String id = machines(fx, "b").get(0).id();
    List<Future<OpResult>> ops = cordons("b", id, 5);
    // three fit in the burst; the other two each wait a second for tokens
    fx.eventually(() -> ops.stream().filter(Future::isComplete).count() == 3, Duration.ofSeconds(10), "the burst");
    assertThat(ops.get(3).isComplete()).isFalse();
    fx.advance(1000).await();
    fx.eventually(() -> ops.get(3).isComplete(), Duration.ofSeconds(10), "the fourth");
    assertThat(ops.get(4).isComplete()).isFalse();
    fx.advance(1000).await();
    fx.eventually(() -> ops.get(4).isComplete(), Duration.ofSeconds(10), "the fifth");
    assertThat(ops).allMatch(f -> f.result().succeeded());
    assertThat(fx.journal("b").stream().filter(e -> e.getString("action").endsWith("cordon"))).hasSize(5);
    assertThat(status429()).isZero();
    assertThat(fx.dispatcher.stats().await().bucketWaits()).isGreaterThan(0);
  }

  @Test
  void without_client_buckets_the_same_calls_meet_429s_and_back_off(Vertx vertx) {
    fx = DispatchFixture.manual(vertx, limitedSim(), new JsonObject()
        .put("rate_limits", new JsonObject().put("enabled", false))
        .put("backoff", new JsonObject().put("kind", "fixed").put("base_ms", 1000).put("cap_ms", 1000)));
    fx.sim.seed("nb", 1, "started");
    String id = machines(fx, "nb").get(0).id();
    List<Future<OpResult>> ops = cordons("nb", id, 5);
    // move the clock only for the 1 s backoffs, never as far as a lease refresh (every 4 s)
    while (!ops.stream().allMatch(Future::isComplete)) {
      fx.eventually(() -> timerWithin(1000) || ops.stream().allMatch(Future::isComplete),
          Duration.ofSeconds(10), "a backoff");
      if (timerWithin(1000)) {
        fx.fireNextTimer();
      }
    }
    assertThat(ops).allMatch(f -> f.result().succeeded());
    assertThat(status429()).isGreaterThan(0);
    assertThat(fx.dispatcher.stats().await().rateLimited()).isEqualTo(status429());
  }

  @Test
  void server_errors_are_retried_with_capped_backoff_until_attempts_run_out(Vertx vertx) {
    // client buckets off: the only short timers are then the backoff sleeps
    fx = DispatchFixture.manual(vertx, TestConfigs.simJson(), new JsonObject()
        .put("rate_limits", new JsonObject().put("enabled", false))
        .put("backoff", new JsonObject().put("base_ms", 100).put("cap_ms", 400).put("max_attempts", 5)));
    fx.sim.seed("e", 1, "stopped");
    String id = machines(fx, "e").get(0).id();
    fx.sim.sim.setFaults(new SimConfig.Faults(1, 1.0, 0, 0, 0, 0, 0, false, List.of("Machines_start"), 0)).await();
    Future<OpResult> result = fx.dispatcher.submit(MachineOp.of("op", "job", "e", id, new Action.Start(), true));
    List<Long> delays = new ArrayList<>();
    while (!result.isComplete()) {
      fx.eventually(() -> result.isComplete() || backoffPending(), Duration.ofSeconds(10), "a backoff timer");
      if (result.isComplete()) {
        break;
      }
      long due = fx.clock.dueTimes().get(0);
      delays.add(due - fx.clock.millis());
      fx.fireNextTimer();
    }
    OpResult r = result.await();
    assertThat(r.outcome()).isEqualTo(OpResult.Outcome.FAILED);
    assertThat(r.errorCode()).isEqualTo("retries_exhausted");
    assertThat(r.attempts()).isEqualTo(5);
    // retry k waits at most min(400, 100·2^(k-1)): 100, 200, 400, 400
    assertThat(delays).hasSize(4);
    long[] ceilings = {100, 200, 400, 400};
    for (int i = 0; i < delays.size(); i++) {
      assertThat(delays.get(i)).isBetween(0L, ceilings[i]);
    }
    // each failed start was read back before repeating it, and the lease went back at the end
    assertThat(actionsByMachine(fx.journal("e")).get(id)).containsExactly("lease_acquire", "lease_release");
    assertThat(fx.sim.sim.leases(null).await().getJsonArray("leases")).isEmpty();
  }

  private boolean timerWithin(long ms) {
    return fx.clock.dueTimes().stream().anyMatch(t -> t - fx.clock.millis() <= ms);
  }

  /** A backoff sleep is the only timer shorter than the lease refresh period. */
  private boolean backoffPending() {
    return fx.clock.dueTimes().stream().anyMatch(t -> t - fx.clock.millis() <= 400);
  }
}
