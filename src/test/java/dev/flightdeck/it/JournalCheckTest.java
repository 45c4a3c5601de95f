package dev.flightdeck.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The chaos suite's journal rules, on journals written by hand. */
class JournalCheckTest {

  private final List<JsonObject> journal = new ArrayList<>();
  private long seq;

  private void lease(String machine, String job) {
    add(machine, "lease_acquire", true, "started").put("detail", new JsonObject()
        .put("description", "flightdeck vm-1 job " + job + " op " + job + "/0"));
  }

  private JsonObject add(String machine, String action, boolean withLease, String before) {
    JsonObject e = new JsonObject().put("seq", ++seq).put("at", 1000 + seq).put("machine_id", machine)
        .put("action", action).put("with_lease", withLease).put("state_before", before);
    journal.add(e);
    return e;
  }

  private JournalCheck check() {
    return new JournalCheck(journal, Map.of(), Map.of());
  }

  @Test
  void one_action_per_machine_per_job_is_clean() {
    lease("m1", "j1");
    add("m1", "restart", true, "started");
    add("m1", "lease_release", true, "restarting");
    lease("m1", "j2"); // another job may restart it again
    add("m1", "restart", true, "started");
    assertThat(check().findings()).isEmpty();
    assertThat(check().mutations()).isEqualTo(2);
  }

  @Test
  void a_job_restarting_a_machine_twice_across_two_leases_is_a_duplicate() {
    lease("m1", "j1");
    add("m1", "restart", true, "started");
    add("m1", "lease_release", true, "restarting");
    lease("m1", "j1"); // resumed after a hand-back
    add("m1", "restart", true, "started");
    assertThat(check().findings()).singleElement().satisfies(f -> {
      assertThat(f.rule()).isEqualTo("restart sent 2 times by one job");
      assertThat(f.jobId()).isEqualTo("j1");
    });
    assertThat(check().duplicates()).isEqualTo(1);
  }

  @Test
  void a_stop_sent_to_a_stopped_machine_counts_even_once() {
    lease("m1", "j1");
    add("m1", "stop", true, "stopped");
    assertThat(check().findings()).extracting(JournalCheck.Finding::rule)
        .containsExactly("stop sent to a machine already stopped");
  }

  @Test
  void a_slot_created_twice_is_a_duplicate() {
    for (int i = 0; i < 2; i++) {
      add("m" + i, "create", false, null).put("detail", new JsonObject().put("metadata",
          new JsonObject().put("flightdeck_op", "j1/0")));
    }
    assertThat(check().findings()).extracting(JournalCheck.Finding::rule).containsExactly("slot created 2 times");
  }

  @Test
  void a_cancelled_job_acting_after_its_end_is_found_and_its_release_is_not() {
    lease("m1", "j1");
    add("m1", "stop", true, "started");
    long end = journal.get(journal.size() - 1).getLong("at");
    add("m1", "lease_release", true, "stopping");
    lease("m2", "j1");
    add("m2", "stop", true, "started");
    JournalCheck c = new JournalCheck(journal, Map.of("j1", end), Map.of());
    assertThat(c.findings()).extracting(f -> f.rule().replaceAll(" \\(.*", ""), JournalCheck.Finding::machineId)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("lease_acquire after the job was cancelled", "m2"),
            org.assertj.core.groups.Tuple.tuple("stop after the job was cancelled", "m2"));
  }

  @Test
  void a_scale_up_that_stops_a_machine_is_found() {
    lease("m1", "up1");
    add("m1", "stop", true, "started");
    lease("m2", "up1");
    add("m2", "start", true, "stopped");
    JournalCheck c = new JournalCheck(journal, Map.of(), Map.of("up1", "up"));
    assertThat(c.findings()).extracting(JournalCheck.Finding::rule, JournalCheck.Finding::machineId)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("a scale up sent stop", "m1"));
  }

  @Test
  void mutations_without_a_flightdeck_lease_are_not_pinned_on_a_job() {
    lease("m1", "j1");
    add("m1", "lease_release", true, "started");
    add("m1", "lease_acquire", false, "started").put("detail", new JsonObject().put("description", "deploy"));
    add("m1", "stop", true, "started");
    add("m1", "stop", true, "stopped");
    assertThat(check().findings()).isEmpty();
  }
}
