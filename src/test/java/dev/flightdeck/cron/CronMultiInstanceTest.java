package dev.flightdeck.cron;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.store.JobRecord;
import dev.flightdeck.store.PgJobStore;
import dev.flightdeck.store.ScheduleRecord;
import dev.flightdeck.testing.Postgres;
import dev.flightdeck.time.ManualTimeSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three instances on one PostgreSQL, each with its own store and scheduler, on one simulated clock:
 * every tick fires exactly once, also after one instance is killed halfway.
 */
@ExtendWith(VertxExtension.class)
class CronMultiInstanceTest {

  private final String schema = Postgres.freshSchema();
  private final List<PgJobStore> stores = new ArrayList<>();

  @AfterEach
  void cleanup() {
    for (PgJobStore s : stores) {
      s.close().await();
    }
    Postgres.drop(schema);
  }

  @Test
  void every_tick_fires_exactly_once_across_three_instances_and_a_kill(Vertx vertx) {
    ManualTimeSource clock = new ManualTimeSource(Instant.parse("2026-03-01T00:00:00Z").toEpochMilli());
    CronConfig cfg = new CronConfig(true, 1000, 500, 10, 50);
    List<CronScheduler> schedulers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      PgJobStore store = new PgJobStore(vertx, Postgres.storeConfig(schema));
      store.start().await();
      stores.add(store);
      schedulers.add(new CronScheduler(vertx.getOrCreateContext(), store, () -> { }, clock, cfg, 3600));
    }
    ScheduleService service = new ScheduleService(stores.get(0), null, clock, 3600);
    List<ScheduleRecord> created = new ArrayList<>();
    for (String[] s : new String[][] {{"every-minute", "* * * * *"}, {"every-five", "*/5 * * * *"},
        {"quarter", "0,15,30,45 * * * *"}}) {
      created.add(service.create(service.parse(new JsonObject().put("name", s[0]).put("cron", s[1])
          .put("job", new JsonObject().put("app", "web").put("kind", "start")
              .put("target", new JsonObject().put("all", true)))), "t").await());
    }
    int minutes = 300;
    for (int m = 1; m <= minutes; m++) {
      clock.advance(60_000).await();
      List<Future<?>> passes = new ArrayList<>();
      for (int i = 0; i < schedulers.size(); i++) {
        if (m > minutes / 2 && i == 0) {
          continue; // instance 0 was killed halfway
        }
        passes.add(schedulers.get(i).fire());
        passes.add(schedulers.get(i).fire());
      }
      Future.all(passes).await();
      if (m == minutes / 2) {
        schedulers.get(0).stop();
        stores.get(0).close().await();
      }
    }
    int[] expected = {minutes, minutes / 5, minutes / 15};
    for (int k = 0; k < created.size(); k++) {
      List<Long> ticks = stores.get(1).scheduleJobs(created.get(k).id(), 10_000).await().stream()
          .map(JobRecord::scheduledAt).sorted().toList();
      assertThat(ticks).as(created.get(k).name()).hasSize(expected[k]).doesNotHaveDuplicates();
      long step = (ticks.get(1) - ticks.get(0));
      for (int i = 1; i < ticks.size(); i++) {
        assertThat(ticks.get(i) - ticks.get(i - 1)).as("no tick missing").isEqualTo(step);
      }
    }
  }
}
