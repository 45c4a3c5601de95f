package dev.flightdeck.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;

/**
 * A credential that must never reach a log line, an exception message or a metric. Only
 * {@link #reveal()} gives the value, and only code that puts it on the wire should call it.
 */
public final class Secret {

  private static final Secret EMPTY = new Secret("");

  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  @JsonCreator
  public static Secret of(String value) {
    return value == null || value.isEmpty() ? EMPTY : new Secret(value);
  }

  public static Secret empty() {
    return EMPTY;
  }

  public boolean isEmpty() {
    return value.isEmpty();
  }

  public String reveal() {
    return value;
  }

  /** Constant-time comparison, for checking presented credentials. */
  public boolean matches(String candidate) {
    if (candidate == null || isEmpty()) {
      return false;
    }
    return MessageDigest.isEqual(
        value.getBytes(StandardCharsets.UTF_8), candidate.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s
        && MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8), s.value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  /** Serialised form (settings dumps, admin answers): masked, never the value. */
  @JsonValue
  @Override
  public String toString() {
    return isEmpty() ? "(unset)" : "****";
  }
}
