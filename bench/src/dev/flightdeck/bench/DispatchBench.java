package dev.flightdeck.bench;

import dev.flightdeck.config.ConfigLoader;
import dev.flightdeck.config.Secret;
import dev.flightdeck.dispatch.Action;
import dev.flightdeck.dispatch.DispatchConfig;
import dev.flightdeck.dispatch.Dispatcher;
import dev.flightdeck.dispatch.MachineOp;
import dev.flightdeck.dispatch.OpResult;
import dev.flightdeck.fleet.FleetCache;
import dev.flightdeck.fleet.FleetConfig;
import dev.flightdeck.fleet.Selector;
import dev.flightdeck.fly.CreateAppRequest;
import dev.flightdeck.fly.CreateMachineRequest;
import dev.flightdeck.fly.FlyClient;
import dev.flightdeck.fly.FlyConfig;
import dev.flightdeck.fly.ListMachinesQuery;
import dev.flightdeck.fly.Machine;
import dev.flightdeck.fly.MachineConfig;
import dev.flightdeck.fly.StopOptions;
import dev.flightdeck.sim.ExchangeListener;
import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.sim.Simulator;
import dev.flightdeck.time.VertxTimeSource;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The dispatcher benchmark: Flightdeck's dispatcher and a "flyctl-like" policy, side by side,
 * against the simulator with a stated latency model and the API's documented rate limits.
 * Run with {@code bench/run dispatch --help}.
 */
public final class DispatchBench {

  private static final String TOKEN = "bench-token";

  record Options(List<Integer> scenarios, int rounds, int warmup, int slowRounds, List<String> policies, int machines,
      int apps, int creates, long responseMs, long jitterMs, long startMs, long stopMs, long createMs, int inFlight,
      int perApp, int cacheMachines, String command) {}

  record Policy(String name, int inFlight, int perApp, JsonObject dispatch) {}

  record Row(int scenario, String name, String policy, int ops, double makespanS, double boundS, double callsPerOp,
      long http429, long retries, long p50Ms, long p99Ms, long peakHeapMb, long duplicates, long leasesLeft,
      long failed, int rounds) {}

  public static void main(String[] args) throws Exception {
    Options o = parse(args);
    if (o == null) {
      return;
    }
    Vertx vertx = Vertx.vertx();
    try {
      System.out.println("command: " + o.command());
      System.out.printf(Locale.ROOT, "latency model: every answer %d ms ± %d ms; start %d ms, stop %d ms, create %d ms "
          + "(machine transition times); rate limits as documented: 1 req/s burst 3 per action and machine "
          + "(per app for create), Get Machine 5/s burst 10%n", o.responseMs(), o.jitterMs(), o.startMs(), o.stopMs(),
          o.createMs());
      List<Policy> policies = policies(o);
      List<Row> rows = new ArrayList<>();
      for (int w = 0; w < o.warmup(); w++) {
        System.out.println("warm-up " + (w + 1) + "/" + o.warmup() + " (not reported)");
        for (Policy p : policies) {
          startStop(vertx, o, p, Math.max(100, o.machines() / 5), Math.max(1, o.apps() / 5));
        }
      }
      if (o.scenarios().contains(1) || o.scenarios().contains(2)) {
        for (Policy p : policies) {
          int n = p.name().equals("flightdeck") ? o.rounds() : o.slowRounds();
          List<Row[]> runs = new ArrayList<>();
          for (int r = 0; r < n; r++) {
            Row[] pair = startStop(vertx, o, p, o.machines(), o.apps());
            System.out.println("  " + fmt(pair[0]) + "\n  " + fmt(pair[1]));
            runs.add(pair);
          }
          if (o.scenarios().contains(1)) {
            rows.add(median(runs.stream().map(x -> x[0]).toList()));
          }
          if (o.scenarios().contains(2)) {
            rows.add(median(runs.stream().map(x -> x[1]).toList()));
          }
        }
      }
      for (int s : List.of(3, 4)) {
        if (!o.scenarios().contains(s)) {
          continue;
        }
        for (Policy p : policies) {
          int n = p.name().equals("flightdeck") ? Math.min(o.rounds(), o.slowRounds()) : o.slowRounds();
          List<Row> runs = new ArrayList<>();
          for (int r = 0; r < n; r++) {
            Row row = creates(vertx, o, p, s == 4);
            System.out.println("  " + fmt(row));
            runs.add(row);
          }
          rows.add(median(runs));
        }
      }
      JsonObject cache = o.cacheMachines() > 0 ? cacheMemory(vertx, o) : null;
      print(rows, cache, o);
      write(rows, cache, o);
    } finally {
      vertx.close().await();
    }
  }

