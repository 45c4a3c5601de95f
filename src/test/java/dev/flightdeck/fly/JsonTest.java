package dev.flightdeck.fly;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void the_fast_timestamp_reader_agrees_with_instant_parse() {
    for (String s : List.of("2024-05-01T12:34:56Z", "2024-05-01T12:34:56.1Z", "2024-05-01T12:34:56.123Z",
        "2024-05-01T12:34:56.123456Z", "2024-05-01T12:34:56.123456789Z", "1970-01-01T00:00:00Z",
        "2024-02-29T23:59:59.999Z", "1969-12-31T23:59:59.5Z", "2099-12-31T00:00:00Z")) {
      assertThat(Json.utcInstant(s)).as(s).isEqualTo(Instant.parse(s));
      assertThat(Json.instant(new JsonObject().put("t", s), "t")).as(s).isEqualTo(Instant.parse(s));
    }
  }

  @Test
  void other_timestamp_forms_go_the_long_way_and_nonsense_reads_as_null() {
    for (String s : List.of("2024-05-01T12:34:56+02:00", "2024-05-01T12:34:56", "2024-02-30T00:00:00Z",
        "2024-05-01T24:00:00Z", "2024-05-01T12:60:00Z", "2024-05-01T12:34:56.Z", "2024-05-01T12:34:56.1234567890Z",
        "2024-O5-01T12:34:56Z", "2024-05-01 12:34:56Z")) {
      assertThat(Json.utcInstant(s)).as(s).isNull();
    }
    assertThat(Json.instant(new JsonObject().put("t", "2024-05-01T12:34:56+02:00"), "t"))
        .isEqualTo(Instant.parse("2024-05-01T10:34:56Z"));
    assertThat(Json.instant(new JsonObject().put("t", "2024-02-30T00:00:00Z"), "t")).isNull();
    assertThat(Json.instant(new JsonObject().put("t", "yesterday"), "t")).isNull();
  }

  @Test
  void a_machines_events_read_on_demand_skip_entries_that_are_not_objects() {
    JsonObject o = new JsonObject().put("id", "m1").put("state", "started")
        .put("config", new JsonObject().put("image", "img:1"))
        .put("events", new JsonArray()
            .add(new JsonObject().put("id", "e2").put("type", "exit").put("status", "stopped").put("timestamp", 2)
                .put("request", new JsonObject().put("exit_event", new JsonObject().put("exit_code", 3))))
            .add("junk")
            .add(new JsonObject().put("id", "e1").put("type", "start").put("timestamp", "1")));
    Machine m = Machine.fromJson(o);

    assertThat(m.events()).hasSize(2);
    assertThat(m.events().get(0).id()).isEqualTo("e2");
    assertThat(m.events().get(0).exitCode()).isEqualTo(3);
    assertThat(m.events().get(1)).isEqualTo(new MachineEvent("e1", "start", null, null, 1, null));
    assertThat(m.events().get(0)).isSameAs(m.events().get(0));
    assertThat(m.events()).containsExactly(m.events().get(0), m.events().get(1));
    assertThat(m.config().image()).isEqualTo("img:1");
    assertThat(Machine.fromJson(new JsonObject().put("id", "m2")).events()).isEmpty();
  }
}
