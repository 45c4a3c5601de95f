package dev.flightdeck.time;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one timer loop every periodic task uses, on a clock the test moves. */
class PeriodicTest {

  private final ManualTimeSource time = new ManualTimeSource(0);
  private final List<Long> runs = new ArrayList<>();

  @Test
  void runs_after_the_first_delay_then_every_interval() {
    Periodic.every(time, 100, () -> {
      runs.add(time.millis());
      return Future.succeededFuture();
    }).start(10);
    time.advance(350).await();
    assertThat(runs).containsExactly(10L, 110L, 210L, 310L);
  }

  @Test
  void the_next_run_is_timed_from_the_end_of_a_slow_one_and_runs_never_overlap() {
    List<Promise<Void>> pending = new ArrayList<>();
    Periodic.every(time, 100, () -> {
      runs.add(time.millis());
      Promise<Void> p = Promise.promise();
      pending.add(p);
      return p.future();
    }).start();
    time.advance(1_000).await();
    assertThat(runs).as("the first run has not finished: no second one").containsExactly(100L);
    pending.get(0).complete();
    time.advance(99).await();
    assertThat(runs).hasSize(1);
    time.advance(1).await();
    assertThat(runs).containsExactly(100L, 1_100L);
  }

  @Test
  void a_run_that_fails_or_throws_does_not_end_the_loop() {
    int[] n = {0};
    Periodic.every(time, 10, () -> {
      runs.add(time.millis());
      if (n[0]++ % 2 == 0) {
        throw new IllegalStateException("boom");
      }
      return Future.failedFuture("store down");
    }).start();
    time.advance(40).await();
    assertThat(runs).containsExactly(10L, 20L, 30L, 40L);
  }

  @Test
  void stop_cancels_the_pending_run_and_a_run_in_progress_schedules_nothing() {
    List<Promise<Void>> pending = new ArrayList<>();
    Periodic p = Periodic.every(time, 10, () -> {
      runs.add(time.millis());
      Promise<Void> done = Promise.promise();
      pending.add(done);
      return done.future();
    }).start();
    time.advance(10).await();
    p.stop();
    pending.get(0).complete();
    assertThat(time.pendingTimers()).isZero();
    time.advance(100).await();
    assertThat(runs).containsExactly(10L);

    Periodic idle = Periodic.every(time, 10, () -> Future.succeededFuture()).start();
    assertThat(time.pendingTimers()).isEqualTo(1);
    idle.stop();
    assertThat(time.pendingTimers()).isZero();
    assertThat(idle.start().stopped()).as("a stopped loop stays stopped").isTrue();
    assertThat(time.pendingTimers()).isZero();
  }
}
