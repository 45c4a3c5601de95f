package dev.flightdeck.autoscale;

import dev.flightdeck.jobs.InvalidJobException;

/** A scaling step: a machine count, or a percentage of the started machines (at least one machine). */
public record Step(int count, int percent) {

  public int of(int started) {
    if (percent == 0) {
      return count;
    }
    return Math.max(1, (int) Math.ceil(started * percent / 100.0));
  }

  static Step parse(Object raw, String field) {
    if (raw == null) {
      return new Step(1, 0);
    }
    if (raw instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      long v = n.longValue();
      if (v < 1 || v > 10_000) {
        throw new InvalidJobException("invalid_field", field, field + " must be from 1 to 10000 machines, got " + v);
      }
      return new Step((int) v, 0);
    }
    if (raw instanceof String s && s.matches("\\d{1,4}%")) {
      int p = Integer.parseInt(s.substring(0, s.length() - 1));
      if (p < 1 || p > 1000) {
        throw new InvalidJobException("invalid_field", field, field + " must be from 1% to 1000%, got " + s);
      }
      return new Step(0, p);
    }
    throw new InvalidJobException("invalid_field", field, field + " must be a whole number of machines (2) or a "
        + "percentage of the started ones (\"50%\"), got " + raw);
  }

  Object toJson() {
    return percent == 0 ? (Object) count : percent + "%";
  }

  @Override
  public String toString() {
    return percent == 0 ? String.valueOf(count) : percent + "%";
  }
}
