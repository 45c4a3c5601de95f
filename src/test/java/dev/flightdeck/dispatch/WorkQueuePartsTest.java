package dev.flightdeck.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.fly.FlyApiException;
import dev.flightdeck.fly.FlyOperation;
import dev.flightdeck.time.ManualTimeSource;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The dispatcher's parts, each alone: the fair queue, the per-machine serializer, the delaying queue, the rate limiter. */
class WorkQueuePartsTest {

  private static OpExecution op(String job, int priority, int jobMax, String app, String machine) {
    Action action = machine == null ? new Action.Create(null, "0") : new Action.Stop(null);
    return new OpExecution(null, new MachineOp(job + "/" + machine, job, priority, jobMax, app, machine, action, false,
        60_000, 30), 0);
  }

  private static List<String> drain(FairQueue q) {
    List<String> out = new ArrayList<>();
    for (OpExecution e = q.next(h -> FairQueue.Verdict.TAKE); e != null; e = q.next(h -> FairQueue.Verdict.TAKE)) {
      out.add(e.op.opId());
    }
    return out;
  }

  @Test
  void the_fair_queue_alternates_between_jobs_and_serves_higher_priority_first() {
    FairQueue q = new FairQueue();
    for (int i = 0; i < 3; i++) {
      q.add(op("big", 0, 100, "a", "b" + i));
    }
    q.add(op("small", 0, 100, "a", "s0"));
    q.add(op("urgent", 5, 100, "a", "u0"));
    assertThat(drain(q)).containsExactly("urgent/u0", "big/b0", "small/s0", "big/b1", "big/b2");
    assertThat(q.queued()).isZero();
  }

  @Test
  void a_job_runs_at_most_its_own_limit_until_one_of_its_operations_stops_running() {
    FairQueue q = new FairQueue();
    OpExecution first = op("j", 0, 1, "a", "m0");
    q.add(first);
    q.add(op("j", 0, 1, "a", "m1"));
    assertThat(q.next(h -> FairQueue.Verdict.TAKE)).isSameAs(first);
    assertThat(q.next(h -> FairQueue.Verdict.TAKE)).as("the job's one slot is taken").isNull();
    q.stoppedRunning(first);
    q.done(first);
    assertThat(q.next(h -> FairQueue.Verdict.TAKE).op.machineId()).isEqualTo("m1");
  }

  @Test
  void a_head_the_judge_holds_back_holds_its_queue_but_not_the_jobs_other_apps() {
    FairQueue q = new FairQueue();
    q.add(op("j", 0, 100, "a", null)); // a create in app a, whose create bucket is empty
    q.add(op("j", 0, 100, "a", null));
    q.add(op("j", 0, 100, "b", "m1"));
    OpExecution e = q.next(h -> h.op.machineId() == null ? FairQueue.Verdict.NOT_NOW : FairQueue.Verdict.TAKE);
    assertThat(e.op.machineId()).isEqualTo("m1");
    assertThat(q.next(h -> h.op.machineId() == null ? FairQueue.Verdict.NOT_NOW : FairQueue.Verdict.TAKE)).isNull();
    assertThat(q.queued()).isEqualTo(2);
  }

  @Test
  void apps_take_turns_so_many_jobs_in_one_app_do_not_crowd_out_another_apps_job() {
    FairQueue q = new FairQueue();
    for (int i = 0; i < 50; i++) {
      q.add(op("busy" + i, 0, 100, "a", "m" + i));
    }
    q.add(op("lone", 0, 100, "b", "x"));
    List<String> order = drain(q);
    assertThat(order.subList(0, 2)).containsExactly("busy0/m0", "lone/x");
    assertThat(order).hasSize(51);
  }

  @Test
  void an_app_that_must_wait_is_passed_over_in_one_step_however_many_jobs_it_has_queued() {
    FairQueue q = new FairQueue();
    for (int i = 0; i < 10_000; i++) {
      q.add(op("a" + i, 0, 100, "full", "m" + i));
    }
    q.add(op("other", 0, 100, "b", "x"));
    AtomicInteger asked = new AtomicInteger();
    FairQueue.Judge appFull = h -> {
      asked.incrementAndGet();
      return h.op.app().equals("full") ? FairQueue.Verdict.NOT_NOW : FairQueue.Verdict.TAKE;
    };
    assertThat(q.next(appFull).op.jobId()).isEqualTo("other");
    assertThat(q.next(appFull)).isNull();
    assertThat(asked.get()).as("judge calls for two takes over 10,001 queued jobs").isLessThanOrEqualTo(3);
    assertThat(q.queued()).isEqualTo(10_000);
    assertThat(q.next(h -> FairQueue.Verdict.TAKE).op.jobId()).as("the waiting app kept its order").isEqualTo("a0");
  }

  @Test
  void a_job_at_its_limit_does_not_hold_up_the_other_jobs_of_its_app() {
    FairQueue q = new FairQueue();
    q.add(op("rolling", 0, 1, "a", "r0"));
    q.add(op("rolling", 0, 1, "a", "r1"));
    q.add(op("other", 0, 100, "a", "o0"));
    assertThat(q.next(h -> FairQueue.Verdict.TAKE).op.opId()).isEqualTo("rolling/r0");
    assertThat(q.next(h -> FairQueue.Verdict.TAKE).op.opId()).isEqualTo("other/o0");
    assertThat(q.next(h -> FairQueue.Verdict.TAKE)).isNull();
    assertThat(q.queued()).isEqualTo(1);
  }

