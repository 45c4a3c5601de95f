package dev.flightdeck.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SQLite on a full disk (a small tmpfs): new jobs get a clear 503, nothing accepted is lost, and it recovers. */
class FullDiskIT {

  @TempDir
  Path dir;

  @Test
  void a_full_disk_refuses_new_jobs_with_503_and_loses_nothing() throws Exception {
    Path disk = dir.resolve("disk");
    Files.createDirectories(disk);
    Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", disk.toString())
        .redirectErrorStream(true).start();
    Assumptions.assumeTrue(mount.waitFor() == 0, "cannot mount a tmpfs here (needs root)");
    try (ProcessCluster c = new ProcessCluster(dir)) {
      c.startSim();
      ProcessCluster.Instance i = c.startInstance("full", new JsonObject().put("store", new JsonObject()
          .put("data_dir", disk.toString())));
      JsonObject start = new JsonObject().put("app", "demo").put("kind", "start")
          .put("target", new JsonObject().put("process_group", "app"));
      JsonObject first = c.api(i, "POST", "/v1/jobs", start);
      assertThat(first.getInteger("_status")).isEqualTo(201);

      Path filler = disk.resolve("filler");
      try (OutputStream out = Files.newOutputStream(filler)) {
        byte[] block = new byte[64 * 1024];
        while (true) {
          out.write(block);
        }
      } catch (IOException full) {
        // the disk is full now
      }
      JsonObject refused = null;
      for (int k = 0; k < 20; k++) {
        refused = c.api(i, "POST", "/v1/jobs", new JsonObject().put("app", "demo").put("kind", "stop")
            .put("target", new JsonObject().put("all", true)).put("options", new JsonObject().put("priority", k)));
        if (refused.getInteger("_status") == 503) {
          break;
        }
      }
      assertThat(refused.getInteger("_status")).as(refused.encode()).isEqualTo(503);
      assertThat(refused.getJsonObject("error").getString("code")).isEqualTo("store_full");
      assertThat(refused.getJsonObject("error").getString("message")).contains("disk");

      Files.delete(filler);
      JsonObject after = null;
      for (int k = 0; k < 50; k++) {
        after = c.api(i, "POST", "/v1/jobs", start);
        if (after.getInteger("_status") == 201) {
          break;
        }
        Thread.sleep(100); // the store retries its failed commit
      }
      assertThat(after.getInteger("_status")).as(after.encode()).isEqualTo(201);
      ProcessCluster.await(() -> {
        try {
          return c.api(i, "GET", "/v1/jobs/" + first.getString("id"), null).getString("state").equals("succeeded");
        } catch (Exception e) {
          return false;
        }
      }, Duration.ofSeconds(60), "the job accepted before the disk filled succeeded");
      assertThat(c.call(i, "GET", "/v1/jobs?limit=500", null, ProcessCluster.API_TOKEN, Map.of())
          .getJsonArray("jobs").stream().map(j -> ((JsonObject) j).getString("id")))
          .contains(first.getString("id"), after.getString("id"));
    } finally {
      new ProcessBuilder("umount", "-l", disk.toString()).start().waitFor();
    }
  }
}
