package dev.flightdeck.metrics;

import dev.flightdeck.autoscale.Autoscaler;
import dev.flightdeck.cron.CronScheduler;
import dev.flightdeck.dispatch.DispatchStats;
import dev.flightdeck.dispatch.Dispatcher;
import dev.flightdeck.fleet.FleetCache;
import dev.flightdeck.fly.FlyClient;
import dev.flightdeck.fly.FlyOperation;
import dev.flightdeck.jobs.JobRunner;
import dev.flightdeck.jobs.JobService;
import dev.flightdeck.store.JobRecord;
import dev.flightdeck.store.JobStore;
import dev.flightdeck.store.ScheduleRecord;
import dev.flightdeck.store.ScheduleStore;
import dev.flightdeck.time.Periodic;
import dev.flightdeck.time.TimeSource;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * Binds the engine's parts to the registry: listeners for what happens (requests, jobs, fires,
 * decisions) and, every {@code management.metrics_refresh_ms}, snapshots of what is (dispatcher
 * queues, jobs by state, fleet per app and state, next fires). The catalog is in the README.
 */
public final class EngineMetrics {

  private static final List<String> JOB_STATES = List.of("queued", "running", "succeeded", "failed", "cancelled");

  private final Metrics m;
  private final Context context;
  private final TimeSource time;
  private final long refreshMs;
  private final AtomicReference<DispatchStats.Snapshot> dispatch = new AtomicReference<>();
  private final Map<String, Long> jobCounts = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, Long> refreshErrorsSeen = new HashMap<>();
  private final Map<String, double[]> policyCounts = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile double loopLagSeconds;
  private Dispatcher dispatcher;
  private FleetCache fleet;
  private JobStore store;
  private Periodic loop;
  /** When the refresh timer was due (System.nanoTime), for the event-loop lag probe. */
  private long due;

  public EngineMetrics(Metrics metrics, Context context, TimeSource time, long refreshMs) {
    this.m = metrics;
    this.context = context;
    this.time = time;
    this.refreshMs = refreshMs;
  }

  public void bindFly(FlyClient fly) {
    // one timer per (operation, answer class), looked up by index: this runs for every API call
    int classes = 8;
    java.util.concurrent.atomic.AtomicReferenceArray<io.micrometer.core.instrument.Timer> timers =
        new java.util.concurrent.atomic.AtomicReferenceArray<>(FlyOperation.values().length * classes);
    fly.observe((op, status, nanos) -> {
      int c = statusClass(status);
      io.micrometer.core.instrument.Timer t = c < 0 ? null : timers.get(op.ordinal() * classes + c);
      if (t == null) {
        t = m.timer("flightdeck.fly.requests", "Machines API requests by operation and "
            + "answer (2xx, 4xx, 409, 429, 5xx, none: no answer)", "operation", op.operationId(), "status", status(status));
        if (c >= 0) {
          timers.set(op.ordinal() * classes + c, t);
        }
      }
      t.record(nanos, TimeUnit.NANOSECONDS);
    });
  }

  /** The index of {@link #status}'s answer class, or -1 for a status outside 100–599. */
  static int statusClass(int s) {
    if (s < 0) {
      return 0;
    }
    if (s == 409) {
      return 6;
    }
    if (s == 429) {
      return 7;
    }
    return s >= 100 && s < 600 ? s / 100 : -1;
  }

  static String status(int s) {
    if (s < 0) {
      return "none";
    }
    if (s == 409 || s == 429) {
      return Integer.toString(s);
    }
    return (s / 100) + "xx";
  }

