package dev.flightdeck.bench;

import java.util.Arrays;
import java.util.List;

/** Nearest-rank percentiles and medians. */
final class Percentiles {

  private Percentiles() {}

  static long of(List<Long> values, double p) {
    if (values.isEmpty()) {
      return 0;
    }
    long[] a = values.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(a);
    int rank = (int) Math.ceil(p / 100.0 * a.length);
    return a[Math.max(0, Math.min(a.length - 1, rank - 1))];
  }

  static double median(List<Double> values) {
    double[] a = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    if (a.length == 0) {
      return 0;
    }
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }
}
