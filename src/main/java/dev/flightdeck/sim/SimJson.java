package dev.flightdeck.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** Renders simulator objects in the API's JSON shapes. */
final class SimJson {

  private SimJson() {}

  private record Rendered(long second, String text) {}

  /** Recently rendered seconds: a list renders two per machine, and most fall on a few seconds. */
  private static final Rendered[] RENDERED = new Rendered[256];

  static String rfc3339(long millis) {
    long second = Math.floorDiv(millis, 1000);
    int slot = (int) (second & (RENDERED.length - 1));
    Rendered r = RENDERED[slot];
    if (r == null || r.second() != second) {
      r = new Rendered(second, Instant.ofEpochSecond(second).toString());
      RENDERED[slot] = r; // a racing writer stores an equal entry: the array only ever holds correct ones
    }
    return r.text();
  }

  static JsonObject machine(SimMachine m, long now, boolean summary, boolean includeLease, String nonce) {
    JsonObject o = new JsonObject()
        .put("id", m.id)
        .put("name", m.name)
        .put("state", m.state)
        .put("region", m.region)
        .put("instance_id", m.instanceId)
        .put("private_ip", m.privateIp)
        .put("image_ref", imageRef(m))
        .put("created_at", rfc3339(m.createdAt))
        .put("updated_at", rfc3339(m.updatedAt));
    if (!summary) {
      o.put("config", m.config);
      JsonArray events = new JsonArray();
      for (SimEvent e : m.events) {
        events.add(e.toJson());
      }
      o.put("events", events);
      o.put("checks", new JsonArray());
      o.put("host_status", "ok");
      if (nonce != null) {
        o.put("nonce", nonce);
      }
    }
    if (m.cordoned) {
      o.put("cordoned", true);
    }
    if (includeLease) {
      SimLease l = m.liveLease(now);
      if (l != null) {
        o.put("lease", new JsonObject()
            .put("owner", l.owner())
            .put("description", l.description() == null ? "" : l.description())
            .put("expires_at", l.expiresAtSeconds()));
      }
    }
    return o;
  }

  static JsonObject imageRef(SimMachine m) {
    String image = m.config.getString("image", "");
    String registry = "docker-hub-mirror.fly.io";
    String rest = image;
    int slash = image.indexOf('/');
    if (slash > 0 && (image.substring(0, slash).contains(".") || image.substring(0, slash).contains(":"))) {
      registry = image.substring(0, slash);
      rest = image.substring(slash + 1);
    }
    String tag = "latest";
    int colon = rest.lastIndexOf(':');
    if (colon > 0) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
    }
    return new JsonObject()
        .put("registry", registry)
        .put("repository", rest)
        .put("tag", tag)
        .put("digest", m.imageDigest)
        .put("labels", new JsonObject());
  }

  static JsonObject app(SimApp a) {
    return new JsonObject()
        .put("id", a.id)
        .put("name", a.name)
        .put("internal_numeric_id", a.internalNumericId)
        .put("machine_count", a.liveMachineCount())
        .put("volume_count", 0)
        .put("network", a.network)
        .put("status", "deployed")
        .put("organization", new JsonObject()
            .put("name", a.orgSlug)
            .put("slug", a.orgSlug)
            .put("internal_numeric_id", 1));
  }

  static JsonObject leaseEnvelope(SimLease l) {
    return new JsonObject().put("status", "success").put("data", l.toJson());
  }
}
