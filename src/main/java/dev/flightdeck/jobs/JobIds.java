package dev.flightdeck.jobs;

import java.security.SecureRandom;

/** Job ids: {@code job_} and a ULID (time-ordered, so ids sort by creation). */
public final class JobIds {

  private static final char[] CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private JobIds() {}

  public static String next(long millis) {
    char[] out = new char[26];
    long t = millis;
    for (int i = 9; i >= 0; i--) {
      out[i] = CROCKFORD[(int) (t & 31)];
      t >>>= 5;
    }
    byte[] r = new byte[16];
    RANDOM.nextBytes(r);
    for (int i = 10; i < 26; i++) {
      out[i] = CROCKFORD[r[i - 10] & 31];
    }
    return "job_" + new String(out);
  }
}
