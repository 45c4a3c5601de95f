package dev.flightdeck.bench;

import java.util.Map;

/**
 * The makespan an ideal client would reach under the same simulator latencies, in-flight limits
 * and rate limits, doing the same calls per operation with zero overhead of its own.
 *
 * <p>One operation (lease → action → wait for the new state → release, or create with a lease →
 * wait → release) takes {@code T_op = k·R + max(R, T)}: R is the mean answer latency, T the
 * machine's transition time, k = 3 for an action on an existing machine (lease, action, release;
 * the wait answer adds the max term) and 2 for a create. Then:
 *
 * <pre>
 *   LB = max( ceil(N / L) · T_op,                      global in-flight limit L
 *             max_app ceil(N_app / L_app) · T_op,       per-app limit L_app
 *             max_app (N_create,app − B) / r + T_op )  create rate r per app, burst B
 * </pre>
 */
final class LowerBound {

  private LowerBound() {}

  static double opSeconds(double responseMs, double transitionMs, boolean create) {
    int k = create ? 2 : 3;
    return (k * responseMs + Math.max(responseMs, transitionMs)) / 1000.0;
  }

  static double seconds(Map<String, Integer> opsPerApp, int inFlight, int perApp, double tOp, boolean create,
      double createRate, int createBurst) {
    int n = opsPerApp.values().stream().mapToInt(Integer::intValue).sum();
    double conc = Math.ceil((double) n / inFlight) * tOp;
    double app = 0;
    double rate = 0;
    for (int na : opsPerApp.values()) {
      app = Math.max(app, Math.ceil((double) na / perApp) * tOp);
      if (create) {
        rate = Math.max(rate, Math.max(0, na - createBurst) / createRate + tOp);
      }
    }
    return Math.max(conc, Math.max(app, rate));
  }
}
