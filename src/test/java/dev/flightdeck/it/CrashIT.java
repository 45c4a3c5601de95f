package dev.flightdeck.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 mid-batch on SQLite: the next start finishes the job, nothing twice, no lease left. */
class CrashIT {

  @TempDir
  Path dir;

  @Test
  void a_killed_instance_leaves_nothing_undone_twice_or_leased() throws Exception {
    try (ProcessCluster c = new ProcessCluster(dir)) {
      c.startSim("--sim.latency.start_ms=400");
      ProcessCluster.Instance first = c.startInstance("one", new JsonObject());
      JsonObject job = c.api(first, "POST", "/v1/jobs", new JsonObject().put("app", "demo").put("kind", "start")
          .put("target", new JsonObject().put("all", true)));
      assertThat(job.getInteger("_status")).isEqualTo(201);
      String id = job.getString("id");
      c.awaitActions("demo", "start", 8, Duration.ofSeconds(30));

      first.process().kill();
      assertThat(first.process().waitFor(Duration.ofSeconds(10))).isNotZero();
      long startsAtCrash = c.count("demo", "start");
      assertThat(startsAtCrash).isLessThan(40);

      ProcessCluster.Instance second = c.startInstance("two", new JsonObject());
      second.process().awaitLine("job " + id + " succeeded", Duration.ofSeconds(60));

      JsonObject done = c.api(second, "GET", "/v1/jobs/" + id, null);
      assertThat(done.getString("state")).isEqualTo("succeeded");
      assertThat(done.getInteger("claims")).isEqualTo(2);
      assertThat(done.getJsonObject("progress").getInteger("succeeded")).isEqualTo(40);
      JsonArray machines = c.simMachines("demo");
      assertThat(machines).hasSize(40).allSatisfy(m -> assertThat(((JsonObject) m).getString("state"))
          .isEqualTo("started"));
      Map<String, Long> startsPerMachine = c.journal("demo").stream()
          .filter(e -> e.getString("action").equals("start"))
          .collect(Collectors.groupingBy(e -> e.getString("machine_id"), Collectors.counting()));
      assertThat(startsPerMachine).hasSize(40);
      assertThat(startsPerMachine.values()).as("no machine started twice").containsOnly(1L);
      assertThat(c.journal("demo")).filteredOn(e -> e.getString("action").equals("start"))
          .allMatch(e -> e.getBoolean("with_lease"));
      c.awaitNoLeases(Duration.ofSeconds(20));
      assertThat(second.process().outputText()).contains("resuming job " + id);
    }
  }

  @Test
  void a_job_resumed_after_a_crash_does_not_start_again_the_machines_whose_boot_failed() throws Exception {
    try (ProcessCluster c = new ProcessCluster(dir)) {
      c.startSim("--sim.latency.start_ms=400", "--sim.faults.start_failure_rate=0.3");
      ProcessCluster.Instance first = c.startInstance("one", new JsonObject());
      JsonObject job = c.api(first, "POST", "/v1/jobs", new JsonObject().put("app", "demo").put("kind", "start")
          .put("target", new JsonObject().put("all", true)));
      String id = job.getString("id");
      c.awaitActions("demo", "start", 8, Duration.ofSeconds(30));
      first.process().kill();
      assertThat(first.process().waitFor(Duration.ofSeconds(10))).isNotZero();

      ProcessCluster.Instance second = c.startInstance("two", new JsonObject());
      JsonObject[] done = new JsonObject[1];
      ProcessCluster.await(() -> {
        done[0] = c.api(second, "GET", "/v1/jobs/" + id, null);
        return java.util.Set.of("succeeded", "failed").contains(done[0].getString("state"));
      }, Duration.ofSeconds(60), "the resumed job to end");

      Map<String, String> states = c.simMachines("demo").stream().map(m -> (JsonObject) m)
          .collect(Collectors.toMap(m -> m.getString("id"), m -> m.getString("state")));
      assertThat(states.values()).contains("failed").allMatch(st -> st.equals("started") || st.equals("failed"));
      for (Object o : done[0].getJsonArray("machines")) {
        JsonObject slot = (JsonObject) o;
        String expected = "start_failed".equals(slot.getString("error_code")) ? "failed" : "started";
        assertThat(states.get(slot.getString("machine_id"))).as(slot.encode()).isEqualTo(expected);
      }
      Map<String, Long> startsPerMachine = c.journal("demo").stream()
          .filter(e -> e.getString("action").equals("start"))
          .collect(Collectors.groupingBy(e -> e.getString("machine_id"), Collectors.counting()));
      assertThat(startsPerMachine.values()).as("no machine started twice, failed boots included").containsOnly(1L);
      c.awaitNoLeases(Duration.ofSeconds(20));
    }
  }
}