  // ------------------------------------------------------------------ scenarios

  private static Row[] startStop(Vertx vertx, Options o, Policy p, int machines, int apps) {
    Env env = Env.start(vertx, o, p, false);
    try {
      int per = machines / apps;
      Map<String, List<Machine>> byApp = new LinkedHashMap<>();
      for (int a = 0; a < apps; a++) {
        String app = String.format("app-%03d", a);
        env.sim.seed(new SimConfig.SeedApp(app, per, List.of("ord", "ams"), List.of("app", "worker"),
            "registry.fly.io/" + app + ":1", "stopped")).await();
        byApp.put(app, env.fly.listMachines(app, ListMachinesQuery.ALL).await());
      }
      Row start = env.measure(1, "start " + machines + " stopped machines across " + apps + " apps", byApp, "start",
          (app, m, i) -> MachineOp.of("s" + i, "start-job", app, m.id(), new Action.Start(), true),
          LowerBound.opSeconds(o.responseMs(), o.startMs(), false), false);
      Row stop = env.measure(2, "stop them again", byApp, "stop",
          (app, m, i) -> MachineOp.of("t" + i, "stop-job", app, m.id(), new Action.Stop(StopOptions.DEFAULT), true),
          LowerBound.opSeconds(o.responseMs(), o.stopMs(), false), false);
      return new Row[] {start, stop};
    } finally {
      env.close();
    }
  }

  private static Row creates(Vertx vertx, Options o, Policy p, boolean faults) {
    Env env = Env.start(vertx, o, p, faults);
    try {
      env.fly.createApp(new CreateAppRequest("big", "personal", null)).await();
      Map<String, List<Machine>> slots = new LinkedHashMap<>();
      List<Machine> none = new ArrayList<>();
      for (int i = 0; i < o.creates(); i++) {
        none.add(null);
      }
      slots.put("big", none);
      if (faults) {
        env.sim.setFaults(new SimConfig.Faults(17, 0.10, 0.05, 0, 0, 0, 0, false, List.of(), 0)).await();
      }
      String name = "create " + o.creates() + " machines in one app" + (faults ? " (10% 5xx, 5% 429 injected)" : "");
      MachineConfig cfg = MachineConfig.ofImage("registry.fly.io/big:1").withMetadata("fly_process_group", "app");
      return env.measure(faults ? 4 : 3, name, slots, "create",
          (app, m, i) -> MachineOp.of("c" + i, "create-job", app, null,
              new Action.Create(CreateMachineRequest.of(cfg), Integer.toString(i)), true),
          LowerBound.opSeconds(o.responseMs(), o.createMs(), true), true);
    } finally {
      env.close();
    }
  }

  interface OpMaker {
    MachineOp make(String app, Machine m, int i);
  }

  /** One simulator plus one dispatcher with one policy. */
  private static final class Env {
    final Vertx vertx;
    final Options o;
    final Policy p;
    final Simulator sim;
    final FlyClient fly;
    final FleetCache fleet;
    final Dispatcher dispatcher;

    private Env(Vertx vertx, Options o, Policy p, Simulator sim, FlyClient fly, FleetCache fleet, Dispatcher d) {
      this.vertx = vertx;
      this.o = o;
      this.p = p;
      this.sim = sim;
      this.fly = fly;
      this.fleet = fleet;
      this.dispatcher = d;
    }

