package dev.flightdeck;

import dev.flightdeck.autoscale.AutoscaleConfig;
import dev.flightdeck.autoscale.Autoscaler;
import dev.flightdeck.cron.CronConfig;
import dev.flightdeck.cron.CronScheduler;
import dev.flightdeck.dispatch.DispatchConfig;
import dev.flightdeck.dispatch.Dispatcher;
import dev.flightdeck.fleet.FleetCache;
import dev.flightdeck.fleet.FleetConfig;
import dev.flightdeck.fly.FlyClient;
import dev.flightdeck.jobs.JobEvents;
import dev.flightdeck.jobs.JobRunner;
import dev.flightdeck.jobs.JobsConfig;
import dev.flightdeck.store.JobStore;
import dev.flightdeck.time.TimeSource;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * The engine's event loop: the fleet cache, the dispatcher and the job runner share this
 * verticle's context, so none of them needs a lock. Other verticles reach them through their
 * Future-returning methods, which hop onto this context.
 */
public final class EngineVerticle extends VerticleBase {

  private final FlyClient fly;
  private final JobStore store;
  private final TimeSource time;
  private final FleetConfig fleetConfig;
  private final DispatchConfig dispatchConfig;
  private final JobsConfig jobsConfig;
  private final String instanceId;
  private final JobEvents events;
  private final CronConfig cronConfig;
  private final AutoscaleConfig autoscaleConfig;
  private Autoscaler autoscaler;
  private FleetCache fleet;
  private CronScheduler cron;
  private Dispatcher dispatcher;
  private JobRunner runner;

  public EngineVerticle(FlyClient fly, JobStore store, TimeSource time, FleetConfig fleetConfig,
      DispatchConfig dispatchConfig, JobsConfig jobsConfig, CronConfig cronConfig,
      AutoscaleConfig autoscaleConfig, String instanceId, JobEvents events) {
    this.fly = fly;
    this.store = store;
    this.time = time;
    this.fleetConfig = fleetConfig;
    this.dispatchConfig = dispatchConfig;
    this.jobsConfig = jobsConfig;
    this.instanceId = instanceId;
    this.events = events;
    this.cronConfig = cronConfig;
    this.autoscaleConfig = autoscaleConfig;
  }

  @Override
  public Future<?> start() {
    long seed = instanceId.hashCode();
    fleet = new FleetCache(context, fly, time, fleetConfig, seed);
    dispatcher = new Dispatcher(context, fly, fleet, time, dispatchConfig, instanceId, seed ^ 0x9E3779B97F4A7C15L);
    runner = new JobRunner(context, store, dispatcher, fleet, fly, time, jobsConfig, instanceId, events);
    runner.start();
    cron = new CronScheduler(context, store, runner::wake, time, cronConfig, jobsConfig.defaultTimeoutSeconds());
    cron.start();
    autoscaler = new Autoscaler(context, store, fleet, runner::wake, time, autoscaleConfig, jobsConfig.planMaxAgeMs(),
        jobsConfig.defaultTimeoutSeconds());
    autoscaler.start();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    cron.stop();
    autoscaler.stop();
    runner.stop();
    fleet.close();
    return Future.succeededFuture();
  }

  public FleetCache fleet() {
    return fleet;
  }

  public Dispatcher dispatcher() {
    return dispatcher;
  }

  public JobRunner runner() {
    return runner;
  }

  /** The engine's context (metrics snapshots run on it). */
  public io.vertx.core.Context engineContext() {
    return context;
  }

  public Autoscaler autoscaler() {
    return autoscaler;
  }

  public CronScheduler cron() {
    return cron;
  }
}
