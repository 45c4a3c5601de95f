package dev.flightdeck.cron;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.store.JobRecord;
import dev.flightdeck.store.ScheduleRecord;
import dev.flightdeck.store.ScheduleStore;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Misfire and concurrency policies and jitter, as pure decisions. */
class TickPlanningTest {

  private static final long MIN = 60_000;
  private final TickPlanning planning = new TickPlanning(new CronConfig(true, 1000, 500, 3, 50), 3600);

  private static long t(String iso) {
    return Instant.parse(iso).toEpochMilli();
  }

  private static ScheduleRecord schedule(JsonObject extra, long next) {
    JsonObject spec = new JsonObject().put("name", "s").put("cron", "* * * * *")
        .put("job", new JsonObject().put("app", "web").put("kind", "start").put("target",
            new JsonObject().put("all", true)));
    extra.forEach(e -> spec.put(e.getKey(), e.getValue()));
    return new ScheduleRecord("sch_1", "web", "s", ScheduleSpec.parse(spec, 3600).toJson(), false, next, next, 1, 0, 0,
        "me");
  }

  private static JobRecord running(String id) {
    return new JobRecord(id, "web", "start", "running", new JsonObject(), 0, null, null, null, 0, 0, null, null, null,
        null, 1, false, true, JobRecord.Progress.NONE, null, null, "sch_1", 0L, "tick");
  }

  private static List<Long> ticks(ScheduleStore.FirePlan p) {
    return p.jobs().stream().map(ScheduleStore.NewScheduledJob::scheduledAt).toList();
  }

  @Test
  void an_on_time_tick_fires_once_and_the_next_tick_is_stored() {
    long tick = t("2026-05-01T10:00:00Z");
    ScheduleStore.FirePlan p = planning.plan(schedule(new JsonObject(), tick), List.of(), tick + 500);
    assertThat(ticks(p)).containsExactly(tick);
    assertThat(p.jobs().get(0).firedAs()).isEqualTo("tick");
    assertThat(p.jobs().get(0).job().submittedBy()).isEqualTo("schedule:s");
    assertThat(p.nextFireAt()).isEqualTo(tick + MIN);
    assertThat(p.skips()).isEmpty();
  }

  @Test
  void nothing_is_due_before_the_tick() {
    long tick = t("2026-05-01T10:00:00Z");
    ScheduleStore.FirePlan p = planning.plan(schedule(new JsonObject(), tick), List.of(), tick - 1);
    assertThat(p.jobs()).isEmpty();
    assertThat(p.nextFireAt()).isEqualTo(tick);
  }

  @Test
  void after_downtime_skip_records_every_missed_tick() {
    long first = t("2026-05-01T10:00:00Z");
    long now = first + 10 * MIN + 5_000; // ticks 10:00 … 10:10; 10:10 is within the 60 s deadline
    ScheduleStore.FirePlan p = planning.plan(schedule(new JsonObject().put("misfire_policy", "skip"), first),
        List.of(), now);
    assertThat(ticks(p)).containsExactly(first + 10 * MIN);
    assertThat(p.skips()).hasSize(10).allMatch(k -> k.reason().startsWith("missed"));
    assertThat(p.nextFireAt()).isEqualTo(first + 11 * MIN);
  }

  @Test
  void after_downtime_run_once_runs_one_catch_up_for_the_missed_ticks() {
    long first = t("2026-05-01T10:00:00Z");
    long now = first + 10 * MIN + 5_000;
    ScheduleStore.FirePlan p = planning.plan(schedule(new JsonObject().put("misfire_policy", "run_once"), first),
        List.of(), now);
    assertThat(p.jobs()).extracting(ScheduleStore.NewScheduledJob::firedAs).containsExactly("catch_up", "tick");
    assertThat(ticks(p)).containsExactly(first + 9 * MIN, first + 10 * MIN);
    assertThat(p.skips()).hasSize(9).allMatch(k -> k.reason().contains("one catch-up run for 10 missed"));
  }

