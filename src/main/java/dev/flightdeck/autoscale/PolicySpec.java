package dev.flightdeck.autoscale;

import dev.flightdeck.jobs.Fields;
import dev.flightdeck.jobs.InvalidJobException;
import dev.flightdeck.jobs.JobSpec;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * A scaling policy, validated: the app, process group and region it scales; {@code min}/{@code max}
 * started machines; steps up and down; separate cooldowns; the scale-down action and order; the
 * machine config for creates (default: clone the group's newest machine); {@code dry_run}; and
 * which alerts push up and which push down.
 *
 * <pre>
 * {"name": "workers", "app": "demo", "process_group": "worker", "min": 2, "max": 10,
 *  "step_up": 2, "step_down": "25%", "cooldown_up_seconds": 60, "cooldown_down_seconds": 300,
 *  "down_action": "suspend", "prefer": "newest",
 *  "up": {"alertname": "QueueDeep", "matchers": ["app=demo"]},
 *  "down": {"alertname": "QueueIdle", "matchers": ["app=demo"]}}
 * </pre>
 */
public record PolicySpec(String name, String app, String processGroup, String region, int min, int max, Step stepUp,
    Step stepDown, long cooldownUpSeconds, long cooldownDownSeconds, String downAction, String prefer,
    JsonObject config, boolean dryRun, AlertMatcher up, AlertMatcher down) {

  public static PolicySpec parse(JsonObject body, long defaultJobTimeoutSeconds) {
    Fields f = new Fields(body, "");
    String name = f.string("name", true);
    if (!name.matches("[a-z0-9][a-z0-9._-]{0,62}")) {
      throw new InvalidJobException("invalid_field", "name", "name must be lower-case letters, digits, '.', '_' or "
          + "'-' (at most 63), got '" + name + "'");
    }
    String app = f.string("app", true);
    String group = f.string("process_group", false);
    group = group == null ? "app" : group;
    String region = f.string("region", false);
    Long min = f.integer("min", 0, 10_000, null);
    Long max = f.integer("max", 1, 10_000, null);
    if (min == null) {
      throw new InvalidJobException("missing_field", "min", "min (the fewest started machines) is required");
    }
    if (max == null) {
      throw new InvalidJobException("missing_field", "max", "max (the most started machines) is required");
    }
    if (max < min) {
      throw new InvalidJobException("invalid_field", "max", "max (" + max + ") must be at least min (" + min + ")");
    }
    Step up = Step.parse(f.raw("step_up"), "step_up");
    Step down = Step.parse(f.raw("step_down"), "step_down");
    long cdUp = f.integer("cooldown_up_seconds", 0, 86_400, 60L);
    long cdDown = f.integer("cooldown_down_seconds", 0, 86_400, 300L);
    String action = f.oneOf("down_action", Set.of("stop", "suspend", "destroy"), "stop");
    String prefer = f.oneOf("prefer", Set.of("newest", "oldest"), "newest");
    JsonObject config = f.object("config");
    if (config != null && !(config.getValue("image") instanceof String img && !img.isBlank())) {
      throw new InvalidJobException("missing_field", "config.image", "config (the machine config for creates) needs "
          + "an image");
    }
    boolean dryRun = f.bool("dry_run", false);
    AlertMatcher upMatch = f.has("up") ? AlertMatcher.parse(f.raw("up"), "up") : null;
    AlertMatcher downMatch = f.has("down") ? AlertMatcher.parse(f.raw("down"), "down") : null;
    f.done();
    if (upMatch == null && downMatch == null) {
      throw new InvalidJobException("missing_field", "up", "a policy needs up and/or down: which alerts mean scale up "
          + "and which mean scale down");
    }
    if (min == 0 && action.equals("destroy") && config == null) {
      throw new InvalidJobException("missing_field", "config", "a policy that may destroy every machine (min 0, "
          + "down_action destroy) needs config, the machine config to create from when it scales up from zero");
    }
    PolicySpec spec = new PolicySpec(name, app, group, region, min.intValue(), max.intValue(), up, down, cdUp, cdDown,
        action, prefer, config, dryRun, upMatch, downMatch);
    // the job template must be a valid scale job; its errors name the policy's fields
    try {
      JobSpec.parse(spec.job(max.intValue(), "up"), defaultJobTimeoutSeconds);
    } catch (InvalidJobException e) {
      String field = e.field() == null ? null : e.field().startsWith("params.") ? e.field().substring(7) : e.field();
      throw new InvalidJobException(e.code(), field, e.getMessage().replace("params.", ""));
    }
    return spec;
  }

  /** The scale job that brings the target to {@code count} started machines. */
  /** The scale job of a decision; it moves only in the decision's {@code direction} ("up" or "down"). */
  public JsonObject job(int count, String direction) {
    JsonObject params = new JsonObject().put("process_group", processGroup).put("count", count)
        .put("down_action", downAction).put("prefer", prefer).put("direction", direction);
    if (region != null) {
      params.put("region", region);
    }
    if (config != null) {
      params.put("config", config);
    }
    return new JsonObject().put("app", app).put("kind", "scale").put("params", params);
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject()
        .put("name", name)
        .put("app", app)
        .put("process_group", processGroup)
        .put("region", region)
        .put("min", min)
        .put("max", max)
        .put("step_up", stepUp.toJson())
        .put("step_down", stepDown.toJson())
        .put("cooldown_up_seconds", cooldownUpSeconds)
        .put("cooldown_down_seconds", cooldownDownSeconds)
        .put("down_action", downAction)
        .put("prefer", prefer)
        .put("dry_run", dryRun);
    if (config != null) {
      o.put("config", config);
    }
    if (up != null) {
      o.put("up", up.toJson());
    }
    if (down != null) {
      o.put("down", down.toJson());
    }
    if (region == null) {
      o.remove("region");
    }
    return o;
  }
}
