package dev.flightdeck.cron;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.store.JobFilter;
import dev.flightdeck.store.JobRecord;
import dev.flightdeck.store.JobStore;
import dev.flightdeck.store.ScheduleRecord;
import dev.flightdeck.store.SqliteJobStore;
import dev.flightdeck.time.ManualTimeSource;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The scheduler over a real store on a manual clock: a year of ticks, downtime, restarts, history. */
@ExtendWith(VertxExtension.class)
class CronSchedulerTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private JobStore store;
  private ManualTimeSource clock;
  private ScheduleService service;
  private final CronConfig config = new CronConfig(true, 1000, 500, 5, 50);

  @BeforeEach
  void open(Vertx vertx) {
    this.vertx = vertx;
    store = new SqliteJobStore(dir.resolve("cron.db"), 256);
    store.start().await();
    clock = new ManualTimeSource(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());
    service = new ScheduleService(store, null, clock, 3600);
  }

  @AfterEach
  void close() {
    store.close().await();
  }

  private CronScheduler scheduler() {
    return new CronScheduler(vertx.getOrCreateContext(), store, () -> { }, clock, config, 3600);
  }

  private ScheduleRecord create(String name, String cron, String zone, JsonObject extra) {
    JsonObject body = new JsonObject().put("name", name).put("cron", cron).put("time_zone", zone)
        .put("job", new JsonObject().put("app", "web").put("kind", "start")
            .put("target", new JsonObject().put("all", true)));
    extra.forEach(e -> body.put(e.getKey(), e.getValue()));
    return service.create(service.parse(body), "test").await();
  }

  private List<JobRecord> jobsOf(String scheduleId) {
    return store.scheduleJobs(scheduleId, 10_000).await();
  }

  /** Moves the clock to the schedule's next tick (+ {@code late} ms) and fires. */
  private boolean fireNext(CronScheduler s, String scheduleId, long late) {
    ScheduleRecord r = store.getSchedule(scheduleId).await();
    if (r.nextFireAt() == null || r.nextFireAt() > Instant.parse("2027-01-01T00:00:00Z").toEpochMilli()) {
      return false;
    }
    clock.advance(Math.max(0, r.nextFireAt() + late - clock.millis())).await();
    s.fire().await();
    return true;
  }

  @Test
  void a_year_of_daily_ticks_in_new_york_fires_each_local_time_once_through_both_dst_changes() {
    ScheduleRecord daily = create("daily", "30 2 * * *", "America/New_York", new JsonObject());
    CronScheduler s = scheduler();
    while (fireNext(s, daily.id(), 250)) {
      // a year of days
    }
    ZoneId ny = ZoneId.of("America/New_York");
    List<Long> expected = new ArrayList<>();
    for (LocalDate d = LocalDate.of(2026, 1, 1); d.getYear() == 2026; d = d.plusDays(1)) {
      if (ny.getRules().getValidOffsets(d.atTime(2, 30)).isEmpty()) {
        continue; // 2026-03-08: 02:30 does not exist, so it does not run that day
      }
      ZonedDateTime z = ZonedDateTime.ofStrict(d.atTime(LocalTime.of(2, 30)),
          ny.getRules().getOffset(d.atTime(2, 30)), ny);
      expected.add(z.toInstant().toEpochMilli());
    }
    List<Long> fired = jobsOf(daily.id()).stream().map(JobRecord::scheduledAt).sorted().toList();
    assertThat(expected).hasSize(364);
    assertThat(fired).isEqualTo(expected);
  }

  @Test
  void a_local_time_repeated_by_the_autumn_change_runs_once() {
    ScheduleRecord oneThirtyDaily = create("repeat", "30 1 * * *", "America/New_York", new JsonObject());
    CronScheduler s = scheduler();
    while (fireNext(s, oneThirtyDaily.id(), 250)) {
      // a year of days
    }
    // 01:30 repeats on 2026-11-01 but runs once
    List<Long> oneThirty = jobsOf(oneThirtyDaily.id()).stream().map(JobRecord::scheduledAt).sorted().toList();
    assertThat(oneThirty).hasSize(365).doesNotHaveDuplicates();
    assertThat(oneThirty).contains(Instant.parse("2026-11-01T05:30:00Z").toEpochMilli())
        .doesNotContain(Instant.parse("2026-11-01T06:30:00Z").toEpochMilli());
  }

  @Test
  void after_downtime_a_restart_runs_one_catch_up_and_never_fires_a_tick_twice() {
    ScheduleRecord r = create("five", "*/5 * * * *", "UTC", new JsonObject().put("misfire_policy", "run_once"));
    CronScheduler before = scheduler();
    for (int i = 0; i < 3; i++) {
      fireNext(before, r.id(), 100);
    }
    assertThat(jobsOf(r.id())).hasSize(3);
    // 62 minutes of downtime (12 ticks, all past the 60 s deadline), then a fresh scheduler on the same store
    clock.advance(3_720_000).await();
    CronScheduler after = scheduler();
    after.fire().await();
    after.fire().await();
    before.fire().await(); // the old one waking up too changes nothing
    List<JobRecord> jobs = jobsOf(r.id());
    assertThat(jobs).hasSize(4);
    assertThat(jobs.get(0).firedAs()).isEqualTo("catch_up");
    assertThat(store.scheduleSkips(r.id(), 100).await()).hasSize(11)
        .allMatch(k -> k.reason().contains("one catch-up run for 12 missed"));
    assertThat(jobs.stream().map(JobRecord::scheduledAt)).doesNotHaveDuplicates();
    // and the schedule carries on from the next tick after now
    assertThat(store.getSchedule(r.id()).await().nextFireAt()).isGreaterThan(clock.millis());
  }

  @Test
  void jittered_schedules_fire_each_at_its_own_moment_even_when_more_are_due_than_one_batch_holds() {
    int n = 240;
    List<ScheduleRecord> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(create("j" + i, "* * * * *", "UTC", new JsonObject().put("jitter_seconds", 30)));
    }
    long tick = all.get(0).nextFireAt();
    CronScheduler s = new CronScheduler(vertx.getOrCreateContext(), store, () -> { }, clock,
        new CronConfig(true, 1000, 50, 5, 50), 3600);
    List<dev.flightdeck.store.ScheduleStore.NewScheduledJob> fired = new ArrayList<>();
    s.onFired(o -> fired.addAll(o.inserted()));
    clock.advance(tick - clock.millis()).await();
    for (int second = 0; second <= 30; second++) {
      s.fire().await();
      long now = clock.millis();
      long expected = all.stream().filter(r -> tick + TickPlanning.jitterMs(r.id(), tick, 30) <= now).count();
      assertThat(fired).as("jobs stored by %d s after the tick", second).hasSize((int) expected);
      clock.advance(1000).await();
    }
    assertThat(fired).hasSize(n);
    for (var j : fired) {
      assertThat(j.scheduledAt()).isEqualTo(tick);
      assertThat(j.job().createdAt()).as("never before its jittered moment")
          .isBetween(j.dueAt(), j.dueAt() + 1000);
    }
    long spread = fired.stream().mapToLong(j -> j.dueAt() - tick).max().orElse(0);
    assertThat(spread).as("the jitter spreads the schedules").isGreaterThan(20_000);
  }

  @Test
  void two_schedulers_firing_the_same_tick_store_one_job() {
    ScheduleRecord r = create("dup", "* * * * *", "UTC", new JsonObject());
    CronScheduler a = scheduler();
    CronScheduler b = scheduler();
    clock.advance(r.nextFireAt() - clock.millis() + 10).await();
    io.vertx.core.Future.all(a.fire(), b.fire(), a.fire()).await();
    assertThat(jobsOf(r.id())).hasSize(1);
  }

  @Test
  void history_keeps_only_the_newest_succeeded_and_failed_runs() {
    ScheduleRecord r = create("hist", "* * * * *", "UTC", new JsonObject()
        .put("history", new JsonObject().put("succeeded", 2).put("failed", 1)));
    CronScheduler s = scheduler();
    for (int i = 0; i < 6; i++) {
      fireNext(s, r.id(), 10);
      JobRecord j = store.claim("worker", 1, clock.millis(), 0).await().get(0);
      store.finish(j.id(), "worker", i % 3 == 0 ? "failed" : "succeeded", null, null, JobRecord.Progress.NONE,
          clock.millis()).await();
    }
    fireNext(s, r.id(), 10); // pruning happens when a tick fires
    List<JobRecord> jobs = jobsOf(r.id());
    assertThat(jobs.stream().filter(j -> j.state().equals("succeeded"))).hasSize(2);
    assertThat(jobs.stream().filter(j -> j.state().equals("failed"))).hasSize(1);
    assertThat(jobs.stream().filter(j -> j.state().equals("queued"))).hasSize(1);
  }

  @Test
  void a_paused_schedule_does_not_fire_and_resumes_from_the_next_tick() {
    ScheduleRecord r = create("p", "* * * * *", "UTC", new JsonObject());
    CronScheduler s = scheduler();
    service.pause(r.id()).await();
    clock.advance(10 * 60_000).await();
    s.fire().await();
    assertThat(jobsOf(r.id())).isEmpty();
    ScheduleRecord resumed = service.resume(store.getSchedule(r.id()).await()).await();
    assertThat(resumed.nextFireAt()).isGreaterThan(clock.millis()).isLessThanOrEqualTo(clock.millis() + 60_000);
    fireNext(s, r.id(), 5);
    assertThat(jobsOf(r.id())).hasSize(1);
    assertThat(store.scheduleSkips(r.id(), 10).await()).as("ticks in a pause are not recorded").isEmpty();
  }

  @Test
  void a_trigger_runs_the_job_now_outside_the_ticks() {
    ScheduleRecord r = create("t", "0 0 1 1 *", "UTC", new JsonObject());
    JobRecord j = service.trigger(r, "ops").await();
    assertThat(j.firedAs()).isEqualTo("manual");
    assertThat(j.scheduledAt()).isNull();
    assertThat(j.submittedBy()).isEqualTo("ops");
    assertThat(service.trigger(r, "ops").await().id()).isNotEqualTo(j.id());
    Set<String> ids = new TreeSet<>();
    store.list(new JobFilter(List.of("*"), null, null, null, null, null), null, 10).await().items()
        .forEach(x -> ids.add(x.id()));
    assertThat(ids).hasSize(2);
  }
}
