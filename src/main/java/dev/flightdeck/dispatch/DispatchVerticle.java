package dev.flightdeck.dispatch;

import dev.flightdeck.fleet.FleetCache;
import dev.flightdeck.fleet.FleetConfig;
import dev.flightdeck.fly.FlyClient;
import dev.flightdeck.time.TimeSource;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * The engine's event loop: the fleet cache and the dispatcher live on this verticle's context, so
 * neither needs a lock. Other verticles call them through their Future-returning methods.
 */
public final class DispatchVerticle extends VerticleBase {

  private final FlyClient fly;
  private final TimeSource time;
  private final FleetConfig fleetConfig;
  private final DispatchConfig dispatchConfig;
  private final String instanceId;
  private final long seed;
  private FleetCache fleet;
  private Dispatcher dispatcher;

  public DispatchVerticle(FlyClient fly, TimeSource time, FleetConfig fleetConfig, DispatchConfig dispatchConfig,
      String instanceId, long seed) {
    this.fly = fly;
    this.time = time;
    this.fleetConfig = fleetConfig;
    this.dispatchConfig = dispatchConfig;
    this.instanceId = instanceId;
    this.seed = seed;
  }

  @Override
  public Future<?> start() {
    fleet = new FleetCache(context, fly, time, fleetConfig, seed);
    dispatcher = new Dispatcher(context, fly, fleet, time, dispatchConfig, instanceId, seed ^ 0x9E3779B97F4A7C15L);
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    fleet.close();
    return Future.succeededFuture();
  }

  public FleetCache fleet() {
    return fleet;
  }

  public Dispatcher dispatcher() {
    return dispatcher;
  }
}
