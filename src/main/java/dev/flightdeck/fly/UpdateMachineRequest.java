package dev.flightdeck.fly;

import io.vertx.core.json.JsonObject;

/**
 * Body of {@code POST /v1/apps/{app}/machines/{id}}: the whole new config (no partial updates),
 * and {@code current_version}, the instance_id last seen, so a concurrent change is refused.
 */
public record UpdateMachineRequest(MachineConfig config, String currentVersion, boolean skipLaunch, Integer leaseTtl) {

  public static UpdateMachineRequest of(MachineConfig config, String currentVersion) {
    return new UpdateMachineRequest(config, currentVersion, false, null);
  }

  public UpdateMachineRequest withSkipLaunch(boolean s) {
    return new UpdateMachineRequest(config, currentVersion, s, leaseTtl);
  }

  JsonObject toJson() {
    JsonObject o = new JsonObject().put("config", config.toJson());
    if (currentVersion != null) {
      o.put("current_version", currentVersion);
    }
    if (skipLaunch) {
      o.put("skip_launch", true);
    }
    if (leaseTtl != null) {
      o.put("lease_ttl", leaseTtl);
    }
    return o;
  }
}
