package dev.flightdeck.jobs;

import java.security.SecureRandom;

/**
 * Job ids: {@code job_} and a ULID (time-ordered, so ids sort by creation). Within one millisecond the
 * random part counts up from the first id's (a monotonic ULID): ids made in the same millisecond by
 * this process still sort in the order they were made, so lists ordered by (time, id), such as a
 * policy's decisions, keep that order. Across processes only the millisecond orders them.
 */
public final class JobIds {

  private static final char[] CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int RANDOM_CHARS = 16;

  /** The last id's millisecond and random part (base-32 digits), guarded by the class lock. */
  private static long lastMillis = Long.MIN_VALUE;
  private static final int[] LAST = new int[RANDOM_CHARS];

  private JobIds() {}

  public static String next(long millis) {
    char[] out = new char[10 + RANDOM_CHARS];
    long t = millis;
    for (int i = 9; i >= 0; i--) {
      out[i] = CROCKFORD[(int) (t & 31)];
      t >>>= 5;
    }
    synchronized (JobIds.class) {
      if (millis != lastMillis || !increment(LAST)) {
        byte[] r = new byte[RANDOM_CHARS];
        RANDOM.nextBytes(r);
        for (int i = 0; i < RANDOM_CHARS; i++) {
          LAST[i] = r[i] & 31;
        }
        lastMillis = millis;
      }
      for (int i = 0; i < RANDOM_CHARS; i++) {
        out[10 + i] = CROCKFORD[LAST[i]];
      }
    }
    return "job_" + new String(out);
  }

  /** Adds one to the base-32 number; false when it overflowed (then a fresh random part is drawn). */
  private static boolean increment(int[] digits) {
    for (int i = digits.length - 1; i >= 0; i--) {
      if (digits[i] < 31) {
        digits[i]++;
        return true;
      }
      digits[i] = 0;
    }
    return false;
  }
}
