package dev.flightdeck.dispatch;

import java.util.SplittableRandom;

/** Computes retry delays from {@link DispatchConfig.Backoff}. */
final class BackoffPolicy {

  private final DispatchConfig.Backoff config;
  private final SplittableRandom random;

  BackoffPolicy(DispatchConfig.Backoff config, SplittableRandom random) {
    this.config = config;
    this.random = random;
  }

  /** The delay before retry number {@code attempt} (1 for the first retry). */
  long delay(int attempt) {
    if ("fixed".equals(config.kind())) {
      return config.baseMs();
    }
    long ceiling = ceiling(attempt);
    return random.nextLong(ceiling + 1);
  }

  /** The largest delay {@link #delay} may return for {@code attempt}: min(cap, base·2^(attempt-1)). */
  long ceiling(int attempt) {
    int shift = Math.max(0, Math.min(attempt - 1, 40));
    long exp = config.baseMs() << shift;
    return exp <= 0 ? config.capMs() : Math.min(config.capMs(), exp);
  }

  int maxAttempts() {
    return config.maxAttempts();
  }
}
