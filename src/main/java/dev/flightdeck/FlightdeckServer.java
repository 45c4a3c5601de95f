package dev.flightdeck;

import dev.flightdeck.api.ApiVerticle;
import dev.flightdeck.api.ManagementVerticle;
import dev.flightdeck.config.FlightdeckConfig;
import dev.flightdeck.config.Secret;
import dev.flightdeck.dispatch.DispatchVerticle;
import dev.flightdeck.dispatch.Dispatcher;
import dev.flightdeck.fleet.FleetCache;
import dev.flightdeck.fleet.FleetRoutes;
import dev.flightdeck.fly.FlyClient;
import dev.flightdeck.fly.FlyConfig;
import dev.flightdeck.sim.ExchangeListener;
import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.sim.Simulator;
import dev.flightdeck.time.TimeSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve}: the whole service wired together. Without a Fly token it first starts the
 * embedded simulator and points the client at it.
 */
public final class FlightdeckServer {

  private static final Logger LOG = LoggerFactory.getLogger(FlightdeckServer.class);

  private final Vertx vertx;
  private final FlightdeckConfig config;
  private final Simulator simulator;
  private final FlyClient fly;
  private final ApiVerticle api;
  private final ManagementVerticle management;
  private final DispatchVerticle engine;
  private final List<String> deployments;

  private FlightdeckServer(Vertx vertx, FlightdeckConfig config, Simulator simulator, FlyClient fly, ApiVerticle api,
      ManagementVerticle management, DispatchVerticle engine, List<String> deployments) {
    this.vertx = vertx;
    this.config = config;
    this.simulator = simulator;
    this.fly = fly;
    this.api = api;
    this.management = management;
    this.engine = engine;
    this.deployments = deployments;
  }

  public static Future<FlightdeckServer> start(Vertx vertx, FlightdeckConfig config, TimeSource time) {
    return start(vertx, config, time, ExchangeListener.NONE);
  }

  /** As {@link #start(Vertx, FlightdeckConfig, TimeSource)}; {@code simListener} sees the embedded simulator's answers. */
  public static Future<FlightdeckServer> start(Vertx vertx, FlightdeckConfig config, TimeSource time,
      ExchangeListener simListener) {
    Future<Simulator> sim = config.useEmbeddedSimulator()
        ? Simulator.start(vertx, config.sim(), time, simListener)
        : Future.succeededFuture(null);
    return sim.compose(simulator -> {
      FlyConfig flyConfig = config.fly();
      if (simulator != null) {
        flyConfig = flyConfig.withEndpoint(simulator.baseUrl(), config.sim().token());
        LOG.info("No FLY_API_TOKEN set: using the embedded Machines API simulator at {} ({}). "
            + "Set FLY_API_TOKEN to drive the real API.", simulator.baseUrl(), describeSeeds(config.sim()));
      } else {
        LOG.info("Driving the Machines API at {}", flyConfig.endpoint());
      }
      FlyClient fly = new FlyClient(vertx, flyConfig);
      String instanceId = config.instance().resolve();
      JsonObject readyState = new JsonObject().put("ready", true);
      DispatchVerticle engine = new DispatchVerticle(fly, time, config.fleet(), config.dispatch(), instanceId,
          instanceId.hashCode());
      ManagementVerticle management = new ManagementVerticle(config.management(), () -> readyState);
      List<String> ids = new ArrayList<>();
      return vertx.deployVerticle(engine)
          .compose(id -> {
            ids.add(id);
            return vertx.deployVerticle(management);
          })
          .compose(id -> {
            ids.add(id);
            ApiVerticle api = new ApiVerticle(config.api(), () -> readyState,
                List.of(router -> FleetRoutes.mount(router, engine.fleet(), time)));
            return vertx.deployVerticle(api).map(apiId -> {
              ids.add(apiId);
              LOG.info("Instance id {}", instanceId);
              return new FlightdeckServer(vertx, config, simulator, fly, api, management, engine, ids);
            });
          })
          .recover(err -> {
            fly.close();
            Future<Void> stopSim = simulator == null ? Future.succeededFuture() : simulator.stop();
            return stopSim.transform(v -> Future.failedFuture(err));
          });
    });
  }

  private static String describeSeeds(SimConfig sim) {
    if (sim.seedApps().isEmpty()) {
      return "no apps seeded";
    }
    StringBuilder sb = new StringBuilder("seeded ");
    for (int i = 0; i < sim.seedApps().size(); i++) {
      SimConfig.SeedApp a = sim.seedApps().get(i);
      sb.append(i == 0 ? "" : ", ").append("app '").append(a.name()).append("' with ").append(a.machines())
          .append(' ').append(a.state()).append(" machines");
    }
    return sb.toString();
  }

  public int apiPort() {
    return api.port();
  }

  public int managementPort() {
    return management.port();
  }

  /** The embedded simulator, or null when driving the real API. */
  public Simulator simulator() {
    return simulator;
  }

  public FlyClient fly() {
    return fly;
  }

  public Dispatcher dispatcher() {
    return engine.dispatcher();
  }

  public FleetCache fleet() {
    return engine.fleet();
  }

  public FlightdeckConfig config() {
    return config;
  }

  public Future<Void> stop() {
    Future<Void> f = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      f = f.compose(v -> vertx.undeploy(id));
    }
    return f.compose(v -> {
      fly.close();
      return simulator == null ? Future.succeededFuture() : simulator.stop();
    });
  }

  /** For messages: a token is never shown, only whether one is set. */
  static String describe(Secret token) {
    return token.isEmpty() ? "no token" : "a token";
  }
}
