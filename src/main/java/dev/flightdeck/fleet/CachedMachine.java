package dev.flightdeck.fleet;

import dev.flightdeck.fly.LeaseInfo;
import dev.flightdeck.fly.Machine;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;

/**
 * What the fleet cache keeps of a machine: no config blob, only the fields decisions need.
 * {@code localAt} is when Flightdeck itself last changed this entry from an operation's result
 * (0 when it came from a list), so a list that started earlier cannot undo it. {@code leaseOurs}:
 * the lease was taken by Flightdeck (its description says so), not by a deploy or a person.
 * {@code lastEventId}: the newest event of the machine as last read whole from the API, or null
 * when unknown or when Flightdeck changed the machine since (then it may be stale).
 */
public record CachedMachine(
    String id,
    String name,
    String state,
    String region,
    String instanceId,
    String processGroup,
    String image,
    Map<String, String> metadata,
    String leaseOwner,
    long leaseExpiresAt,
    boolean leaseOurs,
    boolean cordoned,
    long createdAt,
    long updatedAt,
    long localAt,
    String lastEventId) {

  /** Every lease Flightdeck takes has a description starting with this. */
  public static final String LEASE_PREFIX = "flightdeck ";

  static CachedMachine from(Machine m, Interner in, long localAt) {
    LeaseInfo lease = m.lease();
    Map<String, String> md = in.map(m.config().metadata());
    return new CachedMachine(
        m.id(),
        m.name(),
        in.intern(m.state()),
        in.intern(m.region()),
        m.instanceId(),
        in.intern(md.get("fly_process_group")),
        in.intern(m.config().image()),
        md,
        lease == null ? null : in.intern(lease.owner()),
        lease == null ? 0 : lease.expiresAt(),
        lease != null && lease.description() != null && lease.description().startsWith(LEASE_PREFIX),
        m.cordoned(),
        m.createdAt() == null ? 0 : m.createdAt().toEpochMilli(),
        m.updatedAt() == null ? 0 : m.updatedAt().toEpochMilli(),
        localAt,
        m.events().isEmpty() ? null : m.events().get(0).id());
  }

  CachedMachine withState(String newState, String newInstanceId, long now) {
    return new CachedMachine(id, name, newState, region, newInstanceId == null ? instanceId : newInstanceId,
        processGroup, image, metadata, leaseOwner, leaseExpiresAt, leaseOurs, cordoned, createdAt, now, now, null);
  }

  CachedMachine withLease(String owner, long expiresAt, boolean ours, long now) {
    return new CachedMachine(id, name, state, region, instanceId, processGroup, image, metadata, owner, expiresAt,
        ours, cordoned, createdAt, updatedAt, now, lastEventId);
  }

  /** Whether someone holds a lease on it at {@code nowMillis} (as far as the cache knows). */
  public boolean leasedAt(long nowMillis) {
    return leaseOwner != null && leaseExpiresAt * 1000 > nowMillis;
  }

  /** Whether someone other than Flightdeck (a deploy, a person) holds its lease at {@code nowMillis}. */
  public boolean leasedByOthersAt(long nowMillis) {
    return leasedAt(nowMillis) && !leaseOurs;
  }

  public JsonObject toJson(long nowMillis) {
    JsonObject o = new JsonObject()
        .put("id", id)
        .put("name", name)
        .put("state", state)
        .put("region", region)
        .put("instance_id", instanceId)
        .put("process_group", processGroup)
        .put("image", image)
        .put("metadata", new JsonObject(new java.util.LinkedHashMap<>(metadata)))
        .put("cordoned", cordoned)
        .put("created_at", createdAt == 0 ? null : Instant.ofEpochMilli(createdAt).toString())
        .put("updated_at", updatedAt == 0 ? null : Instant.ofEpochMilli(updatedAt).toString());
    if (leasedAt(nowMillis)) {
      o.put("lease", new JsonObject().put("owner", leaseOwner)
          .put("expires_at", Instant.ofEpochSecond(leaseExpiresAt).toString()).put("flightdeck", leaseOurs));
    }
    return o;
  }
}
