package dev.flightdeck.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.testing.Postgres;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two instances on PostgreSQL: kill the one running a job; the other takes it over in time. */
class TakeoverIT {

  @TempDir
  Path dir;

  private final String schema = Postgres.freshSchema();

  @AfterEach
  void drop() {
    Postgres.drop(schema);
  }

  private JsonObject pg() {
    return new JsonObject().put("store", new JsonObject().put("url", Postgres.URL).put("schema", schema));
  }

  @Test
  void the_survivor_takes_the_job_over_within_the_heartbeat_timeout() throws Exception {
    try (ProcessCluster c = new ProcessCluster(dir)) {
      // slow enough (40 machines, 4 at a time, 1.5 s each) that alpha is still at it when beta is up
      c.startSim("--sim.latency.start_ms=1500");
      ProcessCluster.Instance a = c.startInstance("alpha", pg());
      JsonObject job = c.api(a, "POST", "/v1/jobs", new JsonObject().put("app", "demo").put("kind", "start")
          .put("target", new JsonObject().put("all", true)));
      String id = job.getString("id");
      c.awaitActions("demo", "start", 8, Duration.ofSeconds(30));
      assertThat(c.api(a, "GET", "/v1/jobs/" + id, null).getString("owner")).isEqualTo("alpha");

      ProcessCluster.Instance b = c.startInstance("beta", pg());
      a.process().kill();
      long killedAt = System.nanoTime();
      ProcessCluster.await(() -> {
        try {
          return "beta".equals(c.api(b, "GET", "/v1/jobs/" + id, null).getString("owner"));
        } catch (Exception e) {
          return false;
        }
      }, Duration.ofSeconds(20), "beta owning the job");
      long takeoverMs = (System.nanoTime() - killedAt) / 1_000_000;
      // heartbeat timeout 1.5 s, claim poll 0.1 s, heartbeat interval 0.2 s
      assertThat(takeoverMs).as("takeover time").isLessThan(1500 + 100 + 200 + 1500);
      System.out.println("takeover after " + takeoverMs + " ms");

      b.process().awaitLine("job " + id + " succeeded", Duration.ofSeconds(60));
      JsonObject done = c.api(b, "GET", "/v1/jobs/" + id, null);
      assertThat(done.getInteger("claims")).isEqualTo(2);
      Map<String, Long> starts = c.journal("demo").stream().filter(e -> e.getString("action").equals("start"))
          .collect(Collectors.groupingBy(e -> e.getString("machine_id"), Collectors.counting()));
      assertThat(starts).hasSize(40);
      assertThat(starts.values()).containsOnly(1L);
      c.awaitNoLeases(Duration.ofSeconds(20));
    }
  }
}
