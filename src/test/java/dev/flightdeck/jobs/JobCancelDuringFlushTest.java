package dev.flightdeck.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.config.ConfigLoader;
import dev.flightdeck.config.FlightdeckConfig;
import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.testing.LogCapture;
import dev.flightdeck.testing.Postgres;
import dev.flightdeck.testing.ServerFixture;
import dev.flightdeck.testing.TestConfigs;
import dev.flightdeck.time.VertxTimeSource;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.SqlConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job that is cancelled while it records which slots it is about to run (the write before
 * anything is sent) ends with nothing sent (issue 17, hole 2). The write is held open on
 * PostgreSQL: a trigger on slot updates waits for an advisory lock the test holds. The cancel is the
 * job's own timeout: a cancel request would wait behind the same write (it updates the job's row,
 * which the held transaction has locked), so it cannot arrive in between on PostgreSQL.
 */
@ExtendWith(VertxExtension.class)
class JobCancelDuringFlushTest {

  private static final Duration T = Duration.ofSeconds(30);
  private static final long LOCK = 917_017;

  @TempDir
  Path dir;

  private final String schema = Postgres.freshSchema();
  private ServerFixture fx;

  @AfterEach
  void stop() {
    if (fx != null) {
      fx.close();
    }
    Postgres.drop(schema);
  }

  @Test
  void a_job_timing_out_during_its_launch_write_sends_no_machine_operation(Vertx vertx) {
    JsonObject cfg = TestConfigs.serveJson(dir);
    cfg.getJsonObject("store").put("url", Postgres.URL).put("schema", schema);
    fx = ServerFixture.start(vertx, ConfigLoader.bind(cfg, FlightdeckConfig.class, ""), new VertxTimeSource(vertx));
    fx.server.simulator().seed(new SimConfig.SeedApp("cf", 3, List.of("ord"), List.of("app"), "i:1", "stopped"))
        .await();
    JsonArray ids = new JsonArray(fx.get("/v1/fleet/apps/cf/machines").json().getJsonArray("machines").stream()
        .map(m -> ((JsonObject) m).getString("id")).toList());

    SqlConnection holder = io.vertx.pgclient.PgConnection.connect(vertx, PgConnectOptions.fromUri(Postgres.URL))
        .await();
    try (LogCapture logs = new LogCapture()) {
      holder.query("SELECT pg_advisory_lock(" + LOCK + ")").execute().await();
      holder.query("CREATE FUNCTION " + schema + ".hold_slots() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
          + "PERFORM pg_advisory_xact_lock(" + LOCK + "); RETURN NEW; END $$").execute().await();
      holder.query("CREATE TRIGGER hold_slots BEFORE UPDATE ON " + schema + ".job_slots FOR EACH ROW EXECUTE "
          + "FUNCTION " + schema + ".hold_slots()").execute().await();

      String id = fx.submit(new JsonObject().put("app", "cf").put("kind", "start")
          .put("target", new JsonObject().put("machine_ids", ids))
          .put("options", new JsonObject().put("timeout_seconds", 1)));
      fx.eventually(() -> holder.query("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT "
              + "granted").execute().await().iterator().next().getLong("n") > 0, T,
          "the launch write waiting on the held lock");
      fx.eventually(() -> logs.lines().stream().anyMatch(l -> l.startsWith("job " + id + ": timed out")), T,
          "the job timed out while its launch write was held");
      holder.query("SELECT pg_advisory_unlock(" + LOCK + ")").execute().await();

      JsonObject done = fx.awaitEnd(id, T);
      assertThat(done.getString("state")).as(done.encode()).isEqualTo("failed");
      assertThat(done.getString("error")).isEqualTo("timed out after 1 s");
      JsonObject ops = fx.server.simulator().stats().await().getJsonObject("requests_by_operation");
      for (String op : List.of("Machines_create_lease", "Machines_start", "Machines_release_lease")) {
        assertThat(ops.getLong(op, 0L)).as(op + " after a timeout during the launch write").isZero();
      }
    } finally {
      holder.close().await();
    }
  }
}
