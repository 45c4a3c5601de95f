package dev.flightdeck;

import dev.flightdeck.config.ConfigException;
import dev.flightdeck.config.ConfigLoader;
import dev.flightdeck.config.FlightdeckConfig;
import dev.flightdeck.sim.ExchangeListener;
import dev.flightdeck.sim.Simulator;
import dev.flightdeck.time.VertxTimeSource;
import io.vertx.core.Vertx;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point. {@code serve} (the default) runs Flightdeck; {@code sim} runs the Machines API
 * simulator alone. Settings come from conf/flightdeck.json, the environment and {@code --flags}.
 */
public final class Main {

  static {
    // JSON lines when the output is collected (a service, a container), text on a terminal;
    // FLIGHTDECK_LOG_FORMAT=json|text decides otherwise. Must run before the first logger exists.
    String format = System.getenv("FLIGHTDECK_LOG_FORMAT");
    boolean json = format != null ? format.equalsIgnoreCase("json") : System.console() == null;
    if (json && System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "logback-json.xml");
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  static final String USAGE = """
      usage: java -jar flightdeck.jar [COMMAND] [--config FILE] [--section.key=value ...]

      commands:
        serve   run Flightdeck (default). Without FLY_API_TOKEN it drives an embedded
                Machines API simulator on 127.0.0.1:4280.
        sim     run the Machines API simulator alone (for benchmarks and other clients)
        jobs | schedules | policies | fleet …
                the command-line client of a running Flightdeck (jobs submit -f job.json --watch,
                jobs list, fleet ls demo, …); run one without arguments for its usage
        help    show this text

      settings: conf/flightdeck.json < environment (FLY_API_TOKEN, FLY_API_HOSTNAME,
      FLIGHTDECK_SECTION__KEY=value) < flags (--section.key=value). See README.md.
      """;

  /** Client commands, talking to a running Flightdeck (see {@link dev.flightdeck.cli.Cli}). */
  static final java.util.Set<String> CLI_COMMANDS = java.util.Set.of("jobs", "schedules", "policies", "fleet");

  private Main() {}

  public static void main(String[] args) {
    if (args.length > 0 && CLI_COMMANDS.contains(args[0])) {
      System.exit(dev.flightdeck.cli.Cli.run(Arrays.asList(args), System.getenv(), System.out, System.err,
          System.console() != null));
    }
    int code = run(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  static int run(String[] args) {
    ConfigLoader.Loaded loaded;
    try {
      loaded = ConfigLoader.load(Arrays.asList(args), System.getenv());
    } catch (ConfigException e) {
      System.err.println("flightdeck: invalid configuration: " + e.getMessage());
      return 2;
    }
    loaded.warnings().forEach(LOG::warn);
    List<String> rest = loaded.arguments();
    String command = rest.isEmpty() ? "serve" : rest.get(0);
    return switch (command) {
      case "serve" -> serve(loaded.config());
      case "sim" -> sim(loaded.config());
      case "help", "--help", "-h" -> {
        System.out.print(USAGE);
        yield 0;
      }
      default -> {
        System.err.println("flightdeck: unknown command '" + command + "'\n\n" + USAGE);
        yield 2;
      }
    };
  }

  private static int serve(FlightdeckConfig config) {
    // one registry for Vert.x's own meters (HTTP server and client, pools) and Flightdeck's
    io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry = dev.flightdeck.metrics.Metrics.newRegistry();
    Vertx vertx = Vertx.builder()
        .with(new io.vertx.core.VertxOptions().setMetricsOptions(new io.vertx.micrometer.MicrometerMetricsOptions()
            .setEnabled(true)
            // Machines API calls are measured by flightdeck_fly_requests_seconds (by operation); Vert.x's
            // own client meters repeated that at a cost on every call (meters looked up by tags each time)
            .addDisabledMetricsCategory(io.vertx.micrometer.MetricsDomain.HTTP_CLIENT)
            .setLabels(java.util.EnumSet.of(io.vertx.micrometer.Label.HTTP_METHOD, io.vertx.micrometer.Label.HTTP_CODE,
                io.vertx.micrometer.Label.HTTP_ROUTE, io.vertx.micrometer.Label.POOL_TYPE,
                io.vertx.micrometer.Label.POOL_NAME))))
        .withMetrics(new io.vertx.micrometer.MicrometerMetricsFactory(registry))
        .build();
    // SIGTERM (Fly, systemd, Kubernetes) and SIGINT: drain, hand unfinished jobs back, exit 0. The
    // handlers go in before anything starts: a signal during startup is honoured once the server is
    // up (the JVM's default would exit 143 with nothing drained). New work is refused on the
    // signal's own thread, before anything else: a request that arrives after the signal must never
    // be accepted by an instance that is going away.
    Object lock = new Object();
    FlightdeckServer[] up = {null};
    boolean[] signalled = {false};
    java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean();
    for (String name : new String[] {"TERM", "INT"}) {
      sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
        FlightdeckServer s;
        synchronized (lock) {
          signalled[0] = true;
          s = up[0];
        }
        if (s != null) {
          stopAndExit(s, vertx, config, down);
        }
      });
    }
    try {
      FlightdeckServer server = FlightdeckServer.start(vertx, config, new VertxTimeSource(vertx),
          dev.flightdeck.sim.ExchangeListener.NONE, registry).await();
      boolean stopNow;
      synchronized (lock) {
        up[0] = server;
        stopNow = signalled[0];
      }
      if (server.generatedToken() != null) {
        // printed once, on purpose outside the logs; it is also kept in the token file
        System.out.println("\nNo API token configured, so one was generated (kept in "
            + java.nio.file.Path.of(config.store().dataDir(), config.auth().tokenFile()) + "):\n\n    "
            + server.generatedToken().reveal() + "\n\nUse it as: Authorization: Bearer <token>\n");
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> graceful(server, vertx, config, down),
          "flightdeck-shutdown"));
      LOG.info("Flightdeck ready: job API on {}:{}, management on {}:{}", config.api().host(), server.apiPort(),
          config.management().host(), server.managementPort());
      if (stopNow) {
        LOG.info("a stop signal arrived while starting: stopping now");
        stopAndExit(server, vertx, config, down);
      }
      return 0;
    } catch (Exception e) {
      LOG.error("Flightdeck failed to start: {}", e.getMessage());
      vertx.close();
      return 1;
    }
  }

