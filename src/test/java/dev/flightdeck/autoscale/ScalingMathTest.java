package dev.flightdeck.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The decision rules: steps, clamps, cooldowns up vs down, running jobs, deploys, dry runs, zero. */
class ScalingMathTest {

  private static final long NOW = 1_800_000_000_000L;

  private static PolicySpec spec(JsonObject extra) {
    JsonObject p = PolicySpecTest.policy().put("step_up", 3).put("step_down", 2).put("cooldown_up_seconds", 60)
        .put("cooldown_down_seconds", 300);
    extra.forEach(e -> p.put(e.getKey(), e.getValue()));
    return PolicySpec.parse(p, 3600);
  }

  private static ScalingMath.Decision decide(PolicySpec s, String dir, int started, Long lastUp, Long lastDown) {
    return ScalingMath.decide(new ScalingMath.Inputs(s, dir, started, NOW, lastUp, lastDown, null, null, List.of()));
  }

  @Test
  void up_adds_the_step_and_stops_at_max() {
    PolicySpec s = spec(new JsonObject());
    assertThat(decide(s, "up", 2, null, null)).extracting("outcome", "current", "desired").containsExactly("scaled", 2, 5);
    assertThat(decide(s, "up", 8, null, null).desired()).isEqualTo(10);
    ScalingMath.Decision atMax = decide(s, "up", 10, null, null);
    assertThat(atMax.outcome()).isEqualTo("no_change");
    assertThat(atMax.reason()).contains("max 10");
  }

  @Test
  void down_removes_the_step_and_never_goes_below_min() {
    PolicySpec s = spec(new JsonObject());
    assertThat(decide(s, "down", 9, null, null).desired()).isEqualTo(7);
    assertThat(decide(s, "down", 3, null, null).desired()).isEqualTo(2);
    assertThat(decide(s, "down", 2, null, null).outcome()).isEqualTo("no_change");
  }

  @Test
  void below_min_any_up_pressure_goes_at_least_to_min() {
    PolicySpec s = spec(new JsonObject().put("min", 6).put("step_up", 1));
    assertThat(decide(s, "up", 1, null, null).desired()).isEqualTo(6);
  }

  @Test
  void percentages_scale_with_the_fleet() {
    PolicySpec s = spec(new JsonObject().put("step_up", "100%").put("step_down", "50%").put("max", 100));
    assertThat(decide(s, "up", 4, null, null).desired()).isEqualTo(8);
    assertThat(decide(s, "down", 9, null, null).desired()).isEqualTo(4);
  }

  @Test
  void scale_to_zero_and_back_up_from_zero() {
    PolicySpec s = spec(new JsonObject().put("min", 0).put("step_down", "100%").put("down_action", "destroy")
        .put("config", new JsonObject().put("image", "registry.fly.io/demo:1")));
    assertThat(decide(s, "down", 5, null, null).desired()).isZero();
    ScalingMath.Decision fromZero = decide(s, "up", 0, null, null);
    assertThat(fromZero.outcome()).isEqualTo("scaled");
    assertThat(fromZero.desired()).isEqualTo(3);
    assertThat(s.job(3, "up").getJsonObject("params").getJsonObject("config").getString("image"))
        .isEqualTo("registry.fly.io/demo:1");
  }

  @Test
  void cooldown_up_counts_from_the_last_scale_up_only() {
    PolicySpec s = spec(new JsonObject());
    ScalingMath.Decision cool = decide(s, "up", 2, NOW - 59_000, null);
    assertThat(cool.outcome()).isEqualTo("cooldown");
    assertThat(cool.reason()).contains("cooldown_up").contains("1 s left");
    assertThat(decide(s, "up", 2, NOW - 60_000, null).outcome()).isEqualTo("scaled");
    assertThat(decide(s, "up", 2, null, NOW - 1_000).outcome()).as("a recent scale-down does not hold up a scale-up")
        .isEqualTo("scaled");
  }

  @Test
  void cooldown_down_counts_from_the_last_scale_either_way() {
    PolicySpec s = spec(new JsonObject());
    assertThat(decide(s, "down", 8, NOW - 120_000, null).outcome()).as("a scale-up 2 min ago is not undone")
        .isEqualTo("cooldown");
    assertThat(decide(s, "down", 8, null, NOW - 299_000).outcome()).isEqualTo("cooldown");
    assertThat(decide(s, "down", 8, NOW - 301_000, NOW - 400_000).outcome()).isEqualTo("scaled");
  }

  @Test
  void a_running_scale_job_and_a_deploy_hold_the_decision() {
    PolicySpec s = spec(new JsonObject());
    ScalingMath.Decision running = ScalingMath.decide(new ScalingMath.Inputs(s, "up", 2, NOW, null, null, "job_1",
        "running", List.of()));
    assertThat(running.outcome()).isEqualTo("blocked");
    assertThat(running.reason()).contains("job_1").contains("running");
    ScalingMath.Decision ended = ScalingMath.decide(new ScalingMath.Inputs(s, "up", 2, NOW, null, null, "job_1",
        "succeeded", List.of()));
    assertThat(ended.outcome()).isEqualTo("scaled");
    ScalingMath.Decision deploy = ScalingMath.decide(new ScalingMath.Inputs(s, "up", 2, NOW, null, null, null, null,
        List.of("machine m1 is leased by deployer@example.com until 2027-01-01T00:00:00Z")));
    assertThat(deploy.outcome()).isEqualTo("blocked");
    assertThat(deploy.reason()).contains("waiting for a deploy").contains("deployer@example.com");
  }

  @Test
  void a_dry_run_says_what_it_would_do_and_submits_nothing() {
    ScalingMath.Decision d = decide(spec(new JsonObject().put("dry_run", true)), "up", 2, null, null);
    assertThat(d.outcome()).isEqualTo("dry_run");
    assertThat(d.submits()).isFalse();
    assertThat(d.scales()).as("its cooldown still runs, so the log reads like the real thing").isTrue();
    assertThat(d.desired()).isEqualTo(5);
    assertThat(d.reason()).contains("would scale up 2 → 5");
  }
}
