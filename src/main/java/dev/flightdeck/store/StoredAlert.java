package dev.flightdeck.store;

import java.util.Map;

/**
 * An alert as Alertmanager last reported it, keyed by fingerprint and start: {@code status}
 * {@code firing} or {@code resolved}; {@code endsAt} null while Alertmanager gives no end.
 */
public record StoredAlert(String fingerprint, long startsAt, String status, Map<String, String> labels, Long endsAt,
    long receivedAt, long lastSeenAt) {

  public String key() {
    return fingerprint + "@" + java.time.Instant.ofEpochMilli(startsAt);
  }
}
