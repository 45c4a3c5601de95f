package dev.flightdeck.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The conformance checker itself must catch answers that break the spec. */
class SpecConformanceTest {

  private static SpecConformance with(String op, int status, String body) {
    SpecConformance c = new SpecConformance();
    c.onExchange(op, "GET", "/v1/x", status, "application/json", body == null ? null : Buffer.buffer(body));
    return c;
  }

  @Test
  void a_well_formed_machine_conforms() {
    assertThat(with("Machines_show", 200, new JsonObject().put("id", "3d8d413b29d089").put("state", "started")
        .put("config", new JsonObject().put("image", "x")).encode()).violations()).isEmpty();
  }

  @Test
  void a_machine_with_a_numeric_state_is_reported() {
    assertThat(with("Machines_show", 200, "{\"id\":\"3d8d413b29d089\",\"state\":42}").violations())
        .singleElement().asString().contains("Machines_show");
  }

  @Test
  void an_app_list_with_a_wrong_total_type_is_reported() {
    assertThat(with("Apps_list", 200, "{\"total_apps\":\"many\",\"apps\":[]}").violations()).hasSize(1);
  }

  @Test
  void a_flat_lease_is_reported_because_the_real_api_uses_an_envelope() {
    assertThat(with("Machines_show_lease", 200, "{\"nonce\":\"abc\",\"expires_at\":1}").violations()).hasSize(1);
    assertThat(with("Machines_show_lease", 200,
        "{\"status\":\"success\",\"data\":{\"nonce\":\"abc\",\"expires_at\":1}}").violations()).isEmpty();
    assertThat(with("Machines_show_lease", 200,
        "{\"status\":\"success\",\"data\":{\"nonce\":\"abc\",\"expires_at\":\"soon\"}}").violations()).hasSize(1);
  }

  @Test
  void an_error_without_error_text_is_reported() {
    assertThat(with("Machines_start", 412, "{\"message\":\"nope\"}").violations()).hasSize(1);
    assertThat(with("Machines_start", 412, "{\"error\":\"failed_precondition: x\"}").violations()).isEmpty();
  }

  @Test
  void an_undocumented_body_on_a_bodyless_answer_is_reported() {
    assertThat(with("Machines_cordon", 200, "{\"ok\":true}").violations()).isEmpty();
    assertThat(with("Machines_cordon", 200, "{\"ok\":\"yes\"}").violations()).hasSize(1);
    assertThat(with("Apps_delete", 202, "{\"surprise\":1}").violations()).hasSize(1);
  }

  @Test
  void a_status_the_spec_does_not_list_for_a_success_is_reported() {
    assertThat(with("Machines_create", 201, "{\"id\":\"x\"}").violations()).singleElement().asString()
        .contains("lists no 201");
  }
}