  @Test
  void after_downtime_run_all_runs_missed_ticks_up_to_the_limit() {
    long first = t("2026-05-01T10:00:00Z");
    long now = first + 10 * MIN + 5_000;
    ScheduleStore.FirePlan p = planning.plan(schedule(new JsonObject().put("misfire_policy", "run_all"), first),
        List.of(), now);
    // max_catch_up 3: the three most recent missed ticks, then the on-time one
    assertThat(ticks(p)).containsExactly(first + 7 * MIN, first + 8 * MIN, first + 9 * MIN, first + 10 * MIN);
    assertThat(p.skips()).hasSize(7).allMatch(k -> k.reason().contains("beyond the catch-up limit of 3"));
  }

  @Test
  void without_a_deadline_nothing_counts_as_missed() {
    long first = t("2026-05-01T10:00:00Z");
    ScheduleStore.FirePlan p = planning.plan(schedule(new JsonObject().put("starting_deadline_seconds", 0)
        .put("misfire_policy", "skip"), first), List.of(), first + 3 * MIN);
    assertThat(ticks(p)).containsExactly(first, first + MIN, first + 2 * MIN, first + 3 * MIN);
  }

  @Test
  void forbid_skips_a_tick_while_the_previous_run_is_still_running() {
    long tick = t("2026-05-01T10:00:00Z");
    ScheduleStore.FirePlan p = planning.plan(schedule(new JsonObject().put("concurrency_policy", "forbid"), tick),
        List.of(running("job_old")), tick + 100);
    assertThat(p.jobs()).isEmpty();
    assertThat(p.skips()).singleElement().satisfies(k -> {
      assertThat(k.scheduledAt()).isEqualTo(tick);
      assertThat(k.reason()).isEqualTo("previous run still running (job job_old)");
    });
    assertThat(p.nextFireAt()).isEqualTo(tick + MIN);
  }

  @Test
  void replace_cancels_the_running_job_and_starts_a_new_one() {
    long tick = t("2026-05-01T10:00:00Z");
    ScheduleStore.FirePlan p = planning.plan(schedule(new JsonObject().put("concurrency_policy", "replace"), tick),
        List.of(running("job_old")), tick + 100);
    assertThat(p.cancelJobIds()).containsExactly("job_old");
    assertThat(ticks(p)).containsExactly(tick);
  }

  @Test
  void allow_starts_alongside_a_running_job() {
    long tick = t("2026-05-01T10:00:00Z");
    ScheduleStore.FirePlan p = planning.plan(schedule(new JsonObject(), tick), List.of(running("job_old")), tick + 1);
    assertThat(ticks(p)).containsExactly(tick);
    assertThat(p.cancelJobIds()).isEmpty();
  }

  @Test
  void jitter_delays_a_tick_by_a_fixed_amount_within_its_bound() {
    long tick = t("2026-05-01T10:00:00Z");
    long offset = TickPlanning.jitterMs("sch_1", tick, 30);
    assertThat(offset).isBetween(0L, 30_000L).isEqualTo(TickPlanning.jitterMs("sch_1", tick, 30));
    ScheduleRecord s = schedule(new JsonObject().put("jitter_seconds", 30), tick);
    ScheduleStore.FirePlan early = planning.plan(s, List.of(), tick + offset - 1);
    assertThat(early.jobs()).isEmpty();
    assertThat(early.nextFireAt()).isEqualTo(tick);
    assertThat(early.nextDueAt()).as("the store selects the schedule again at its jittered moment")
        .isEqualTo(tick + offset);
    ScheduleStore.FirePlan onTime = planning.plan(s, List.of(), tick + offset);
    assertThat(ticks(onTime)).containsExactly(tick);
    assertThat(onTime.jobs().get(0).dueAt()).isEqualTo(tick + offset);
    // spread over many schedules: every offset inside [0, 30 s], and they do spread out
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < 2000; i++) {
      long o = TickPlanning.jitterMs("sch_" + i, tick, 30);
      assertThat(o).isBetween(0L, 30_000L);
      min = Math.min(min, o);
      max = Math.max(max, o);
    }
    assertThat(min).isLessThan(1_000);
    assertThat(max).isGreaterThan(29_000);
  }
}
