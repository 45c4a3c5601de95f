package dev.flightdeck.cron;

import dev.flightdeck.store.ScheduleStore;
import dev.flightdeck.time.Periodic;
import dev.flightdeck.time.TimeSource;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires due schedules: every {@code cron.poll_interval_ms} it asks the store to turn due ticks into
 * jobs (one transaction, schedules locked, one job per tick by unique index), then wakes the job
 * runner. Every instance runs one; whichever gets there first fires a tick, so a tick is late by at
 * most about one poll interval even when an instance is down.
 */
public final class CronScheduler {

  private static final Logger LOG = LoggerFactory.getLogger(CronScheduler.class);

  private final Context context;
  private final ScheduleStore store;
  private final Runnable jobsStored;
  private final TimeSource time;
  private final CronConfig config;
  private final TickPlanning planning;
  /** Firing due schedules and pruning the skip history. */
  private final java.util.List<Periodic> loops = new java.util.ArrayList<>();
  private boolean firing;
  private volatile boolean stopped;
  private Consumer<ScheduleStore.FireOutcome> onFired = o -> { };

  /** {@code jobsStored} is told when a pass stored jobs (the job runner's wake-up). */
  public CronScheduler(Context context, ScheduleStore store, Runnable jobsStored, TimeSource time, CronConfig config,
      long defaultJobTimeoutSeconds) {
    this.context = context;
    this.store = store;
    this.jobsStored = jobsStored;
    this.time = time;
    this.config = config;
    this.planning = new TickPlanning(config, defaultJobTimeoutSeconds);
  }

  /** Called after every pass that stored or skipped something (metrics). */
  public void onFired(Consumer<ScheduleStore.FireOutcome> listener) {
    this.onFired = listener;
  }

  public void start() {
    if (!config.enabled()) {
      LOG.info("cron scheduler disabled (cron.enabled=false)");
      return;
    }
    context.runOnContext(v -> {
      loops.add(Periodic.every(time, config.pollIntervalMs(), this::fire).start());
      loops.add(Periodic.every(time, 3_600_000, this::pruneSkips).start(60_000));
    });
  }

  public void stop() {
    stopped = true;
    context.runOnContext(v -> loops.forEach(Periodic::stop));
  }

  /** One pass: fire everything due now (in batches). Completes when done. */
  public Future<ScheduleStore.FireOutcome> fire() {
    Promise<ScheduleStore.FireOutcome> p = Promise.promise();
    context.runOnContext(v -> {
      if (firing || stopped) {
        p.complete(null);
        return;
      }
      firing = true;
      pass(p);
    });
    return p.future();
  }

  private void pass(Promise<ScheduleStore.FireOutcome> done) {
    store.fireDue(time.millis(), config.batch(), planning).onComplete(ar -> {
      if (ar.failed()) {
        firing = false;
        LOG.warn("firing schedules failed: {}", ar.cause().getMessage());
        done.tryFail(ar.cause());
        return;
      }
      ScheduleStore.FireOutcome o = ar.result();
      if (!o.inserted().isEmpty()) {
        jobsStored.run();
      }
      if (!o.inserted().isEmpty() || !o.skipped().isEmpty()) {
        onFired.accept(o);
      }
      if (o.schedules() >= config.batch() && !stopped) {
        pass(done); // more are due
      } else {
        firing = false;
        done.tryComplete(o);
      }
    });
  }

  private Future<?> pruneSkips() {
    return stopped ? null : store.pruneSkips(config.skipHistory());
  }

  TickPlanning planning() {
    return planning;
  }
}