    static Env start(Vertx vertx, Options o, Policy p, boolean faults) {
      JsonObject simJson = ConfigLoader.defaults().getJsonObject("sim").copy();
      simJson.put("port", 0).put("token", TOKEN).put("seed_apps", new JsonArray());
      simJson.getJsonObject("latency").put("response_ms", o.responseMs()).put("response_jitter_ms", o.jitterMs())
          .put("start_ms", o.startMs()).put("stop_ms", o.stopMs()).put("create_ms", o.createMs());
      simJson.getJsonObject("rate_limits").put("enabled", true);
      SimConfig simConfig = ConfigLoader.bind(simJson, SimConfig.class, "sim");
      VertxTimeSource time = new VertxTimeSource(vertx);
      Simulator sim = Simulator.start(vertx, simConfig, time, ExchangeListener.NONE).await();
      FlyConfig flyConfig = new FlyConfig(sim.baseUrl(), Secret.of(TOKEN), 5000, 120_000, 512, "flightdeck-bench");
      FlyClient fly = new FlyClient(vertx, flyConfig);
      Context engine = vertx.getOrCreateContext();
      FleetConfig fc = ConfigLoader.bind(ConfigLoader.defaults().getJsonObject("fleet"), FleetConfig.class, "fleet");
      FleetCache fleet = new FleetCache(engine, fly, time, fc, 1);
      JsonObject d = ConfigLoader.defaults().getJsonObject("dispatch").copy();
      p.dispatch().forEach(e -> {
        if (e.getValue() instanceof JsonObject patch) {
          d.getJsonObject(e.getKey()).mergeIn(patch);
        } else {
          d.put(e.getKey(), e.getValue());
        }
      });
      DispatchConfig dc = ConfigLoader.bind(d, DispatchConfig.class, "dispatch");
      Dispatcher dispatcher = new Dispatcher(engine, fly, fleet, time, dc, "bench", 3);
      return new Env(vertx, o, p, sim, fly, fleet, dispatcher);
    }

    Row measure(int scenario, String name, Map<String, List<Machine>> byApp, String action, OpMaker maker,
        double tOp, boolean create) {
      JsonObject simBefore = sim.stats().await();
      long journalFrom = sim.journal().await().getLong("last_seq");
      long retriesBefore = dispatcher.stats().await().retries();
      List<MachineOp> ops = new ArrayList<>();
      Map<String, Integer> perApp = new HashMap<>();
      int i = 0;
      for (Map.Entry<String, List<Machine>> e : byApp.entrySet()) {
        for (Machine m : e.getValue()) {
          ops.add(maker.make(e.getKey(), m, i++));
        }
        perApp.put(e.getKey(), e.getValue().size());
      }
      HeapSampler heap = HeapSampler.start();
      long t0 = System.nanoTime();
      List<Future<OpResult>> futures = dispatcher.submitAll(ops).await();
      List<OpResult> results = Future.all(futures).await().list();
      double makespan = (System.nanoTime() - t0) / 1e9;
      long peak = heap.stop();

      JsonObject simAfter = sim.stats().await();
      long calls = simAfter.getLong("requests") - simBefore.getLong("requests");
      long c429 = count(simAfter, "429") - count(simBefore, "429");
      long retries = dispatcher.stats().await().retries() - retriesBefore;
      List<Long> runMs = new ArrayList<>();
      long failed = 0;
      Map<String, Integer> failedBy = new java.util.TreeMap<>();
      for (OpResult r : results) {
        runMs.add(r.runMs());
        if (!r.succeeded()) {
          failed++;
          failedBy.merge(r.errorCode() + " (" + r.error() + ")", 1, Integer::sum);
        }
      }
      if (!failedBy.isEmpty()) {
        System.out.println("  " + p.name() + ", " + name + ": failed operations " + failedBy);
      }
      long dups = duplicates(sim.journal(null, null, journalFrom).await().getJsonArray("entries"), action);
      long leasesLeft = sim.leases(null).await().getJsonArray("leases").size();
      DispatchConfig dc = dispatcher.config();
      double bound = LowerBound.seconds(perApp, dc.maxInFlight(), dc.maxInFlightPerApp(), tOp, create, 1.0, 3);
      return new Row(scenario, name, p.name(), ops.size(), makespan, bound, (double) calls / ops.size(), c429, retries,
          Percentiles.of(runMs, 50), Percentiles.of(runMs, 99), peak / (1024 * 1024), dups, leasesLeft, failed, 1);
    }

    void close() {
      fleet.close();
      fly.close();
      sim.stop().await();
    }
  }

  private static long count(JsonObject stats, String status) {
    Long v = stats.getJsonObject("responses_by_status").getLong(status);
    return v == null ? 0 : v;
  }