  @Test
  void removing_a_job_leaves_the_others_of_its_app_queued_in_order() {
    FairQueue q = new FairQueue();
    q.add(op("x", 0, 100, "a", "x0"));
    q.add(op("y", 0, 100, "a", "y0"));
    q.add(op("x", 0, 100, "a", "x1"));
    q.add(op("z", 0, 100, "a", "z0"));
    assertThat(q.removeJob("x")).extracting(e -> e.op.opId()).containsExactly("x/x0", "x/x1");
    assertThat(drain(q)).containsExactly("y/y0", "z/z0");
    assertThat(q.queued()).isZero();
  }

  @Test
  void a_moved_operation_leaves_the_queue_and_comes_back_first_in_its_lane() {
    FairQueue q = new FairQueue();
    OpExecution a = op("j", 0, 100, "app", "m0");
    q.add(a);
    q.add(op("j", 0, 100, "app", "m1"));
    assertThat(q.next(h -> h == a ? FairQueue.Verdict.MOVED : FairQueue.Verdict.TAKE).op.machineId()).isEqualTo("m1");
    assertThat(q.queued()).isZero();
    q.putBack(a);
    assertThat(drain(q)).containsExactly("j/m0");
  }

  @Test
  void a_job_keeps_its_place_while_any_operation_of_it_is_known_and_leaves_when_the_last_is_done() {
    FairQueue q = new FairQueue();
    OpExecution a = op("j", 0, 100, "app", "m0");
    OpExecution b = op("j", 0, 100, "app", "m1");
    q.add(a);
    q.add(b);
    assertThat(q.removeJob("j")).containsExactly(a, b);
    assertThat(q.jobs()).isEqualTo(1);
    q.done(a);
    assertThat(q.jobs()).isEqualTo(1);
    q.done(b);
    assertThat(q.jobs()).isZero();
    assertThat(q.setMaxConcurrent("j", 3)).isFalse();
  }

  @Test
  void serial_keys_run_one_item_per_key_and_hand_the_key_to_the_first_waiting() {
    SerialKeys<String> keys = new SerialKeys<>();
    keys.enter("m1", "stop");
    assertThat(keys.busy("m1")).isTrue();
    keys.park("m1", "start");
    keys.park("m1", "destroy");
    assertThat(keys.waiting()).isEqualTo(2);
    assertThat(keys.removeWaiting(s -> s.equals("destroy"))).containsExactly("destroy");
    assertThat(keys.leave("m1")).isEqualTo("start");
    assertThat(keys.busy("m1")).isFalse();
    assertThat(keys.waiting()).isZero();
    assertThat(keys.leave("m1")).isNull();
  }

  @Test
  void the_delaying_queue_gives_items_back_once_due_earliest_first_and_in_order_among_equals() {
    DelayingQueue<String> d = new DelayingQueue<>();
    d.add("late", 300);
    d.add("early", 100);
    d.add("early-too", 100);
    assertThat(d.nextDue()).isEqualTo(100);
    assertThat(d.pollDue(99)).isNull();
    assertThat(d.pollDue(100)).isEqualTo("early");
    assertThat(d.pollDue(100)).isEqualTo("early-too");
    assertThat(d.removeIf(s -> s.startsWith("l"))).containsExactly("late");
    assertThat(d.nextDue()).isEqualTo(Long.MAX_VALUE);
    assertThat(d.size()).isZero();
  }

  @Test
  void the_rate_limiter_waits_for_tokens_and_backs_a_bucket_off_after_repeated_429s() {
    ManualTimeSource time = new ManualTimeSource(0);
    DispatchStats stats = new DispatchStats();
    BackoffPolicy backoff = new BackoffPolicy(new DispatchConfig.Backoff("exponential", 100, 1_000, 5), new SplittableRandom(1));
    ApiRateLimiter limiter = new ApiRateLimiter(time, new DispatchConfig.RateLimits(true, 1.0, 2, 5.0, 10), backoff,
        stats);
    List<Long> sentAt = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      limiter.call(null, FlyOperation.MACHINES_STOP, ApiRateLimiter.BucketKey.of("m1", FlyOperation.MACHINES_STOP), () -> {
        sentAt.add(time.millis());
        return Future.succeededFuture();
      });
    }
    time.advance(2_000).await();
    assertThat(sentAt).as("a burst of 2, then one a second").containsExactly(0L, 0L, 1_000L);
    assertThat(stats.bucketWaits).isEqualTo(1);

    AtomicInteger calls = new AtomicInteger();
    FlyApiException throttled = FlyApiException.fromResponse(FlyOperation.MACHINES_START, 429,
        "{\"error\":\"rate limited\"}", "req-1");
    for (int i = 0; i < 2; i++) {
      limiter.call(null, FlyOperation.MACHINES_START, ApiRateLimiter.BucketKey.of("m2", FlyOperation.MACHINES_START), () -> {
        calls.incrementAndGet();
        return Future.failedFuture(throttled);
      });
    }
    time.runDue().await();
    assertThat(calls).hasValue(2);
    assertThat(stats.rateLimited).isEqualTo(2);
    List<Long> after = new ArrayList<>();
    limiter.call(null, FlyOperation.MACHINES_START, ApiRateLimiter.BucketKey.of("m2", FlyOperation.MACHINES_START), () -> {
      after.add(time.millis());
      return Future.succeededFuture();
    });
    long throttledAt = time.millis();
    time.advance(10_000).await();
    assertThat(after).as("two 429s in a row empty and block the bucket (a token was left otherwise)").singleElement()
        .satisfies(t -> assertThat(t).isGreaterThan(throttledAt));
  }
}