  public void bindDispatcher(Dispatcher d) {
    this.dispatcher = d;
    ops("submitted", DispatchStats.Snapshot::submitted);
    ops("succeeded", DispatchStats.Snapshot::succeeded);
    ops("failed", DispatchStats.Snapshot::failed);
    ops("cancelled", DispatchStats.Snapshot::cancelled);
    dispatchCounter("flightdeck.dispatch.api_calls", "Machines API calls made by operations", s -> s.apiCalls());
    dispatchCounter("flightdeck.dispatch.retries", "retried API calls", s -> s.retries());
    dispatchCounter("flightdeck.dispatch.rate_limited", "429 answers", s -> s.rateLimited());
    dispatchCounter("flightdeck.dispatch.lease_conflicts", "409s from a lease someone else holds",
        s -> s.leaseConflicts());
    dispatchCounter("flightdeck.dispatch.ambiguous", "calls whose outcome was unknown and had to be checked",
        s -> s.ambiguous());
    dispatchCounter("flightdeck.dispatch.bucket_waits", "calls that waited for a client-side token bucket",
        s -> s.bucketWaits());
    dispatchCounter("flightdeck.dispatch.bucket_wait_seconds", "time spent waiting for token buckets",
        s -> s.bucketWaitMs() / 1000.0);
    dispatchCounter("flightdeck.dispatch.backoff_seconds", "time spent in retry backoff", s -> s.backoffMs() / 1000.0);
    dispatchCounter("flightdeck.dispatch.leases_acquired", "leases taken", s -> s.leasesAcquired());
    dispatchCounter("flightdeck.dispatch.leases_released", "leases released", s -> s.leasesReleased());
    dispatchGauge("flightdeck.dispatch.queued", "operations waiting for a slot", s -> s.queued());
    dispatchGauge("flightdeck.dispatch.in_flight", "operations running", s -> s.inFlight());
    dispatchGauge("flightdeck.dispatch.leases_held", "leases Flightdeck holds now", s -> s.leasesHeld());
  }

  private void ops(String outcome, ToDoubleFunction<DispatchStats.Snapshot> f) {
    FunctionCounter.builder("flightdeck.dispatch.ops", dispatch, r -> r.get() == null ? 0 : f.applyAsDouble(r.get()))
        .description("machine operations by outcome (submitted, then succeeded, failed or cancelled)")
        .tag("outcome", outcome).register(m.registry());
  }

  private void dispatchCounter(String name, String help, ToDoubleFunction<DispatchStats.Snapshot> f) {
    FunctionCounter.builder(name, dispatch, r -> r.get() == null ? 0 : f.applyAsDouble(r.get())).description(help)
        .register(m.registry());
  }

  private void dispatchGauge(String name, String help, ToDoubleFunction<DispatchStats.Snapshot> f) {
    Gauge.builder(name, dispatch, r -> r.get() == null ? 0 : f.applyAsDouble(r.get())).description(help)
        .register(m.registry());
  }

  public void bindJobs(JobRunner runner, JobService service, JobStore store) {
    this.store = store;
    if (service != null) {
      service.onSubmitted(j -> m.counter("flightdeck.jobs.submitted", "jobs accepted over the API", "kind", j.kind())
          .increment());
    }
    // every known label value at 0 from the start: rate() and alerts see a series before its first event
    for (String kind : dev.flightdeck.jobs.JobSpec.KINDS) {
      m.counter("flightdeck.jobs.submitted", "jobs accepted over the API", "kind", kind);
      for (String state : List.of("succeeded", "failed", "cancelled")) {
        m.counter("flightdeck.jobs.ended", "jobs ended, by kind and outcome", "kind", kind, "outcome", state);
      }
    }
    m.counter("flightdeck.jobs.takeovers", "jobs taken over from an instance that stopped heart-beating");
    runner.observe(new JobRunner.Observer() {
      @Override
      public void claimed(JobRecord job, long now, boolean takeover) {
        if (takeover) {
          m.counter("flightdeck.jobs.takeovers", "jobs taken over from an instance that stopped heart-beating")
              .increment();
        } else if (job.claims() <= 1) {
          m.timer("flightdeck.jobs.claim_latency", "submitted → claimed by a runner")
              .record(Math.max(0, now - job.createdAt()), TimeUnit.MILLISECONDS);
        }
      }

      @Override
      public void ended(String kind, String state, long runMs, long totalMs) {
        m.counter("flightdeck.jobs.ended", "jobs ended, by kind and outcome", "kind", kind, "outcome", state)
            .increment();
        m.longTimer("flightdeck.jobs.duration", "first start → end", "kind", kind, "outcome", state)
            .record(runMs, TimeUnit.MILLISECONDS);
      }
    });
    for (String state : JOB_STATES) {
      Gauge.builder("flightdeck.jobs.stored", jobCounts, c -> c.getOrDefault(state, 0L))
          .description("jobs in the store by state (queue depth: queued)").tag("state", state).register(m.registry());
    }
    Map<String, io.micrometer.core.instrument.Timer> okTimers = new java.util.concurrent.ConcurrentHashMap<>();
    Map<String, io.micrometer.core.instrument.Timer> errorTimers = new java.util.concurrent.ConcurrentHashMap<>();
    store.observe((kind, nanos, failed) -> (failed ? errorTimers : okTimers).computeIfAbsent(kind,
            k -> m.timer("flightdeck.store.operations", "store reads and writes (a write waits for its group commit)",
                "kind", k, "result", failed ? "error" : "ok"))
        .record(nanos, TimeUnit.NANOSECONDS));
  }