  /** Mutations of {@code action} beyond one per machine (or, for creates, per slot tag). */
  private static long duplicates(JsonArray entries, String action) {
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < entries.size(); i++) {
      JsonObject e = entries.getJsonObject(i);
      if (!action.equals(e.getString("action"))) {
        continue;
      }
      String key = "create".equals(action)
          ? e.getJsonObject("detail").getJsonObject("metadata").getString("flightdeck_op")
          : e.getString("machine_id");
      seen.merge(key, 1, Integer::sum);
    }
    return seen.values().stream().mapToLong(n -> n - 1).sum();
  }

  /** Samples used heap every 20 ms in a daemon thread; reports the peak. */
  private static final class HeapSampler {
    private final AtomicLong peak = new AtomicLong();
    private volatile boolean running = true;

    static HeapSampler start() {
      HeapSampler s = new HeapSampler();
      Thread t = new Thread(() -> {
        while (s.running) {
          s.peak.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "heap-sampler");
      t.setDaemon(true);
      t.start();
      return s;
    }

    long stop() {
      running = false;
      return peak.get();
    }
  }

  // ------------------------------------------------------------------ cache memory

  private static JsonObject cacheMemory(Vertx vertx, Options o) {
    int perApp = 100;
    int apps = o.cacheMachines() / perApp;
    Policy p = policies(o).get(0);
    Env env = Env.start(vertx, o, p, false);
    try {
      for (int a = 0; a < apps; a++) {
        env.sim.seed(new SimConfig.SeedApp(String.format("c-%04d", a), perApp, List.of("ord", "ams", "fra"),
            List.of("app", "worker"), "registry.fly.io/c:1", a % 2 == 0 ? "stopped" : "started")).await();
      }
      // the simulator's reads at this size: list one app, get one machine (limits off: this times the simulator)
      env.sim.setRateLimits(SimConfig.RateLimits.off()).await();
      List<Long> listMs = new ArrayList<>();
      List<Long> getMs = new ArrayList<>();
      String someId = env.fly.listMachines("c-0000", ListMachinesQuery.ALL).await().get(0).id();
      for (int i = 0; i < 300; i++) {
        long t = System.nanoTime();
        env.fly.listMachines(String.format("c-%04d", i % apps), ListMachinesQuery.ALL).await();
        listMs.add((System.nanoTime() - t) / 1000);
        t = System.nanoTime();
        env.fly.getMachine("c-0000", someId).await();
        getMs.add((System.nanoTime() - t) / 1000);
      }
      long before = usedAfterGc();
      for (int a = 0; a < apps; a++) {
        env.fleet.machines(String.format("c-%04d", a), Selector.ALL).await();
      }
      long after = usedAfterGc();
      int cached = apps * perApp;
      double perMachine = (double) (after - before) / cached;
      System.out.printf(Locale.ROOT, "fleet cache: %d machines cached in %d apps use %.0f bytes each (heap after GC "
          + "%.1f MB → %.1f MB)%n", cached, apps, perMachine, before / 1e6, after / 1e6);
      System.out.printf(Locale.ROOT, "simulator at %d machines (remaining latency model applies: %d ms): list of 100 "
          + "p50 %.2f ms p99 %.2f ms; get p50 %.2f ms p99 %.2f ms (%d samples after warm-up)%n", cached,
          o.responseMs(), Percentiles.of(listMs.subList(100, 300), 50) / 1000.0,
          Percentiles.of(listMs.subList(100, 300), 99) / 1000.0, Percentiles.of(getMs.subList(100, 300), 50) / 1000.0,
          Percentiles.of(getMs.subList(100, 300), 99) / 1000.0, 200);
      return new JsonObject().put("machines_cached", cached).put("bytes_per_machine", Math.round(perMachine))
          .put("heap_before_bytes", before).put("heap_after_bytes", after)
          .put("sim_list_100_p50_ms", Percentiles.of(listMs.subList(100, 300), 50) / 1000.0)
          .put("sim_list_100_p99_ms", Percentiles.of(listMs.subList(100, 300), 99) / 1000.0)
          .put("sim_get_p50_ms", Percentiles.of(getMs.subList(100, 300), 50) / 1000.0)
          .put("sim_get_p99_ms", Percentiles.of(getMs.subList(100, 300), 99) / 1000.0);
    } finally {
      env.close();
    }
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 4; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  // ------------------------------------------------------------------ policies, options, output

  private static List<Policy> policies(Options o) {
    List<Policy> out = new ArrayList<>();
    for (String name : o.policies()) {
      switch (name) {
        case "flightdeck" -> out.add(new Policy("flightdeck", o.inFlight(), o.perApp(), new JsonObject()
            .put("max_in_flight", o.inFlight()).put("max_in_flight_per_app", o.perApp())));
        case "flyctl" -> out.add(new Policy("flyctl-like", 8, 8, new JsonObject()
            .put("max_in_flight", 8).put("max_in_flight_per_app", 8)
            .put("rate_limits", new JsonObject().put("enabled", false))
            // retried until it gets through, so the row shows the cost rather than failures
            .put("op_timeout_ms", 3_600_000)
            .put("backoff", new JsonObject().put("kind", "fixed").put("base_ms", 500).put("cap_ms", 500)
                .put("max_attempts", 100_000))));
        default -> throw new IllegalArgumentException("unknown policy " + name);
      }
    }
    return out;
  }

  private static Row median(List<Row> runs) {
    List<Double> makespans = runs.stream().map(Row::makespanS).toList();
    double med = Percentiles.median(makespans);
    Row closest = runs.get(0);
    for (Row r : runs) {
      if (Math.abs(r.makespanS() - med) < Math.abs(closest.makespanS() - med)) {
        closest = r;
      }
    }
    return new Row(closest.scenario(), closest.name(), closest.policy(), closest.ops(), med, closest.boundS(),
        closest.callsPerOp(), closest.http429(), closest.retries(), closest.p50Ms(), closest.p99Ms(),
        runs.stream().mapToLong(Row::peakHeapMb).max().orElse(0), runs.stream().mapToLong(Row::duplicates).sum(),
        runs.stream().mapToLong(Row::leasesLeft).sum(), runs.stream().mapToLong(Row::failed).sum(), runs.size());
  }

  /** bound/measured, meaningless (shown as n/a) when operations failed. */
  private static String ratio(Row r) {
    return r.failed() > 0 ? "n/a" : String.format(Locale.ROOT, "%.3f", r.boundS() / r.makespanS());
  }

  private static String fmt(Row r) {
    return String.format(Locale.ROOT, "[%d] %-11s %-60s makespan %7.2f s  bound %7.2f s  ratio %s  calls/op %.2f  "
        + "429s %d  retries %d  p50 %d ms  p99 %d ms  heap %d MB  dup %d  leases %d  failed %d", r.scenario(),
        r.policy(), r.name(), r.makespanS(), r.boundS(), ratio(r), r.callsPerOp(), r.http429(),
        r.retries(), r.p50Ms(), r.p99Ms(), r.peakHeapMb(), r.duplicates(), r.leasesLeft(), r.failed());
  }

  private static void print(List<Row> rows, JsonObject cache, Options o) {
    System.out.println();
    System.out.println("| # | scenario | policy | rounds | makespan (median) | lower bound | bound/measured | calls/op "
        + "| 429s | retries | p50 / p99 op | peak heap | duplicates | leases left | failed |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (Row r : rows) {
      System.out.printf(Locale.ROOT, "| %d | %s | %s | %d | %.2f s | %.2f s | %s | %.2f | %d | %d | %d / %d ms | "
          + "%d MB | %d | %d | %d |%n", r.scenario(), r.name(), r.policy(), r.rounds(), r.makespanS(), r.boundS(),
          ratio(r), r.callsPerOp(), r.http429(), r.retries(), r.p50Ms(), r.p99Ms(), r.peakHeapMb(),
          r.duplicates(), r.leasesLeft(), r.failed());
    }
    if (cache != null) {
      System.out.printf(Locale.ROOT, "%nfleet cache: %d bytes per cached machine at %d machines%n",
          cache.getLong("bytes_per_machine"), cache.getInteger("machines_cached"));
    }
    System.out.println();
    System.out.println("reproduce: " + o.command());
  }

  private static void write(List<Row> rows, JsonObject cache, Options o) throws Exception {
    JsonArray arr = new JsonArray();
    for (Row r : rows) {
      arr.add(new JsonObject().put("scenario", r.scenario()).put("name", r.name()).put("policy", r.policy())
          .put("rounds", r.rounds()).put("ops", r.ops()).put("makespan_s", r.makespanS()).put("lower_bound_s", r.boundS())
          .put("bound_over_measured", r.boundS() / r.makespanS()).put("calls_per_op", r.callsPerOp())
          .put("http_429", r.http429()).put("retries", r.retries()).put("op_p50_ms", r.p50Ms())
          .put("op_p99_ms", r.p99Ms()).put("peak_heap_mb", r.peakHeapMb()).put("duplicates", r.duplicates())
          .put("leases_left", r.leasesLeft()).put("failed", r.failed()));
    }
    JsonObject out = new JsonObject().put("benchmark", "dispatch").put("at", Instant.now().toString())
        .put("command", o.command()).put("java", System.getProperty("java.version"))
        .put("cpus", Runtime.getRuntime().availableProcessors())
        .put("latency_model", new JsonObject().put("response_ms", o.responseMs()).put("jitter_ms", o.jitterMs())
            .put("start_ms", o.startMs()).put("stop_ms", o.stopMs()).put("create_ms", o.createMs()))
        .put("rows", arr).put("cache", cache);
    Path dir = Path.of("bench", "results");
    Files.createDirectories(dir);
    String stamp = Instant.now().toString().replace(":", "").replaceAll("\\..*", "");
    Files.writeString(dir.resolve("dispatch-" + stamp + ".json"), out.encodePrettily());
    Files.writeString(dir.resolve("dispatch-latest.json"), out.encodePrettily());
    System.out.println("wrote bench/results/dispatch-" + stamp + ".json");
  }

  private static Options parse(String[] args) {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String k = args[i];
      if (k.equals("--help") || k.equals("-h")) {
        System.out.println("""
            bench/run dispatch [--scenarios 1,2,3,4] [--rounds 3] [--slow-rounds 1] [--warmup 1]
                               [--policies flightdeck,flyctl] [--machines 10000] [--apps 100] [--creates 500]
                               [--response-ms 25] [--jitter-ms 10] [--start-ms 300] [--stop-ms 300] [--create-ms 400]
                               [--in-flight 64] [--per-app 32] [--cache-machines 100000]
              scenarios: 1 start N stopped machines across A apps; 2 stop them again;
                         3 create C machines in one app; 4 the same with 10% 5xx and 5% 429 injected.
              --rounds: measured rounds of Flightdeck's policy for 1-2 (median reported);
              --slow-rounds: rounds for the flyctl-like policy and for 3-4 (each takes minutes).""");
        return null;
      }
      if (!k.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("bad argument " + k + " (try --help)");
      }
      a.put(k.substring(2), args[++i]);
    }
    List<Integer> scenarios = new ArrayList<>();
    for (String s : a.getOrDefault("scenarios", "1,2,3,4").split(",")) {
      scenarios.add(Integer.parseInt(s.trim()));
    }
    StringBuilder cmd = new StringBuilder("bench/run dispatch");
    for (String s : args) {
      cmd.append(' ').append(s);
    }
    return new Options(scenarios, Integer.parseInt(a.getOrDefault("rounds", "3")),
        Integer.parseInt(a.getOrDefault("warmup", "1")), Integer.parseInt(a.getOrDefault("slow-rounds", "1")),
        List.of(a.getOrDefault("policies", "flightdeck,flyctl").split(",")),
        Integer.parseInt(a.getOrDefault("machines", "10000")), Integer.parseInt(a.getOrDefault("apps", "100")),
        Integer.parseInt(a.getOrDefault("creates", "500")), Long.parseLong(a.getOrDefault("response-ms", "25")),
        Long.parseLong(a.getOrDefault("jitter-ms", "10")), Long.parseLong(a.getOrDefault("start-ms", "300")),
        Long.parseLong(a.getOrDefault("stop-ms", "300")), Long.parseLong(a.getOrDefault("create-ms", "400")),
        Integer.parseInt(a.getOrDefault("in-flight", "64")), Integer.parseInt(a.getOrDefault("per-app", "32")),
        Integer.parseInt(a.getOrDefault("cache-machines", "100000")), cmd.toString());
  }
}
