package dev.flightdeck.time;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The client's mirror of the API's buckets: taking, refunds for calls not charged, 429 strikes. */
class TokenBucketsTest {

  private final TokenBuckets<String> b = new TokenBuckets<>();

  @Test
  void a_refunded_token_can_be_taken_again_at_once() {
    for (int i = 0; i < 3; i++) {
      assertThat(b.take("m|restart", 1, 3, 0)).isZero();
    }
    assertThat(b.take("m|restart", 1, 3, 0)).as("burst spent").isEqualTo(1000);
    b.refund("m|restart", 0); // the last call failed with a 5xx: not charged
    assertThat(b.take("m|restart", 1, 3, 0)).isZero();
    assertThat(b.take("m|restart", 1, 3, 0)).isEqualTo(1000);
  }

  @Test
  void a_refund_never_fills_a_bucket_past_its_burst() {
    b.take("k", 1, 2, 0);
    b.refund("k", 0);
    b.refund("k", 0);
    assertThat(b.take("k", 1, 2, 0)).isZero();
    assertThat(b.take("k", 1, 2, 0)).isZero();
    assertThat(b.take("k", 1, 2, 0)).isPositive();
  }

  @Test
  void only_a_second_429_within_the_window_counts_as_a_strike() {
    assertThat(b.strike("k", 1, 3, 1000, 500)).isFalse();
    assertThat(b.strike("k", 1, 3, 1400, 500)).isTrue();
    assertThat(b.strike("k", 1, 3, 5000, 500)).as("long after the last one").isFalse();
  }

  @Test
  void a_penalty_blocks_the_bucket_for_its_duration_then_refills_it_from_empty() {
    b.penalize("k", 1, 3, 0, 800);
    assertThat(b.take("k", 1, 3, 100)).isEqualTo(700);
    assertThat(b.peek("k", 1, 3, 900)).as("0.1 token refilled since the block ended").isEqualTo(900);
    assertThat(b.take("k", 1, 3, 1800)).isZero();
  }

  @Test
  void idle_buckets_are_swept_and_a_sweep_that_frees_nothing_waits_for_the_map_to_double() {
    TokenBuckets<String> small = new TokenBuckets<>(4);
    for (int i = 0; i < 6; i++) {
      small.take("busy" + i, 1, 3, 0); // each one token short of full: kept by a sweep at 0
    }
    assertThat(small.size()).as("the sweep at the sixth key freed nothing").isEqualTo(6);
    for (int i = 0; i < 5; i++) {
      small.take("later" + i, 1, 3, 10_000); // the busy ones are full again by now
    }
    assertThat(small.size()).as("no sweep until the map passes twice what the last sweep left (5)").isEqualTo(11);
    small.take("last", 1, 3, 10_000);
    assertThat(small.size()).as("that sweep dropped the six full buckets").isEqualTo(6);
  }
}
