package dev.flightdeck.time;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Token buckets keyed by, for instance, a machine and an action, as the Machines API documents its
 * limits. Used by the simulator to answer 429 and by the dispatcher to avoid them. Not thread
 * safe: each owner uses it from its own event loop. A bucket that would be full again is the same
 * as no bucket, so idle ones are dropped to bound memory.
 */
public final class TokenBuckets<K> {

  private static final class Bucket {
    double tokens;
    long last;
    long blockedUntil;
    long lastStrike = Long.MIN_VALUE;
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

    long waitFor(long now) {
      if (now < blockedUntil) {
        return blockedUntil - now;
      }
      refill(now);
      return tokens >= 1.0 ? 0 : (long) Math.ceil((1.0 - tokens) * 1000.0 / rate);
    }
  }

  private final Map<K, Bucket> buckets = new HashMap<>();
  private final int sweepAbove;
  /** Sweeps when the map grows past this: at least twice what the last sweep left, so a sweep that
   * frees little (every bucket busy) is not repeated for each new key. */
  private int nextSweepAt;

  public TokenBuckets() {
    this(10_000);
  }

  public TokenBuckets(int sweepAbove) {
    this.sweepAbove = sweepAbove;
    this.nextSweepAt = sweepAbove;
  }

  /** Takes one token; returns 0 when granted, otherwise the milliseconds until one is due (nothing taken). */
  public long take(K key, double perSecond, int burst, long now) {
    Bucket b = bucket(key, perSecond, burst, now);
    long wait = b.waitFor(now);
    if (wait == 0) {
      b.tokens -= 1.0;
    }
    return wait;
  }

  /** Milliseconds until {@link #take} would succeed, without taking anything. */
  public long peek(K key, double perSecond, int burst, long now) {
    Bucket b = buckets.get(key);
    return b == null ? 0 : b.waitFor(now);
  }

  /** Empties the bucket and blocks it for {@code ms}: what a 429 from the server means. */
  public void penalize(K key, double perSecond, int burst, long now, long ms) {
    Bucket b = bucket(key, perSecond, burst, now);
    b.refill(now);
    b.tokens = 0;
    b.blockedUntil = Math.max(b.blockedUntil, now + ms);
    b.last = Math.max(b.last, now + ms);
  }

  /** Gives back a token taken for a call the server did not charge (it failed before counting it). */
  public void refund(K key, long now) {
    Bucket b = buckets.get(key);
    if (b != null) {
      b.refill(now);
      b.tokens = Math.min(b.burst, b.tokens + 1.0);
    }
  }

  /**
   * Records a 429 on {@code key}; true when another came within {@code windowMs} before it. One 429
   * while this bucket had tokens says little (another client, a proxy); two in a row say the server's
   * bucket is empty.
   */
  public boolean strike(K key, double perSecond, int burst, long now, long windowMs) {
    Bucket b = bucket(key, perSecond, burst, now);
    boolean again = b.lastStrike != Long.MIN_VALUE && now - b.lastStrike <= windowMs;
    b.lastStrike = now;
    return again;
  }

  public void clear() {
    buckets.clear();
    nextSweepAt = sweepAbove;
  }

  public int size() {
    return buckets.size();
  }

  private Bucket bucket(K key, double perSecond, int burst, long now) {
    Bucket b = buckets.get(key);
    if (b == null) {
      if (buckets.size() > nextSweepAt) {
        sweep(now);
        nextSweepAt = Math.max(sweepAbove, 2 * buckets.size());
      }
      b = new Bucket(perSecond, burst, now);
      buckets.put(key, b);
    }
    return b;
  }

  private void sweep(long now) {
    Iterator<Bucket> it = buckets.values().iterator();
    while (it.hasNext()) {
      Bucket b = it.next();
      b.refill(now);
      if (b.tokens >= b.burst && now >= b.blockedUntil && (b.lastStrike == Long.MIN_VALUE || now - b.lastStrike > 60_000)) {
        it.remove();
      }
    }
  }
}
