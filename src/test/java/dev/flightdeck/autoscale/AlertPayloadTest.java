package dev.flightdeck.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightdeck.jobs.InvalidJobException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Alertmanager's webhook payload, from a real capture (Alertmanager 0.25) and variants of it. */
class AlertPayloadTest {

  static JsonObject captured() {
    try (InputStream in = AlertPayloadTest.class.getResourceAsStream("/alertmanager/webhook-firing.json")) {
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The captured payload as Alertmanager sends it when the group resolves. */
  static JsonObject resolved() {
    JsonObject p = captured().put("status", "resolved");
    p.getJsonArray("alerts").getJsonObject(0).put("status", "resolved").put("endsAt", "2026-11-28T12:48:07.989Z");
    return p;
  }

  @Test
  void the_captured_firing_payload_parses_with_its_zero_end_time_read_as_no_end() {
    AlertPayload p = AlertPayload.parse(captured());
    assertThat(p.status()).isEqualTo("firing");
    assertThat(p.receiver()).isEqualTo("webhook");
    assertThat(p.groupKey()).isEqualTo("{}:{alertname=\"AmHarnessSelfTest\", app=\"demo\"}");
    assertThat(p.truncatedAlerts()).isZero();
    assertThat(p.commonLabels()).containsEntry("process_group", "worker");
    assertThat(p.alerts()).hasSize(1);
    AlertPayload.Alert a = p.alerts().get(0);
    assertThat(a.alertname()).isEqualTo("AmHarnessSelfTest");
    assertThat(a.fingerprint()).isEqualTo("376c41d650c36c23");
    assertThat(a.startsAt()).isEqualTo(Instant.parse("2026-11-28T12:43:07.989Z"));
    assertThat(a.endsAt()).as("0001-01-01T00:00:00Z means: no end yet").isNull();
    assertThat(a.labels()).containsEntry("app", "demo").containsEntry("severity", "page");
    assertThat(a.annotations()).containsKey("summary");
  }

  @Test
  void a_resolved_payload_carries_its_end_time() {
    AlertPayload p = AlertPayload.parse(resolved());
    assertThat(p.status()).isEqualTo("resolved");
    assertThat(p.alerts().get(0).status()).isEqualTo("resolved");
    assertThat(p.alerts().get(0).endsAt()).isEqualTo(Instant.parse("2026-11-28T12:48:07.989Z"));
  }

  @Test
  void a_grouped_payload_with_truncated_alerts_keeps_every_alert_and_the_count() {
    JsonObject p = captured().put("truncatedAlerts", 7);
    JsonArray alerts = p.getJsonArray("alerts");
    JsonObject first = alerts.getJsonObject(0);
    alerts.add(first.copy().put("fingerprint", "aaaa000000000001").put("labels", first.getJsonObject("labels").copy()
        .put("instance", "b")));
    alerts.add(first.copy().put("fingerprint", "aaaa000000000002").put("status", "resolved")
        .put("endsAt", "2026-11-28T12:50:00+01:00"));
    AlertPayload parsed = AlertPayload.parse(p);
    assertThat(parsed.alerts()).extracting(AlertPayload.Alert::fingerprint)
        .containsExactly("376c41d650c36c23", "aaaa000000000001", "aaaa000000000002");
    assertThat(parsed.alerts().get(1).labels()).containsEntry("instance", "b");
    assertThat(parsed.alerts().get(2).endsAt()).isEqualTo(Instant.parse("2026-11-28T11:50:00Z"));
    assertThat(parsed.truncatedAlerts()).isEqualTo(7);
  }

  @Test
  void fields_a_newer_alertmanager_adds_are_accepted() {
    JsonObject p = captured().put("someNewField", true);
    p.getJsonArray("alerts").getJsonObject(0).put("silenceURL", "http://x");
    assertThat(AlertPayload.parse(p).alerts()).hasSize(1);
  }

  @Test
  void invalid_payloads_are_refused_naming_the_field() {
    expect(captured().put("version", "3"), "version");
    expect(captured().put("status", "pending"), "status");
    expect(captured().put("alerts", "nope"), "alerts");
    JsonObject noFp = captured();
    noFp.getJsonArray("alerts").getJsonObject(0).remove("fingerprint");
    expect(noFp, "alerts[0].fingerprint");
    JsonObject badTime = captured();
    badTime.getJsonArray("alerts").getJsonObject(0).put("startsAt", "yesterday");
    expect(badTime, "alerts[0].startsAt");
    // parsable, but beyond what a millisecond count holds (these used to overflow into a 500 later)
    JsonObject farFuture = captured();
    farFuture.getJsonArray("alerts").getJsonObject(0).put("startsAt", "+1000000000-12-31T23:59:59Z");
    expect(farFuture, "alerts[0].startsAt");
    JsonObject farPast = captured();
    farPast.getJsonArray("alerts").getJsonObject(0).put("endsAt", "-999999999-01-01T00:00:00Z");
    expect(farPast, "alerts[0].endsAt");
    JsonObject badLabel = captured();
    badLabel.getJsonArray("alerts").getJsonObject(0).getJsonObject("labels").put("replicas", 3);
    expect(badLabel, "alerts[0].labels.replicas");
    JsonObject badStatus = captured();
    badStatus.getJsonArray("alerts").getJsonObject(0).put("status", "pending");
    expect(badStatus, "alerts[0].status");
  }

  private static void expect(JsonObject payload, String field) {
    assertThatThrownBy(() -> AlertPayload.parse(payload)).isInstanceOf(InvalidJobException.class)
        .satisfies(e -> assertThat(((InvalidJobException) e).field()).isEqualTo(field));
  }
}
