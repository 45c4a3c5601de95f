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
      ProcessCluster.await(() -> {
        try {
          return c.count("demo", "start") >= 8;
        } catch (Exception e) {
          return false;
        }
      }, Duration.ofSeconds(30), "the job under way");

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
      ProcessCluster.await(() -> {
        try {
          return c.simAdmin("/sim/leases").getJsonArray("leases").isEmpty();
        } catch (Exception e) {
          return false;
        }
      }, Duration.ofSeconds(20), "no lease left held");
      assertThat(second.process().outputText()).contains("resuming job " + id);
    }
  }
}
