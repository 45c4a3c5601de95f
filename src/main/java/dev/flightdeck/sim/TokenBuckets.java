package dev.flightdeck.sim;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Token buckets keyed by (identifier, action), as the API documents its limits. A bucket that
 * would be full again is the same as no bucket, so idle ones are dropped to bound memory.
 */
final class TokenBuckets {

  private static final class Bucket {
    double tokens;
    long last;
    final double rate;
    final int burst;

    Bucket(double rate, int burst, long now) {
      this.rate = rate;
      this.burst = burst;
      this.tokens = burst;
      this.last = now;
    }

    void refill(long now) {
      if (now > last) {
        tokens = Math.min(burst, tokens + (now - last) * rate / 1000.0);
        last = now;
      }
    }
  }

  private final Map<String, Bucket> buckets = new HashMap<>();

  /**
   * Takes one token; returns 0 when granted, otherwise the milliseconds until a token is due.
   */
  long take(String key, double perSecond, int burst, long now) {
    Bucket b = buckets.get(key);
    if (b == null) {
      if (buckets.size() > 200_000) {
        sweep(now);
      }
      b = new Bucket(perSecond, burst, now);
      buckets.put(key, b);
    }
    b.refill(now);
    if (b.tokens >= 1.0) {
      b.tokens -= 1.0;
      return 0;
    }
    return (long) Math.ceil((1.0 - b.tokens) * 1000.0 / b.rate);
  }

  void clear() {
    buckets.clear();
  }

  int size() {
    return buckets.size();
  }

  private void sweep(long now) {
    Iterator<Bucket> it = buckets.values().iterator();
    while (it.hasNext()) {
      Bucket b = it.next();
      b.refill(now);
      if (b.tokens >= b.burst) {
        it.remove();
      }
    }
  }
}
