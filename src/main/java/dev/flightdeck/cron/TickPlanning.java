package dev.flightdeck.cron;

import dev.flightdeck.jobs.JobIds;
import dev.flightdeck.store.JobRecord;
import dev.flightdeck.store.NewJob;
import dev.flightdeck.store.ScheduleRecord;
import dev.flightdeck.store.ScheduleStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a due schedule's ticks become — pure logic, no I/O, run inside the store's firing
 * transaction.
 *
 * <ul>
 *   <li>A tick is due at its time plus its jitter: a fixed offset in [0, jitter_seconds] derived
 *       from the schedule and the tick, so every instance and every restart agree on it.
 *   <li>A tick more than {@code starting_deadline_seconds} past due (0: no deadline) was missed;
 *       the misfire policy says what happens: {@code skip} records it, {@code run_once} runs one
 *       catch-up job for a run of missed ticks (at the latest of them), {@code run_all} runs each,
 *       at most {@code cron.max_catch_up} (the most recent ones).
 *   <li>The concurrency policy applies to every run: {@code allow}; {@code forbid} skips the tick
 *       while an earlier job of the schedule is queued or running; {@code replace} cancels it first.
 * </ul>
 */
final class TickPlanning implements ScheduleStore.TickPlanner {

  /** At most this many ticks are looked at per schedule and pass; the rest come at the next pass. */
  static final int MAX_TICKS = 10_000;

  private final CronConfig config;
  private final long defaultJobTimeoutSeconds;
  private final Map<String, Parsed> cache = new ConcurrentHashMap<>();

  private record Parsed(int version, ScheduleSpec spec) {}

  TickPlanning(CronConfig config, long defaultJobTimeoutSeconds) {
    this.config = config;
    this.defaultJobTimeoutSeconds = defaultJobTimeoutSeconds;
  }

  ScheduleSpec spec(ScheduleRecord s) {
    Parsed p = cache.get(s.id());
    if (p == null || p.version() != s.version()) {
      p = new Parsed(s.version(), ScheduleSpec.parse(s.spec(), defaultJobTimeoutSeconds));
      cache.put(s.id(), p);
    }
    return p.spec();
  }

  /** The fixed jitter (ms) of one tick of one schedule. */
  static long jitterMs(String scheduleId, long tick, int jitterSeconds) {
    if (jitterSeconds <= 0) {
      return 0;
    }
    long seed = scheduleId.hashCode() * 0x9E3779B97F4A7C15L ^ tick;
    return new SplittableRandom(seed).nextLong(jitterSeconds * 1000L + 1);
  }

  /** When a tick of a schedule is due (null for no tick). */
  static Long dueAt(String scheduleId, Long tick, ScheduleSpec spec) {
    return tick == null ? null : tick + jitterMs(scheduleId, tick, spec.jitterSeconds());
  }

  @Override
  public ScheduleStore.FirePlan plan(ScheduleRecord s, List<JobRecord> active, long now) {
    ScheduleSpec spec;
    try {
      spec = spec(s);
    } catch (RuntimeException e) {
      // a stored spec that no longer parses (say, a zone removed from the JVM): stop it, say why
      return new ScheduleStore.FirePlan(List.of(), List.of(new ScheduleStore.Skip(s.id(), s.nextFireAt(),
          "schedule no longer valid: " + e.getMessage(), now)), List.of(), null, null, 3, 1);
    }
    List<Long> due = new ArrayList<>();
    Long cursor = s.nextFireAt();
    while (cursor != null && cursor <= now && due.size() < MAX_TICKS) {
      due.add(cursor);
      cursor = spec.cron().next(Instant.ofEpochMilli(cursor), spec.zone()).map(Instant::toEpochMilli).orElse(null);
    }
    Builder b = new Builder(s, spec, active, now);
    List<Long> missed = new ArrayList<>();
    Long next = cursor;
    for (Long t : due) {
      long dueAt = t + jitterMs(s.id(), t, spec.jitterSeconds());
      if (dueAt > now) {
        next = t; // its jittered moment has not come yet
        break;
      }
      boolean late = spec.startingDeadlineSeconds() > 0 && now - dueAt > spec.startingDeadlineSeconds() * 1000;
      if (late) {
        missed.add(t);
        continue;
      }
      b.missed(missed);
      missed.clear();
      b.fire(t, dueAt, "tick");
    }
    b.missed(missed);
    return new ScheduleStore.FirePlan(b.jobs, b.skips, b.cancels, next, dueAt(s.id(), next, spec),
        spec.keepSucceeded(), spec.keepFailed());
  }

  private final class Builder {
    final ScheduleRecord s;
    final ScheduleSpec spec;
    final long now;
    final List<String> running = new ArrayList<>();
    final List<ScheduleStore.NewScheduledJob> jobs = new ArrayList<>();
    final List<ScheduleStore.Skip> skips = new ArrayList<>();
    final List<String> cancels = new ArrayList<>();

    Builder(ScheduleRecord s, ScheduleSpec spec, List<JobRecord> active, long now) {
      this.s = s;
      this.spec = spec;
      this.now = now;
      active.forEach(j -> running.add(j.id()));
    }

    void missed(List<Long> ticks) {
      if (ticks.isEmpty()) {
        return;
      }
      String late = "missed: more than " + spec.startingDeadlineSeconds() + " s past due";
      switch (spec.misfirePolicy()) {
        case "skip" -> ticks.forEach(t -> skip(t, late + " (misfire_policy skip)"));
        case "run_once" -> {
          long last = ticks.get(ticks.size() - 1);
          for (long t : ticks.subList(0, ticks.size() - 1)) {
            skip(t, late + "; covered by one catch-up run for " + ticks.size() + " missed tick(s)");
          }
          fire(last, now, "catch_up");
        }
        default -> {
          int from = Math.max(0, ticks.size() - config.maxCatchUp());
          for (long t : ticks.subList(0, from)) {
            skip(t, late + "; beyond the catch-up limit of " + config.maxCatchUp());
          }
          for (long t : ticks.subList(from, ticks.size())) {
            fire(t, now, "catch_up");
          }
        }
      }
    }

    void fire(long tick, long dueAt, String as) {
      if ("forbid".equals(spec.concurrencyPolicy()) && !running.isEmpty()) {
        skip(tick, "previous run still running (job " + running.get(running.size() - 1) + ")");
        return;
      }
      if ("replace".equals(spec.concurrencyPolicy()) && !running.isEmpty()) {
        cancels.addAll(running);
        running.clear();
      }
      NewJob job = dev.flightdeck.jobs.JobService.newJob(spec.app(), spec.jobSpec().kind(), spec.job(),
          spec.jobSpec().options().priority(), null, null, "schedule:" + spec.name(), now);
      String id = job.id();
      jobs.add(new ScheduleStore.NewScheduledJob(job, s.id(), tick, as, dueAt));
      running.add(id);
    }

    void skip(long tick, String reason) {
      skips.add(new ScheduleStore.Skip(s.id(), tick, reason, now));
    }
  }
}
