package dev.flightdeck.sim;

import java.util.SplittableRandom;

/** Identifier formats of the real API: 14-hex machine ids, 26-char ULID versions, 12-hex nonces. */
final class Ids {

  private static final char[] CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final SplittableRandom random;

  Ids(long seed) {
    this.random = new SplittableRandom(seed);
  }

  String machineId() {
    return hex(14);
  }

  String nonce() {
    return hex(12);
  }

  String appId() {
    return hex(16);
  }

  /** A ULID: 48 bits of milliseconds then 80 random bits, Crockford base32. */
  String ulid(long millis) {
    char[] out = new char[26];
    long t = millis;
    for (int i = 9; i >= 0; i--) {
      out[i] = CROCKFORD[(int) (t & 31)];
      t >>>= 5;
    }
    for (int i = 10; i < 26; i++) {
      out[i] = CROCKFORD[random.nextInt(32)];
    }
    return new String(out);
  }

  String privateIp() {
    return "fdaa:0:" + Integer.toHexString(random.nextInt(0x10000)) + ":a7b:" + Integer.toHexString(random.nextInt(0x10000))
        + ":" + Integer.toHexString(random.nextInt(0x10000)) + ":" + Integer.toHexString(random.nextInt(0x10000)) + ":2";
  }

  String digest() {
    return "sha256:" + hex(64);
  }

  int nextInt(int bound) {
    return random.nextInt(bound);
  }

  private String hex(int n) {
    char[] out = new char[n];
    for (int i = 0; i < n; i++) {
      out[i] = HEX[random.nextInt(16)];
    }
    return new String(out);
  }
}
