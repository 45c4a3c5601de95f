package dev.flightdeck.fly;

import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * A machine's full {@code config}, kept as the JSON the API sent so that settings Flightdeck does
 * not model survive an update untouched. Accessors read the few fields Flightdeck uses; the
 * {@code with…} methods return changed copies.
 */
public final class MachineConfig {

  private final JsonObject json;

  private MachineConfig(JsonObject json) {
    this.json = json;
  }

  /** Wraps a copy of {@code json}; later changes to the argument do not leak in. */
  public static MachineConfig of(JsonObject json) {
    return new MachineConfig(json == null ? new JsonObject() : json.copy());
  }

  /** Wraps {@code json} itself: for a parsed answer that nothing else holds. */
  static MachineConfig adopt(JsonObject json) {
    return new MachineConfig(json == null ? new JsonObject() : json);
  }

  public static MachineConfig ofImage(String image) {
    return new MachineConfig(new JsonObject().put("image", image));
  }

  /** A copy of the underlying JSON. */
  public JsonObject toJson() {
    return json.copy();
  }

  public String image() {
    return Json.str(json, "image");
  }

  public Map<String, String> metadata() {
    return Json.stringMap(Json.obj(json, "metadata"));
  }

  public String metadata(String key) {
    JsonObject md = Json.obj(json, "metadata");
    return md == null ? null : Json.str(md, key);
  }

  public String processGroup() {
    return metadata("fly_process_group");
  }

  public Map<String, String> env() {
    return Json.stringMap(Json.obj(json, "env"));
  }

  public boolean autoDestroy() {
    return Json.bool(json, "auto_destroy");
  }

  /** {@code restart.policy}, or null when unset (the platform then uses on-failure). */
  public String restartPolicy() {
    return Json.str(Json.obj(json, "restart"), "policy");
  }

  public int guestMemoryMb() {
    return (int) Json.lng(Json.obj(json, "guest"), "memory_mb", 0);
  }

  public MachineConfig withImage(String image) {
    JsonObject copy = json.copy();
    copy.put("image", image);
    return new MachineConfig(copy);
  }

  public MachineConfig withMetadata(String key, String value) {
    JsonObject copy = json.copy();
    JsonObject md = Json.obj(copy, "metadata");
    if (md == null) {
      md = new JsonObject();
      copy.put("metadata", md);
    }
    if (value == null) {
      md.remove(key);
    } else {
      md.put(key, value);
    }
    return new MachineConfig(copy);
  }

  public MachineConfig withEnv(String key, String value) {
    JsonObject copy = json.copy();
    JsonObject env = Json.obj(copy, "env");
    if (env == null) {
      env = new JsonObject();
      copy.put("env", env);
    }
    env.put(key, value);
    return new MachineConfig(copy);
  }

  /** Merges {@code patch} into a copy of this config: objects recursively, everything else replaced. */
  public MachineConfig merge(JsonObject patch) {
    JsonObject copy = json.copy();
    mergeInto(copy, patch);
    return new MachineConfig(copy);
  }

  private static void mergeInto(JsonObject target, JsonObject patch) {
    for (Map.Entry<String, Object> e : patch) {
      Object current = target.getValue(e.getKey());
      if (current instanceof JsonObject c && e.getValue() instanceof JsonObject p) {
        mergeInto(c, p);
      } else if (e.getValue() == null) {
        target.remove(e.getKey());
      } else {
        target.put(e.getKey(), e.getValue() instanceof JsonObject p ? p.copy() : e.getValue());
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MachineConfig m && m.json.equals(json);
  }

  @Override
  public int hashCode() {
    return json.hashCode();
  }

  @Override
  public String toString() {
    return "MachineConfig[image=" + image() + "]";
  }
}
