package dev.flightdeck.fly;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/** The fields of a machine that Flightdeck reads; {@link #config()} keeps the whole config. */
public record Machine(
    String id,
    String name,
    String state,
    String region,
    String instanceId,
    String privateIp,
    MachineConfig config,
    List<MachineEvent> events,
    Instant createdAt,
    Instant updatedAt,
    String hostStatus,
    boolean cordoned,
    String nonce,
    LeaseInfo lease) {

  /**
   * Reads an API answer. It takes {@code o} over (config and events are read from it, not copied),
   * so callers pass JSON nobody else holds or changes, as a parsed response is.
   */
  public static Machine fromJson(JsonObject o) {
    return new Machine(
        Json.str(o, "id"),
        Json.str(o, "name"),
        Json.str(o, "state"),
        Json.str(o, "region"),
        Json.str(o, "instance_id"),
        Json.str(o, "private_ip"),
        MachineConfig.adopt(Json.obj(o, "config")),
        MachineEvents.of(Json.arr(o, "events")),
        Json.instant(o, "created_at"),
        Json.instant(o, "updated_at"),
        Json.str(o, "host_status"),
        Json.bool(o, "cordoned"),
        Json.str(o, "nonce"),
        LeaseInfo.fromJson(Json.obj(o, "lease")));
  }

  public String processGroup() {
    return config.processGroup();
  }

  @Override
  public String toString() {
    return "Machine[id=" + id + ", name=" + name + ", state=" + state + ", region=" + region
        + ", instanceId=" + instanceId + "]";
  }
}
