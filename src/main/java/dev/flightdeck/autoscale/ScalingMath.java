package dev.flightdeck.autoscale;

import java.util.List;

/**
 * What one evaluation of a policy decides — pure, no I/O, so every rule is tested directly.
 *
 * <ol>
 *   <li>Firing up-alerts win over down-alerts (under-provisioning is the costlier mistake).
 *   <li>Up: {@code min(max, started + step_up)} (at least {@code min}); down:
 *       {@code max(min, started − step_down)}. At the bound: {@code no_change}.
 *   <li>Cooldowns: up waits {@code cooldown_up} after the last scale-up; down waits
 *       {@code cooldown_down} after the last scale in either direction, so a scale-up is not undone
 *       at once.
 *   <li>While the policy's previous scale job is queued or running, nothing new is submitted.
 *   <li>While a machine of the target is leased by someone else (a deploy) or is being replaced,
 *       the decision waits and says so, rather than fight the deploy.
 * </ol>
 */
public final class ScalingMath {

  private ScalingMath() {}

  /** What the evaluation sees. {@code lastJobState} null: no job, or it is gone. */
  public record Inputs(PolicySpec spec, String direction, int started, long now, Long lastUpAt, Long lastDownAt,
      String lastJobId, String lastJobState, List<String> deployBlockers) {}

  /** {@code outcome}: scaled, dry_run, no_change, cooldown, blocked. */
  public record Decision(String direction, String outcome, String reason, int current, int desired) {

    public boolean submits() {
      return outcome.equals("scaled");
    }

    /** Whether the policy's cooldown clock restarts (a real or a dry-run scale). */
    public boolean scales() {
      return outcome.equals("scaled") || outcome.equals("dry_run");
    }
  }

  public static Decision decide(Inputs in) {
    PolicySpec p = in.spec();
    int cur = in.started();
    boolean up = in.direction().equals("up");
    int desired;
    if (up) {
      desired = Math.max(p.min(), Math.min(p.max(), cur + p.stepUp().of(cur)));
      if (desired <= cur) {
        return new Decision("up", "no_change", "already at max: " + cur + " started, max " + p.max(), cur, cur);
      }
    } else {
      desired = Math.min(p.max(), Math.max(p.min(), cur - p.stepDown().of(cur)));
      if (desired >= cur) {
        return new Decision("down", "no_change", "already at min: " + cur + " started, min " + p.min(), cur, cur);
      }
    }
    String dir = up ? "up" : "down";
    if (up && in.lastUpAt() != null) {
      long left = in.lastUpAt() + p.cooldownUpSeconds() * 1000 - in.now();
      if (left > 0) {
        return new Decision(dir, "cooldown", "cooldown_up: scaled up " + seconds(in.now() - in.lastUpAt())
            + " ago, " + seconds(left) + " left of " + p.cooldownUpSeconds() + " s", cur, cur);
      }
    }
    if (!up) {
      Long last = max(in.lastUpAt(), in.lastDownAt());
      if (last != null) {
        long left = last + p.cooldownDownSeconds() * 1000 - in.now();
        if (left > 0) {
          return new Decision(dir, "cooldown", "cooldown_down: last scaled " + seconds(in.now() - last) + " ago, "
              + seconds(left) + " left of " + p.cooldownDownSeconds() + " s", cur, cur);
        }
      }
    }
    if (in.lastJobState() != null && (in.lastJobState().equals("queued") || in.lastJobState().equals("running"))) {
      return new Decision(dir, "blocked", "previous scale job " + in.lastJobId() + " is still " + in.lastJobState(),
          cur, cur);
    }
    if (!in.deployBlockers().isEmpty()) {
      return new Decision(dir, "blocked", "waiting for a deploy or another job: " + String.join("; ",
          in.deployBlockers()), cur, cur);
    }
    String why = (up ? "scale up " : "scale down ") + cur + " → " + desired + " started (step "
        + (up ? p.stepUp() : p.stepDown()) + ", min " + p.min() + ", max " + p.max() + ")";
    if (p.dryRun()) {
      return new Decision(dir, "dry_run", "dry run, would " + why, cur, desired);
    }
    return new Decision(dir, "scaled", why, cur, desired);
  }

  private static Long max(Long a, Long b) {
    if (a == null) {
      return b;
    }
    return b == null ? a : Math.max(a, b);
  }

  private static String seconds(long ms) {
    return String.format(java.util.Locale.ROOT, "%.0f s", Math.ceil(ms / 1000.0));
  }
}
