package dev.flightdeck.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Exponential backoff with full jitter, capped; and the fixed variant of the flyctl-like policy. */
class BackoffPolicyTest {

  private final BackoffPolicy exp = new BackoffPolicy(new DispatchConfig.Backoff("exponential", 100, 2000, 8),
      new SplittableRandom(1));

  @Test
  void the_ceiling_doubles_from_the_base_up_to_the_cap() {
    assertThat(exp.ceiling(1)).isEqualTo(100);
    assertThat(exp.ceiling(2)).isEqualTo(200);
    assertThat(exp.ceiling(5)).isEqualTo(1600);
    assertThat(exp.ceiling(6)).isEqualTo(2000);
    assertThat(exp.ceiling(60)).isEqualTo(2000);
  }

  @Test
  void delays_spread_over_the_whole_range_below_the_ceiling() {
    for (int attempt = 1; attempt <= 8; attempt++) {
      long ceiling = exp.ceiling(attempt);
      long min = Long.MAX_VALUE;
      long max = 0;
      for (int i = 0; i < 2000; i++) {
        long d = exp.delay(attempt);
        assertThat(d).isBetween(0L, ceiling);
        min = Math.min(min, d);
        max = Math.max(max, d);
      }
      // full jitter: close to 0 and close to the ceiling both occur
      assertThat(min).isLessThanOrEqualTo(ceiling / 10);
      assertThat(max).isGreaterThanOrEqualTo(ceiling * 9 / 10);
    }
  }

  @Test
  void the_fixed_kind_always_waits_the_base() {
    BackoffPolicy fixed = new BackoffPolicy(new DispatchConfig.Backoff("fixed", 1000, 1000, 5), new SplittableRandom(1));
    for (int attempt = 1; attempt < 10; attempt++) {
      assertThat(fixed.delay(attempt)).isEqualTo(1000);
    }
  }
}
