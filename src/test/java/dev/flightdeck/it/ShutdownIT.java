package dev.flightdeck.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM mid-batch: new work refused, the job handed back with no lease left, exit 0, resumed on restart. */
class ShutdownIT {

  @TempDir
  Path dir;

  @Test
  void a_sigterm_while_starting_stops_the_instance_once_it_is_up_and_exits_zero() throws Exception {
    try (ProcessCluster c = new ProcessCluster(dir)) {
      c.startSim();
      ProcessCluster.Instance i = c.launchInstance("early", new JsonObject());
      i.process().awaitLine("Job store", Duration.ofSeconds(60)); // started, not yet ready
      i.process().terminate();
      assertThat(i.process().waitFor(Duration.ofSeconds(60))).as("exit code (the JVM's default is 143)").isZero();
      assertThat(i.process().outputText()).contains("Shut down cleanly");
    }
  }

  @Test
  void sigterm_drains_hands_the_job_back_and_exits_zero() throws Exception {
    try (ProcessCluster c = new ProcessCluster(dir)) {
      c.startSim("--sim.latency.start_ms=1500");
      JsonObject grace = new JsonObject().put("jobs", new JsonObject().put("shutdown_grace_ms", 2000));
      ProcessCluster.Instance first = c.startInstance("one", grace);
      JsonObject job = c.api(first, "POST", "/v1/jobs", new JsonObject().put("app", "demo").put("kind", "start")
          .put("target", new JsonObject().put("all", true)));
      assertThat(job.getInteger("_status")).isEqualTo(201);
      String id = job.getString("id");
      c.awaitActions("demo", "start", 4, Duration.ofSeconds(30));

      first.process().terminate();
      first.process().awaitLine("Shutting down", Duration.ofSeconds(10));
      JsonObject refused = c.api(first, "POST", "/v1/jobs", new JsonObject().put("app", "demo").put("kind", "stop")
          .put("target", new JsonObject().put("all", true)));
      assertThat(refused.getInteger("_status")).isEqualTo(503);
      assertThat(refused.getJsonObject("error").getString("code")).isEqualTo("shutting_down");
      assertThat(c.api(first, "GET", "/v1/jobs/" + id, null).getString("state")).as("reads still work while draining")
          .isEqualTo("running");

      assertThat(first.process().waitFor(Duration.ofSeconds(30))).as("exit code").isZero();
      assertThat(first.process().outputText()).contains("handing it back unfinished").contains("Shut down cleanly");
      assertThat(c.simAdmin("/sim/leases").getJsonArray("leases")).as("no lease left held").isEmpty();
      long startsAtStop = c.count("demo", "start");
      assertThat(startsAtStop).isLessThan(40);

      ProcessCluster.Instance second = c.startInstance("two", new JsonObject());
      second.process().awaitLine("job " + id + " succeeded", Duration.ofSeconds(90));
      JsonObject done = c.api(second, "GET", "/v1/jobs/" + id, null);
      assertThat(done.getInteger("claims")).isEqualTo(2);
      assertThat(done.getJsonObject("progress").getInteger("succeeded")).isEqualTo(40);
      Map<String, Long> startsPerMachine = c.journal("demo").stream()
          .filter(e -> e.getString("action").equals("start"))
          .collect(Collectors.groupingBy(e -> e.getString("machine_id"), Collectors.counting()));
      assertThat(startsPerMachine).hasSize(40);
      assertThat(startsPerMachine.values()).as("no machine started twice").containsOnly(1L);
    }
  }
}