  public void bindCron(CronScheduler cron) {
    for (String firedAs : List.of("tick", "catch_up")) {
      m.counter("flightdeck.cron.fires", "jobs fired by schedules", "fired_as", firedAs);
    }
    for (String reason : List.of("concurrency_forbid", "misfire_run_once", "misfire_catch_up_limit", "misfire_skip",
        "invalid")) {
      m.counter("flightdeck.cron.skips", "ticks not run, by reason", "reason", reason);
    }
    cron.onFired(o -> {
      for (ScheduleStore.NewScheduledJob j : o.inserted()) {
        m.counter("flightdeck.cron.fires", "jobs fired by schedules", "fired_as", j.firedAs()).increment();
        m.longTimer("flightdeck.cron.fire_lag", "tick due (with jitter) → job stored")
            .record(Math.max(0, j.job().createdAt() - j.dueAt()), TimeUnit.MILLISECONDS);
      }
      for (ScheduleStore.Skip k : o.skipped()) {
        m.counter("flightdeck.cron.skips", "ticks not run, by reason", "reason", skipReason(k.reason())).increment();
      }
    });
  }

  static String skipReason(String reason) {
    if (reason.startsWith("previous run")) {
      return "concurrency_forbid";
    }
    if (reason.contains("covered by one catch-up")) {
      return "misfire_run_once";
    }
    if (reason.contains("catch-up limit")) {
      return "misfire_catch_up_limit";
    }
    if (reason.startsWith("missed")) {
      return "misfire_skip";
    }
    return "invalid";
  }

  public void bindAutoscaler(Autoscaler autoscaler, JobStore names) {
    autoscaler.onDecision(d -> {
      names.getPolicy(d.policyId()).onSuccess(p -> {
        String policy = p == null ? d.policyId() : p.app() + "/" + p.name();
        m.counter("flightdeck.autoscaler.decisions", "autoscaler decisions by policy and outcome", "policy", policy,
            "outcome", d.outcome()).increment();
        if (d.current() != null) {
          double[] cd = policyCounts.computeIfAbsent(policy, k -> new double[2]);
          cd[0] = d.current();
          cd[1] = d.desired() == null ? d.current() : d.desired();
          Gauge.builder("flightdeck.autoscaler.started", cd, a -> a[0]).description("started machines counted at the "
              + "policy's last decision").tag("policy", policy).register(m.registry());
          Gauge.builder("flightdeck.autoscaler.desired", cd, a -> a[1]).description("started machines the policy's last "
              + "decision wanted").tag("policy", policy).register(m.registry());
        }
      });
    });
  }

