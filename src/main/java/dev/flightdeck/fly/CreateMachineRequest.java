package dev.flightdeck.fly;

import io.vertx.core.json.JsonObject;

/** Body of {@code POST /v1/apps/{app}/machines}. Null fields are left out. */
public record CreateMachineRequest(
    MachineConfig config, String name, String region, boolean skipLaunch, boolean skipServiceRegistration, Integer leaseTtl) {

  public static CreateMachineRequest of(MachineConfig config) {
    return new CreateMachineRequest(config, null, null, false, false, null);
  }

  public CreateMachineRequest withRegion(String r) {
    return new CreateMachineRequest(config, name, r, skipLaunch, skipServiceRegistration, leaseTtl);
  }

  public CreateMachineRequest withName(String n) {
    return new CreateMachineRequest(config, n, region, skipLaunch, skipServiceRegistration, leaseTtl);
  }

  public CreateMachineRequest withSkipLaunch(boolean s) {
    return new CreateMachineRequest(config, name, region, s, skipServiceRegistration, leaseTtl);
  }

  public CreateMachineRequest withLeaseTtl(Integer ttl) {
    return new CreateMachineRequest(config, name, region, skipLaunch, skipServiceRegistration, ttl);
  }

  JsonObject toJson() {
    JsonObject o = new JsonObject().put("config", config.toJson());
    if (name != null) {
      o.put("name", name);
    }
    if (region != null) {
      o.put("region", region);
    }
    if (skipLaunch) {
      o.put("skip_launch", true);
    }
    if (skipServiceRegistration) {
      o.put("skip_service_registration", true);
    }
    if (leaseTtl != null) {
      o.put("lease_ttl", leaseTtl);
    }
    return o;
  }
}
