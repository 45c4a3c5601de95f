package dev.flightdeck.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightdeck.jobs.InvalidJobException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Policy validation and the alert matchers. */
class PolicySpecTest {

  static JsonObject policy() {
    return new JsonObject().put("name", "workers").put("app", "demo").put("process_group", "worker")
        .put("min", 2).put("max", 10)
        .put("up", new JsonObject().put("alertname", "QueueDeep").put("matchers", new JsonArray().add("app=demo")))
        .put("down", new JsonObject().put("alertname", "QueueIdle"));
  }

  @Test
  void defaults_are_filled_in_and_the_stored_form_round_trips() {
    PolicySpec p = PolicySpec.parse(policy(), 3600);
    assertThat(p.stepUp()).isEqualTo(new Step(1, 0));
    assertThat(p.cooldownUpSeconds()).isEqualTo(60);
    assertThat(p.cooldownDownSeconds()).isEqualTo(300);
    assertThat(p.downAction()).isEqualTo("stop");
    assertThat(p.prefer()).isEqualTo("newest");
    PolicySpec again = PolicySpec.parse(p.toJson(), 3600);
    assertThat(again.toJson()).isEqualTo(p.toJson());
    JsonObject job = p.job(7, "up");
    assertThat(job.getString("kind")).isEqualTo("scale");
    assertThat(job.getJsonObject("params").getInteger("count")).isEqualTo(7);
    assertThat(job.getJsonObject("params").getString("process_group")).isEqualTo("worker");
  }

  @Test
  void steps_are_counts_or_percentages_of_the_started_machines() {
    PolicySpec p = PolicySpec.parse(policy().put("step_up", "50%").put("step_down", 3), 3600);
    assertThat(p.stepUp().of(4)).isEqualTo(2);
    assertThat(p.stepUp().of(5)).as("rounded up").isEqualTo(3);
    assertThat(p.stepUp().of(0)).as("at least one machine, even from zero").isEqualTo(1);
    assertThat(p.stepDown().of(100)).isEqualTo(3);
    assertThat(p.toJson().getValue("step_up")).isEqualTo("50%");
  }

  @Test
  void invalid_policies_name_the_field() {
    expect(policy().put("max", 1), "max");
    expect(policy().put("min", -1), "min");
    expect(policy().put("step_up", 0), "step_up");
    expect(policy().put("step_down", "0%"), "step_down");
    expect(policy().put("step_down", "lots"), "step_down");
    expect(policy().put("down_action", "delete"), "down_action");
    expect(policy().put("cooldown_up_seconds", -5), "cooldown_up_seconds");
    expect(policy().put("colour", "blue"), "colour");
    expect(policy().put("name", "Bad Name"), "name");
    JsonObject noMatchers = policy();
    noMatchers.remove("up");
    noMatchers.remove("down");
    expect(noMatchers, "up");
    expect(policy().put("up", new JsonObject().put("matchers", new JsonArray())), "up.alertname");
    expect(policy().put("up", new JsonObject().put("alertname", "X").put("matchers", new JsonArray().add("what"))),
        "up.matchers[0]");
    expect(policy().put("up", new JsonObject().put("alertname", "X").put("matchers", new JsonArray().add("a=~(["))),
        "up.matchers[0]");
    expect(policy().put("up", new JsonObject().put("alertname", "X").put("labels", new JsonObject())), "up.labels");
    expect(policy().put("min", 0).put("down_action", "destroy"), "config");
    expect(policy().put("config", new JsonObject().put("image", 5)), "config.image");
  }

  @Test
  void matchers_follow_alertmanager_syntax_with_anchored_regexes() {
    AlertMatcher m = AlertMatcher.parse(new JsonObject().put("alertname", "QueueDeep").put("matchers", new JsonArray()
        .add("app=demo").add("severity=~page|critical").add("env!=staging").add("team!~ops.*")
        .add("queue=\"jobs\"")), "up");
    Map<String, String> ok = Map.of("alertname", "QueueDeep", "app", "demo", "severity", "page", "env", "prod",
        "team", "data", "queue", "jobs");
    assertThat(m.matches(ok)).isTrue();
    assertThat(m.matches(with(ok, "alertname", "Other"))).isFalse();
    assertThat(m.matches(with(ok, "app", "demo2"))).isFalse();
    assertThat(m.matches(with(ok, "severity", "pager"))).as("regexes are anchored").isFalse();
    assertThat(m.matches(with(ok, "env", "staging"))).isFalse();
    assertThat(m.matches(with(ok, "team", "ops-eu"))).isFalse();
    java.util.HashMap<String, String> noEnv = new java.util.HashMap<>(ok);
    noEnv.remove("env");
    assertThat(m.matches(noEnv)).as("a missing label is the empty string, which != staging").isTrue();
  }

  private static Map<String, String> with(Map<String, String> m, String k, String v) {
    java.util.HashMap<String, String> c = new java.util.HashMap<>(m);
    c.put(k, v);
    return c;
  }

  private static void expect(JsonObject body, String field) {
    assertThatThrownBy(() -> PolicySpec.parse(body, 3600)).isInstanceOf(InvalidJobException.class)
        .satisfies(e -> assertThat(((InvalidJobException) e).field()).isEqualTo(field));
  }
}