  private static void stopAndExit(FlightdeckServer server, Vertx vertx, FlightdeckConfig config,
      java.util.concurrent.atomic.AtomicBoolean down) {
    server.refuseNewWork();
    new Thread(() -> {
      graceful(server, vertx, config, down);
      System.exit(0);
    }, "flightdeck-stop").start();
  }

  /** Drains and closes, once; bounded, so a shutdown that cannot finish does not keep the process alive. */
  private static void graceful(FlightdeckServer server, Vertx vertx, FlightdeckConfig config,
      java.util.concurrent.atomic.AtomicBoolean down) {
    if (!down.compareAndSet(false, true)) {
      return;
    }
    long limitMs = config.jobs().shutdownGraceMs() + 20_000;
    try {
      server.shutdown().toCompletionStage().toCompletableFuture().get(limitMs, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("shutdown did not complete cleanly: {}", e.toString());
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("closing Vert.x: {}", e.toString());
    }
  }

  private static int sim(FlightdeckConfig config) {
    Vertx vertx = Vertx.vertx();
    try {
      Simulator sim = Simulator.start(vertx, config.sim(), new VertxTimeSource(vertx), ExchangeListener.NONE).await();
      LOG.info("Machines API simulator ready at {} (token from sim.token; admin endpoints under /sim)", sim.baseUrl());
      Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await(), "sim-shutdown"));
      return 0;
    } catch (Exception e) {
      LOG.error("simulator failed to start: {}", e.getMessage());
      vertx.close();
      return 1;
    }
  }
}
