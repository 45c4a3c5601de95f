package dev.flightdeck.config;

import java.util.List;

/** Validation helpers for config records; each failure names the setting. */
public final class Checks {

  private Checks() {}

  public static int port(String name, int value) {
    if (value < 0 || value > 65535) {
      throw new ConfigException(name + " must be a port between 1 and 65535 (or 0 for any free port), got " + value);
    }
    return value;
  }

  public static long atLeast(String name, long value, long min) {
    if (value < min) {
      throw new ConfigException(name + " must be at least " + min + ", got " + value);
    }
    return value;
  }

  public static int atLeast(String name, int value, int min) {
    if (value < min) {
      throw new ConfigException(name + " must be at least " + min + ", got " + value);
    }
    return value;
  }

  public static double fraction(String name, double value) {
    if (!(value >= 0.0 && value <= 1.0)) {
      throw new ConfigException(name + " must be between 0 and 1, got " + value);
    }
    return value;
  }

  public static double positive(String name, double value) {
    if (!(value > 0.0) || Double.isInfinite(value)) {
      throw new ConfigException(name + " must be a positive number, got " + value);
    }
    return value;
  }

  public static String notBlank(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new ConfigException(name + " must not be empty");
    }
    return value;
  }

  public static <T> T present(String name, T value) {
    if (value == null) {
      throw new ConfigException(name + " is missing");
    }
    return value;
  }

  public static <T> List<T> list(String name, List<T> value) {
    return value == null ? List.of() : List.copyOf(value);
  }
}