  public void bindFleet(FleetCache cache) {
    this.fleet = cache;
  }

  /** Starts the refresh timer and the event-loop lag probe (on the engine context). */
  public void start() {
    Gauge.builder("flightdeck.event_loop.lag", this, e -> e.loopLagSeconds).description("how late the engine event "
        + "loop ran its last metrics timer").baseUnit("seconds").register(m.registry());
    context.runOnContext(v -> {
      due = System.nanoTime() + refreshMs * 1_000_000;
      loop = Periodic.every(time, refreshMs, () -> {
        long now = System.nanoTime();
        loopLagSeconds = Math.max(0, now - due) / 1e9;
        return refresh().onComplete(ar -> due = System.nanoTime() + refreshMs * 1_000_000);
      }).start();
    });
  }

  public void stop() {
    context.runOnContext(v -> {
      if (loop != null) {
        loop.stop();
      }
    });
  }

  /** Takes every snapshot once; completes when done (tests call it directly). */
  public Future<Void> refresh() {
    List<Future<?>> all = new ArrayList<>();
    if (dispatcher != null) {
      all.add(dispatcher.stats().onSuccess(dispatch::set));
      all.add(dispatcher.inFlightByApp().onSuccess(byApp -> {
        Map<String, Double> rows = new HashMap<>();
        byApp.forEach((app, n) -> rows.merge(m.app(app), (double) n, Double::sum));
        List<Metrics.Row> out = new ArrayList<>();
        rows.forEach((app, n) -> out.add(new Metrics.Row(Tags.of("app", app), n)));
        m.setRows("flightdeck.dispatch.in_flight_by_app", "operations running per app", out);
      }));
    }
    if (store != null) {
      all.add(store.countByState().onSuccess(c -> {
        for (String s : JOB_STATES) {
          jobCounts.put(s, c.getOrDefault(s, 0L));
        }
      }));
      all.add(store.nextSchedules(20).onSuccess(this::nextFires));
    }
    if (fleet != null) {
      all.add(fleet.apps().onSuccess(this::fleetRows));
    }
    return Future.join(all).mapEmpty();
  }

  private void nextFires(List<ScheduleRecord> next) {
    List<Metrics.Row> rows = new ArrayList<>();
    for (ScheduleRecord s : next) {
      if (s.nextDueAt() != null) {
        rows.add(new Metrics.Row(Tags.of("app", m.app(s.app()), "schedule", s.name()), s.nextDueAt() / 1000.0));
      }
    }
    m.setRows("flightdeck.cron.next_fire_timestamp_seconds", "when each of the next 20 schedules to fire is due (unix s)", rows);
  }

  private void fleetRows(List<FleetCache.AppView> apps) {
    Map<Tags, Double> machines = new HashMap<>();
    Map<String, Double> age = new HashMap<>();
    for (FleetCache.AppView a : apps) {
      String app = m.app(a.app());
      a.byState().forEach((state, n) -> machines.merge(Tags.of("app", app, "state", state), (double) n, Double::sum));
      age.merge(app, a.ageMs() / 1000.0, Math::max);
      long seen = refreshErrorsSeen.getOrDefault(a.app(), 0L);
      if (a.refreshErrors() > seen) {
        m.counter("flightdeck.fleet.refresh_errors", "failed fleet list refreshes", "app", app)
            .increment(a.refreshErrors() - seen);
        refreshErrorsSeen.put(a.app(), a.refreshErrors());
      }
    }
    List<Metrics.Row> rows = new ArrayList<>();
    machines.forEach((t, n) -> rows.add(new Metrics.Row(t, n)));
    m.setRows("flightdeck.fleet.machines", "cached machines per app and state", rows);
    List<Metrics.Row> ages = new ArrayList<>();
    age.forEach((app, s) -> ages.add(new Metrics.Row(Tags.of("app", app), s)));
    m.setRows("flightdeck.fleet.cache_age_seconds", "age of each app's cached fleet data", ages);
  }
}
