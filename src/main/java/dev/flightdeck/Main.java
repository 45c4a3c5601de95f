package dev.flightdeck;

import dev.flightdeck.cli.Cli;
import dev.flightdeck.config.ConfigException;
import dev.flightdeck.config.ConfigLoader;
import dev.flightdeck.config.FlightdeckConfig;
import dev.flightdeck.sim.ExchangeListener;
import dev.flightdeck.sim.Simulator;
import dev.flightdeck.time.VertxTimeSource;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Entry point. {@code serve} (the default) runs Flightdeck; {@code sim} runs the Machines API
 * simulator alone; {@code jobs}, {@code schedules}, {@code policies} and {@code fleet} are the
 * client of a running Flightdeck. Settings come from conf/flightdeck.json, the environment and
 * {@code --flags}.
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

  private Main() {}

  public static void main(String[] args) {
    int code = run(args, System.getenv(), System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * Runs a command line: {@code serve} (also with no command) and {@code sim} start servers and
   * return 0 once they are up; the client commands run to their end. {@code --help} anywhere prints
   * that command's usage and starts nothing.
   */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    String[] effective = args.length == 0 || args[0].startsWith("--") && !isHelpOrVersion(args[0])
        ? prepend("serve", args) : args;
    CommandLine root = new CommandLine(new Root());
    root.addSubcommand(new CommandLine(new Serve(env)).setUnmatchedOptionsArePositionalParams(true));
    root.addSubcommand(new CommandLine(new Sim(env)).setUnmatchedOptionsArePositionalParams(true));
    Cli.clientCommands(env, out, err).forEach(root::addSubcommand);
    int code = Cli.execute(root, effective, env, out, err);
    if (effective.length > 0 && (effective[0].equals("help") || isHelpOrVersion(effective[0]))) {
      // help is where an operator looks first: say which variables of theirs are not settings
      try {
        ConfigLoader.load(List.of(), env).warnings().forEach(w -> err.println("warning: " + w));
      } catch (ConfigException e) {
        err.println("warning: " + e.getMessage());
      }
    }
    return code;
  }

  private static boolean isHelpOrVersion(String a) {
    return a.equals("--help") || a.equals("-h") || a.equals("--version") || a.equals("-V");
  }

  private static String[] prepend(String first, String[] rest) {
    String[] out = new String[rest.length + 1];
    out[0] = first;
    System.arraycopy(rest, 0, out, 1, rest.length);
    return out;
  }

  @Command(name = "flightdeck", mixinStandardHelpOptions = true, versionProvider = Version.class,
      subcommands = CommandLine.HelpCommand.class,
      description = {"A fleet scheduler for Fly Machines.", "",
          "Settings: conf/flightdeck.json < environment (FLY_API_TOKEN, FLY_API_HOSTNAME, "
              + "FLIGHTDECK_SECTION__KEY=value) < flags (--section.key=value). See README.md."})
  static final class Root implements Runnable {
    @Override
    public void run() {
      // picocli only gets here with no subcommand, which run() turns into "serve"
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"flightdeck " + (v == null ? "(development build)" : v)};
    }
  }

  @Command(name = "serve", mixinStandardHelpOptions = true, description = {"Run Flightdeck (the default command). "
      + "Without FLY_API_TOKEN it drives an embedded Machines API simulator on 127.0.0.1:4280."})
  static final class Serve extends Server {
    Serve(Map<String, String> env) {
      super("serve", env);
    }
  }

  @Command(name = "sim", mixinStandardHelpOptions = true,
      description = "Run the Machines API simulator alone (for benchmarks and other clients).")
  static final class Sim extends Server {
    Sim(Map<String, String> env) {
      super("sim", env);
    }
  }

  /** {@code serve} and {@code sim}: settings as {@code --section.key=value} flags, checked by the config loader. */
  abstract static class Server implements java.util.concurrent.Callable<Integer> {
    private final String name;
    private final Map<String, String> env;

    @Option(names = "--config", paramLabel = "FILE", description = "a settings file (default conf/flightdeck.json)")
    String config;

    @Parameters(paramLabel = "--section.key=value", description = "any setting, e.g. --api.port=9000 (README.md lists "
        + "them); an unknown one is an error")
    List<String> settings = new java.util.ArrayList<>();

    Server(String name, Map<String, String> env) {
      this.name = name;
      this.env = env;
    }

    @Override
    public Integer call() {
      List<String> args = new java.util.ArrayList<>();
      if (config != null) {
        args.add("--config");
        args.add(config);
      }
      args.addAll(settings);
      ConfigLoader.Loaded loaded;
      try {
        loaded = ConfigLoader.load(args, env);
      } catch (ConfigException e) {
        throw new dev.flightdeck.cli.CliFailure(2, "invalid configuration: " + e.getMessage());
      }
      if (!loaded.arguments().isEmpty()) {
        throw new dev.flightdeck.cli.CliFailure(2, "unexpected argument(s) for " + name + ": "
            + String.join(" ", loaded.arguments()));
      }
      loaded.warnings().forEach(LOG::warn);
      return name.equals("serve") ? serve(loaded.config()) : sim(loaded.config());
    }
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
