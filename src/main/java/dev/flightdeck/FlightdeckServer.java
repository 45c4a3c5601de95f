package dev.flightdeck;

import dev.flightdeck.api.ApiVerticle;
import dev.flightdeck.api.Authenticator;
import dev.flightdeck.api.ManagementVerticle;
import dev.flightdeck.api.Readiness;
import dev.flightdeck.autoscale.AlertReceiver;
import dev.flightdeck.autoscale.Autoscaler;
import dev.flightdeck.autoscale.PolicyRoutes;
import dev.flightdeck.autoscale.WebhookAuth;
import dev.flightdeck.config.FlightdeckConfig;
import dev.flightdeck.config.Secret;
import dev.flightdeck.cron.CronScheduler;
import dev.flightdeck.cron.ScheduleRoutes;
import dev.flightdeck.cron.ScheduleService;
import dev.flightdeck.dispatch.Dispatcher;
import dev.flightdeck.fleet.FleetCache;
import dev.flightdeck.fleet.FleetRoutes;
import dev.flightdeck.fly.FlyClient;
import dev.flightdeck.fly.FlyConfig;
import dev.flightdeck.jobs.JobEvents;
import dev.flightdeck.jobs.JobRoutes;
import dev.flightdeck.jobs.JobRunner;
import dev.flightdeck.jobs.JobService;
import dev.flightdeck.metrics.EngineMetrics;
import dev.flightdeck.metrics.Metrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.flightdeck.sim.ExchangeListener;
import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.sim.Simulator;
import dev.flightdeck.store.JobStore;
import dev.flightdeck.store.PgJobStore;
import dev.flightdeck.store.SqliteJobStore;
import dev.flightdeck.store.StoreConfig;
import dev.flightdeck.time.TimeSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve}: the whole service wired together — the store, the engine (fleet cache,
 * dispatcher, job runner), the job API and the management listener. Without a Fly token it first
 * starts the embedded simulator and points the client at it.
 */
public final class FlightdeckServer {

  private static final Logger LOG = LoggerFactory.getLogger(FlightdeckServer.class);

  private final Vertx vertx;
  private final FlightdeckConfig config;
  private final Simulator simulator;
  private final FlyClient fly;
  private final JobStore store;
  private final EngineVerticle engine;
  private final JobService jobs;
  private final String instanceId;
  private final Secret generatedToken;
  private final List<String> deployments;
  private ApiVerticle api;
  private Readiness readiness;
  private Metrics metrics;
  private EngineMetrics engineMetrics;
  private ManagementVerticle management;
  private Future<Void> stopped;

  private FlightdeckServer(Vertx vertx, FlightdeckConfig config, Simulator simulator, FlyClient fly, JobStore store,
      EngineVerticle engine, JobService jobs, String instanceId, Secret generatedToken, List<String> deployments) {
    this.vertx = vertx;
    this.config = config;
    this.simulator = simulator;
    this.fly = fly;
    this.store = store;
    this.engine = engine;
    this.jobs = jobs;
    this.instanceId = instanceId;
    this.generatedToken = generatedToken;
    this.deployments = deployments;
  }

  public static Future<FlightdeckServer> start(Vertx vertx, FlightdeckConfig config, TimeSource time) {
    return start(vertx, config, time, ExchangeListener.NONE);
  }

  public static Future<FlightdeckServer> start(Vertx vertx, FlightdeckConfig config, TimeSource time,
      ExchangeListener simListener) {
    return start(vertx, config, time, simListener, Metrics.newRegistry());
  }

  /**
   * As {@link #start(Vertx, FlightdeckConfig, TimeSource)}; {@code simListener} sees the embedded
   * simulator's answers; {@code registry} is shared with Vert.x's own metrics when {@code main} runs.
   */
  public static Future<FlightdeckServer> start(Vertx vertx, FlightdeckConfig config, TimeSource time,
      ExchangeListener simListener, PrometheusMeterRegistry registry) {
    Metrics metrics = new Metrics(registry, config.management().metricsMaxApps());
    Future<Simulator> sim = config.useEmbeddedSimulator()
        ? Simulator.start(vertx, config.sim(), time, simListener)
        : Future.succeededFuture(null);
    return sim.compose(simulator -> {
      FlyConfig flyConfig = config.fly();
      if (simulator != null) {
        flyConfig = flyConfig.withEndpoint(simulator.baseUrl(), config.sim().token());
        LOG.info("No FLY_API_TOKEN set: using the embedded Machines API simulator at {} ({}). "
            + "Set FLY_API_TOKEN to drive the real API.", simulator.baseUrl(), describeSeeds(config.sim()));
        String defaultHost = dev.flightdeck.config.ConfigLoader.defaults().getJsonObject("fly").getString("api_hostname");
        if (!config.fly().apiHostname().equals(defaultHost)) {
          // most likely a deploy whose secret was never set (fly secrets set FLY_API_TOKEN=…)
          LOG.warn("fly.api_hostname is set to {} but there is no FLY_API_TOKEN: jobs act on SIMULATED machines, "
              + "not on {}. Set the token to drive the real API.", config.fly().apiHostname(),
              config.fly().apiHostname());
        }
      } else {
        LOG.info("Driving the Machines API at {}", flyConfig.endpoint());
      }
      // one connection for each wait the dispatcher may have running, besides the pool for every other call
      FlyClient fly = new FlyClient(vertx, flyConfig,
          Math.max(flyConfig.maxConnections(), config.dispatch().maxInFlight()));
      JobStore store = openStore(vertx, config.store());
      String instanceId = config.instance().resolve();
      return store.start()
          .compose(v -> vertx.executeBlocking(() -> Authenticator.load(config.auth(), Path.of(config.store().dataDir()))))
          .compose(auth -> vertx.executeBlocking(() -> WebhookAuth.load(config.autoscale().webhook(),
                  Path.of(config.store().dataDir())))
              .compose(hook -> wire(vertx, config, time, simulator, fly, store, instanceId, auth, hook, metrics)))
          .recover(err -> {
            fly.close();
            return store.close().transform(x -> simulator == null ? Future.<Void>succeededFuture() : simulator.stop())
                .transform(x -> Future.failedFuture(err));
          });
    });
  }

  private static JobStore openStore(Vertx vertx, StoreConfig cfg) {
    if (cfg.postgres()) {
      LOG.info("Job store: PostgreSQL {}{}", StoreConfig.redact(cfg.url()),
          cfg.schema().isEmpty() ? "" : " (schema " + cfg.schema() + ")");
      return new PgJobStore(vertx, cfg);
    }
    LOG.info("Job store: SQLite {}", cfg.sqliteFile().toAbsolutePath());
    return new SqliteJobStore(cfg.sqliteFile(), cfg.maxBatch());
  }

  private static Future<FlightdeckServer> wire(Vertx vertx, FlightdeckConfig config, TimeSource time,
      Simulator simulator, FlyClient fly, JobStore store, String instanceId, Authenticator auth, WebhookAuth hook,
      Metrics metrics) {
    JobEvents events = new JobEvents();
    EngineVerticle engine = new EngineVerticle(fly, store, time, config.fleet(), config.dispatch(), config.jobs(),
        config.cron(), config.autoscale(), instanceId, events);
    List<String> ids = new ArrayList<>();
    return vertx.deployVerticle(engine).compose(engineId -> {
      ids.add(engineId);
      JobService jobs = new JobService(store, engine.runner(), time, config.jobs());
      ScheduleService schedules = new ScheduleService(store, engine.runner(), time,
          config.jobs().defaultTimeoutSeconds());
      FlightdeckServer server = new FlightdeckServer(vertx, config, simulator, fly, store, engine, jobs, instanceId,
          auth.generatedToken(), ids);
      Readiness readiness = new Readiness(engine.engineContext(), store, fly, time, config.management().readyCheckMs());
      EngineMetrics em = new EngineMetrics(metrics, engine.engineContext(), time, config.management().metricsRefreshMs());
      em.bindFly(fly);
      em.bindDispatcher(engine.dispatcher());
      em.bindJobs(engine.runner(), jobs, store);
      em.bindCron(engine.cron());
      em.bindAutoscaler(engine.autoscaler(), store);
      em.bindFleet(engine.fleet());
      em.start();
      server.metrics = metrics;
      server.engineMetrics = em;
      server.readiness = readiness;
      server.management = new ManagementVerticle(config.management(), readiness::get, metrics::scrape);
      server.api = new ApiVerticle(config.api(), readiness::get, auth, List.of(
          api -> FleetRoutes.mount(api, engine.fleet(), time),
          api -> JobRoutes.mount(api, vertx, jobs, events),
          api -> ScheduleRoutes.mount(api, schedules),
          api -> PolicyRoutes.mount(api, store, time, config.jobs().defaultTimeoutSeconds()),
          api -> AlertReceiver.mount(api, hook, store, engine.autoscaler(), time)),
          java.util.Map.of(AlertReceiver.PATH, AlertReceiver.credentials(hook)));
      if (config.store().postgres() && config.auth().tokens().isEmpty()) {
        LOG.warn("auth.tokens is empty, so this instance accepts only the token in its own {}: other instances "
            + "sharing this PostgreSQL store refuse it. Give every instance the same auth.tokens (by hash, e.g. "
            + "FLIGHTDECK_AUTH__TOKENS='[{\"name\":\"ops\",\"role\":\"admin\",\"apps\":[\"*\"],"
            + "\"token_sha256\":\"…\"}]'); see README, 'Several instances'",
            Path.of(config.store().dataDir(), config.auth().tokenFile()));
      }
      if (hook.generatedToken() != null) {
        LOG.info("Generated the Alertmanager receiver's token into {} (autoscale.webhook.token_file); give it to "
            + "Alertmanager as http_config.authorization.credentials_file", Path.of(config.store().dataDir(),
            config.autoscale().webhook().tokenFile()).toAbsolutePath());
      }
      return readiness.start().compose(r -> vertx.deployVerticle(server.management))
          .compose(id -> {
            ids.add(id);
            return vertx.deployVerticle(server.api);
          })
          .compose(id -> {
            ids.add(id);
            return readiness.listening().map(id);
          })
          .map(id -> {
            LOG.info("Instance id {}", instanceId);
            if (config.jobs().maxRunning() == 0) {
              if (store.shared()) {
                LOG.info("jobs.max_running is 0: this instance stores jobs and runs none; the other instances on "
                    + "this database run them");
              } else {
                LOG.warn("jobs.max_running is 0: this instance stores jobs and runs none, and with SQLite no other "
                    + "instance will; they wait until one with jobs.max_running above 0 opens this data directory");
              }
            }
            return server;
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

  public FlightdeckConfig config() {
    return config;
  }

  public Dispatcher dispatcher() {
    return engine.dispatcher();
  }

  public FleetCache fleet() {
    return engine.fleet();
  }

  public JobRunner runner() {
    return engine.runner();
  }

  public JobService jobs() {
    return jobs;
  }

  public JobStore store() {
    return store;
  }

  public Autoscaler autoscaler() {
    return engine.autoscaler();
  }

  public CronScheduler cron() {
    return engine.cron();
  }

  public String instanceId() {
    return instanceId;
  }

  /** The API token generated at this start (none configured, none stored yet), else null. */
  public Secret generatedToken() {
    return generatedToken;
  }

  public Readiness readiness() {
    return readiness;
  }

  public Metrics metrics() {
    return metrics;
  }

  public EngineMetrics engineMetrics() {
    return engineMetrics;
  }

  /**
   * The first step of a shutdown, safe from any thread and at once: from its return on, every
   * request that would add or change work gets 503, {@code /ready} says not ready, and no job is
   * claimed, no schedule fired and no scaling decided here. Each is a volatile flag its verticle
   * reads on its own event loop, so nothing waits for a context to be free. Idempotent.
   */
  public void refuseNewWork() {
    api.drain();
    readiness.draining();
    engine.runner().stopClaiming();
    engine.cron().stop();
    engine.autoscaler().stop();
  }

  /** True once {@link #refuseNewWork()} ran. */
  public boolean refusingNewWork() {
    return api.draining();
  }

  /**
   * A graceful stop (SIGTERM): refuse new work (503) and report not ready; stop claiming, firing and
   * scaling; let running jobs finish for up to {@code jobs.shutdown_grace_ms}; hand the rest back
   * unfinished (their operations cancelled, leases released, claims given up so a restart or
   * another instance resumes them at once); then flush and close the store.
   */
  public Future<Void> shutdown() {
    refuseNewWork();
    long grace = config.jobs().shutdownGraceMs();
    LOG.info("Shutting down: taking no new work; running jobs get up to {} ms to finish", grace);
    long deadline = System.nanoTime() + grace * 1_000_000;
    return waitFor(() -> engine.runner().runningCount().map(n -> n == 0), deadline)
        .compose(v -> engine.runner().handBackAll())
        .compose(ids -> {
          if (ids.isEmpty()) {
            return Future.succeededFuture();
          }
          LOG.info("Handed {} unfinished job(s) back: {}", ids.size(), ids);
          // cancelled operations release their leases; give them a few seconds to do so
          return waitFor(() -> engine.dispatcher().stats().map(s -> s.inFlight() == 0 && s.leasesHeld() == 0),
              System.nanoTime() + 10_000_000_000L)
              .compose(v -> store.releaseClaims(instanceId, ids)).mapEmpty();
        })
        .recover(e -> {
          LOG.warn("shutdown: {}", e.getMessage());
          return Future.succeededFuture();
        })
        .compose(v -> stop())
        .onSuccess(v -> LOG.info("Shut down cleanly"));
  }

  /** Polls {@code done} every 50 ms (wall time: shutdown is real even under a test clock) until it holds or the deadline. */
  private Future<Void> waitFor(java.util.function.Supplier<Future<Boolean>> done, long deadlineNanos) {
    return done.get().recover(e -> Future.succeededFuture(false)).compose(ok -> {
      if (ok || System.nanoTime() >= deadlineNanos) {
        return Future.succeededFuture();
      }
      io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
      vertx.setTimer(50, t -> p.complete());
      return p.future().compose(x -> waitFor(done, deadlineNanos));
    });
  }

  /** Stops everything; a second call returns the first one's outcome (a signal and a shutdown hook may both call). */
  public synchronized Future<Void> stop() {
    if (stopped == null) {
      stopped = doStop();
    }
    return stopped;
  }

  private Future<Void> doStop() {
    if (engineMetrics != null) {
      engineMetrics.stop();
    }
    if (readiness != null) {
      readiness.stop();
    }
    Future<Void> f = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      f = f.compose(v -> vertx.undeploy(id));
    }
    return f.compose(v -> store.close()).compose(v -> {
      fly.close();
      return simulator == null ? Future.succeededFuture() : simulator.stop();
    });
  }
}
