package dev.flightdeck.bench;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * The job path end to end, every part in its own process as deployed: the Machines API simulator
 * ({@code flightdeck.jar sim}, zero transition latency, the documented rate limits), Flightdeck
 * ({@code flightdeck.jar serve}: one instance on SQLite, one on PostgreSQL, three on one PostgreSQL)
 * and, side by side, db-scheduler on the same PostgreSQL and simulator ({@link JobsPeer}). Clients
 * submit one-machine {@code restart} and {@code start} jobs over HTTP; a head-of-line scenario
 * checks that a backlog of slow create jobs in one app does not hold up the other apps. Run with
 * {@code bench/run jobs --help}; described in bench/README.md.
 */
public final class JobsBench {

  static final String TOKEN = "bench-admin";
  static final String SIM_TOKEN = "flightdeck-sim-token";
  static final List<String> STORES = List.of("sqlite", "postgres", "postgres3");
  static final List<String> SCENARIOS = List.of("restart", "start", "hol", "submit");
  static final String PEER = "db-scheduler";
  static final String DEFAULT_SERVER_JVM = "-Xms256m -Xmx1g -XX:+UseParallelGC";
  static final String DEFAULT_SIM_JVM = "-Xms512m -Xmx2g -XX:+UseParallelGC";
  static final List<String> LATENCY_KEYS = List.of("RESPONSE_MS", "RESPONSE_JITTER_MS", "CREATE_MS", "START_MS",
      "STOP_MS", "SUSPEND_MS", "RESTART_MS", "UPDATE_MS", "DESTROY_MS");

  record Options(List<String> stores, List<String> scenarios, boolean peer, int jobs, int apps, int clients,
      int rounds, int warmupRounds, int warmupJobs, int settleJobs, double settleJit, int warmupMaxJobs, int holCreates, int holCreateSize, int holJobs, int holApps,
      int peerThreads, int peerPollMs, double peerLower, double peerUpper, String pg, int timeoutS, int stallS,
      boolean keep, String command) {}

  /** One measured pass of one system over one scenario. Latencies in ms. */
  record Result(String scenario, String system, int jobs, int rejected, int failed, double e2ePerS, double submitPerS,
      double p50, double p99, double submitP50, double submitP99, double writesPerJob, double apiPerJob,
      double clientApiPerJob, long rateLimited, JsonObject apiByOperation, JsonObject cpuMsPerJob,
      double runAtSubmit) {}

  /**
   * CPU time used so far by each part of the run (the system under test, the simulator, PostgreSQL,
   * and this process, which submits), in nanoseconds: where each job's cost goes on a shared machine.
   */
  static Map<String, Long> cpu(String systemName, List<Child> system) {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put(systemName, system.stream().mapToLong(c -> cpuOf(c.process.toHandle())).sum());
    m.put("simulator", SIM_CPU.get() == null ? 0L : cpuOf(SIM_CPU.get().process.toHandle()));
    m.put("postgres", ProcessHandle.allProcesses().filter(h -> h.info().command().map(c -> c.contains("postgres"))
        .orElse(false)).mapToLong(JobsBench::cpuOf).sum());
    m.put("bench", cpuOf(ProcessHandle.current()));
    return m;
  }

  static final java.util.concurrent.atomic.AtomicReference<Child> SIM_CPU = new java.util.concurrent.atomic.AtomicReference<>();

  private static long cpuOf(ProcessHandle h) {
    return h.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
  }

  static JsonObject cpuPerJob(Map<String, Long> before, Map<String, Long> after, int jobs) {
    JsonObject o = new JsonObject();
    double total = 0;
    for (var e : after.entrySet()) {
      double ms = (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / 1e6 / Math.max(1, jobs);
      o.put(e.getKey(), ms);
      total += ms;
    }
    return o.put("total", total);
  }

  record Hol(String system, Result alone, Result backlog) {}

  /** Submits alone: a front door ({@code jobs.max_running=0}) that stores jobs and runs none. */
  record SubmitOnly(String system, int jobs, int rejected, double perS, double p50, double p99, double writesPerJob,
      JsonObject cpuMsPerJob, int warmJobs, double jitShare) {}

  record Fd(Child child, int api, int management) {}

  record Pool(List<String> apps, List<String[]> machines) {}

  private final Options o;
  private final Path jar;
  private final Path runDir;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final Vertx vertx = Vertx.vertx();
  private final WebClient web;
  private final List<String> seededApps = new ArrayList<>();
  private final Map<String, Integer> seededSize = new HashMap<>();
  private final Set<String> schemas = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final List<Warm> warms = new ArrayList<>();
  private final Map<String, List<SubmitOnly>> submitsAlone = new LinkedHashMap<>();
  private static volatile JobsBench INSTANCE;
  private Child sim;
  private int simPort;
  private JsonObject simLatency;
  private JsonObject simLimits;

  private JobsBench(Options o) throws IOException {
    this.o = o;
    this.jar = Path.of(System.getProperty("bench.jar", "target/bench/flightdeck.jar")).toAbsolutePath();
    this.runDir = Path.of("target", "bench", "jobs-run", stamp()).toAbsolutePath();
    Files.createDirectories(runDir);
    this.web = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setTcpNoDelay(true)
        .setConnectTimeout(5000), new PoolOptions().setHttp1MaxSize(o.clients()));
  }

  public static void main(String[] args) {
    Options o = parse(args);
    if (o == null) {
      return;
    }
    // interrupted or failed: no child outlives the bench, and no schema it made stays behind
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      Child.stopAll();
      if (INSTANCE != null) {
        for (String schema : new ArrayList<>(INSTANCE.schemas)) {
          INSTANCE.dropSchema(schema);
        }
      }
    }, "bench-cleanup"));
    for (String quiet : List.of("com.zaxxer.hikari", "com.github.kagkarlsson", "io.netty", "io.vertx")) {
      ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(quiet)).setLevel(ch.qos.logback.classic.Level.WARN);
    }
    int code = 0;
    try {
      INSTANCE = new JobsBench(o);
      INSTANCE.run();
    } catch (Throwable t) {
      System.err.println("\nbench failed: " + t);
      t.printStackTrace();
      code = 1;
    }
    Child.stopAll();
    System.exit(code);
  }

  // ------------------------------------------------------------------ the run

  private void run() throws Exception {
    System.out.println("command: " + o.command());
    System.out.println("jar: " + jar + "; server JVM: " + serverJvm() + "; simulator JVM: " + simJvm());
    List<String> overrides = passThrough();
    if (!overrides.isEmpty()) {
      System.out.println("settings passed through to every child: " + String.join(" ", overrides));
    }
    List<String> systems = new ArrayList<>(o.stores());
    boolean peerScenarios = o.scenarios().contains("restart") || o.scenarios().contains("start");
    if (o.peer() && peerScenarios) {
      systems.add(PEER);
    }
    if (systems.stream().anyMatch(s -> !s.equals("sqlite"))) {
      try (Connection c = pgConnect()) {
        System.out.println("PostgreSQL: " + c.getMetaData().getDatabaseProductVersion() + " at " + o.pg());
      }
    }
    startSim();
    System.out.printf(Locale.ROOT, "simulator: %s, latency %s, rate limits %s%n", "http://127.0.0.1:" + simPort,
        simLatency.encode(), simLimits.encode());
    System.out.printf(Locale.ROOT, "per round: %,d jobs per scenario over %d apps, %d clients; each system gets fresh "
        + "processes and a fresh store, warmed with %,d jobs, then passes of %,d until the JIT uses at most %.0f%% of the "
        + "CPU (at most %,d jobs in all); %d warm-up round(s) at a fifth of the size, then %d measured%n", o.jobs(),
        o.apps(), o.clients(), o.warmupJobs(), o.settleJobs(), 100 * o.settleJit(), o.warmupMaxJobs(), o.warmupRounds(),
        o.rounds());

    Map<String, List<Result>> results = new LinkedHashMap<>();
    Map<String, List<Hol>> hols = new LinkedHashMap<>();
    int total = o.warmupRounds() + o.rounds();
    for (int r = 0; r < total; r++) {
      boolean warm = r < o.warmupRounds();
      int round = r + 1;
      System.out.println();
      System.out.println(warm ? "round " + round + " (warm-up, not reported)" : "round " + round + " (measured)");
      for (String system : systems) {
        List<Result> rs = new ArrayList<>();
        List<Hol> hs = new ArrayList<>();
        if (system.equals(PEER)) {
          peerRound(round, warm, rs);
        } else {
          flightdeckRound(system, round, warm, rs, hs);
        }
        if (!warm) {
          for (Result x : rs) {
            results.computeIfAbsent(x.scenario() + "/" + x.system(), k -> new ArrayList<>()).add(x);
          }
          for (Hol h : hs) {
            hols.computeIfAbsent(h.system(), k -> new ArrayList<>()).add(h);
          }
        }
      }
    }
    sim.stop(10_000);
    if (!o.keep()) {
      deleteTree(runDir);
    }
    report(results, hols);
  }

  // ------------------------------------------------------------------ Flightdeck

  private void flightdeckRound(String store, int round, boolean warm, List<Result> out, List<Hol> hols)
      throws Exception {
    String tag = "j" + round + switch (store) {
      case "sqlite" -> "-sq";
      case "postgres" -> "-pg";
      default -> "-p3";
    };
    Path dir = runDir.resolve(round + "-" + store);
    Files.createDirectories(dir);
    String schema = null;
    List<Fd> fds = new ArrayList<>();
    boolean ok = false;
    int failures = 0;
    try {
      Map<String, String> set = new LinkedHashMap<>();
      if (store.equals("sqlite")) {
        set.put("FLIGHTDECK_STORE__URL", "");
        set.put("FLIGHTDECK_STORE__DATA_DIR", dir.resolve("data").toString());
      } else {
        schema = "bench_fd_" + Long.toHexString(System.nanoTime());
        schemas.add(schema);
        set.put("FLIGHTDECK_STORE__URL", o.pg());
        set.put("FLIGHTDECK_STORE__SCHEMA", schema);
        set.put("FLIGHTDECK_STORE__DATA_DIR", dir.resolve("data").toString());
      }
      int n = store.equals("postgres3") ? 3 : 1;
      if (!warm && o.scenarios().contains("submit")) {
        submitsAlone.computeIfAbsent(store, k -> new ArrayList<>()).add(submitOnly(store, tag, dir, n));
      }
      if (o.scenarios().stream().allMatch("submit"::equals)) {
        ok = true;
        return;
      }
      for (int i = 1; i <= n; i++) {
        fds.add(startFlightdeck(dir, tag + "-" + i, set)); // one after the other: the first runs the migrations
      }
      int scale = warm ? 5 : 1;
      warms.add(warmUp(store, round, tag, fds, null));
      cleanSim(); // the warm-up's machines would otherwise stay in the system's fleet cache, refreshed every 30 s
      for (String scenario : SCENARIOS) {
        if (!o.scenarios().contains(scenario)) {
          continue;
        }
        if (scenario.equals("submit")) {
          continue; // measured first, on instances of its own
        }
        if (scenario.equals("hol")) {
          if (!warm) {
            hols.add(hol(store, tag, fds));
          }
          continue;
        }
        Pool pool = seed(tag + "-" + scenario, o.apps(), ceilDiv(o.jobs() / scale, o.apps()),
            scenario.equals("restart") ? "started" : "stopped");
        Result r = flightdeckPass(scenario, store, fds, jobs(pool, scenario, o.jobs() / scale), List.of(), scenario);
        System.out.println("  " + line(r));
        out.add(r);
        failures += r.failed();
        cleanSim(); // each pass meets a fleet of its own machines only
      }
      // a failed job keeps the logs, like a failed pass
      ok = failures == 0;
    } finally {
      for (Fd fd : fds) {
        fd.child().stop(40_000);
      }
      if (schema != null) {
        dropSchema(schema);
      }
      cleanSim();
      if (ok && !o.keep()) {
        deleteTree(dir);
      } else if (!ok) {
        System.err.println("logs kept in " + dir);
      }
    }
  }

  private Fd startFlightdeck(Path dir, String name, Map<String, String> store) throws Exception {
    int api = freePort();
    int mgmt = freePort();
    Map<String, String> set = new LinkedHashMap<>(store);
    set.put("FLY_API_TOKEN", SIM_TOKEN);
    set.put("FLY_API_HOSTNAME", "http://127.0.0.1:" + simPort);
    set.put("FLIGHTDECK_API__HOST", "127.0.0.1");
    set.put("FLIGHTDECK_API__PORT", Integer.toString(api));
    set.put("FLIGHTDECK_MANAGEMENT__HOST", "127.0.0.1");
    set.put("FLIGHTDECK_MANAGEMENT__PORT", Integer.toString(mgmt));
    set.put("FLIGHTDECK_INSTANCE__ID", name);
    // every ended job is read back for its end time: the default retention (10,000 ended jobs, pruned first
    // a minute after start) deleted the warm-up's and part of a pass's jobs, which then counted as failed
    set.put("FLIGHTDECK_JOBS__RETENTION__MAX_ENDED_JOBS", "1000000000");
    set.put("FLIGHTDECK_AUTH__TOKENS", new JsonArray().add(new JsonObject().put("name", "bench").put("token", TOKEN)
        .put("role", "admin").put("apps", new JsonArray().add("*"))).encode());
    Map<String, String> defaults = new LinkedHashMap<>();
    defaults.put("FLIGHTDECK_JOBS__SHUTDOWN_GRACE_MS", "2000"); // the bench stops instances with jobs still queued
    defaults.put("FLIGHTDECK_LOG_FORMAT", "text");
    List<String> cmd = java(serverJvm());
    cmd.addAll(List.of("-jar", jar.toString(), "serve"));
    Child c = Child.start(name, dir, cmd, env(set, defaults));
    awaitUp(c, "http://127.0.0.1:" + mgmt + "/ready", 90);
    return new Fd(c, api, mgmt);
  }

  /** How one system was warmed up in one round. */
  record Warm(String system, int round, int jobs, int passes, double jitShare, double simJitShare, boolean settled) {}

  /**
   * Jobs that are not measured, so that a fresh JVM has compiled its hot paths before anything is
   * timed: {@code --warmup-jobs} first, then passes of {@code --settle-jobs} (restarts on the same
   * machines, and a fifth as many starts on fresh stopped ones, shuffled) until the JIT compiler
   * threads of the system and of the simulator used at most {@code --settle-jit} of their process's
   * CPU in the last pass, or {@code --warmup-max-jobs} have run. A fixed count was not enough: after
   * 30,000 jobs Flightdeck's compiler threads still took about a third of its CPU while the first
   * scenario was measured.
   */
  private Warm warmUp(String system, int round, String tag, List<Fd> fds, PeerSide peer) throws Exception {
    if (o.warmupJobs() <= 0) {
      return new Warm(system, round, 0, 0, Double.NaN, Double.NaN, false);
    }
    List<ProcessHandle> sys = peer != null ? List.of(peer.worker().process.toHandle())
        : fds.stream().map(f -> f.child().process.toHandle()).toList();
    List<ProcessHandle> sim = SIM_CPU.get() == null ? List.of() : List.of(SIM_CPU.get().process.toHandle());
    Pool pool = seed(tag + "-warm", 2, ceilDiv(o.warmupJobs(), 2), "started");
    List<String[]> jobs = jobs(pool, "restart", o.warmupJobs());
    JitMeter sys0 = JitMeter.read(sys);
    JitMeter sim0 = JitMeter.read(sim);
    Result r = peer != null ? peerPass("warm-up", peer, jobs) : settlePass(system, fds, jobs);
    double share = JitMeter.read(sys).maxShareSince(sys0);
    double simShare = JitMeter.read(sim).maxShareSince(sim0);
    int done = r.jobs();
    int passes = 1;
    printWarm(system, "warm-up", r, share, simShare);
    Pool again = null;
    while (o.settleJobs() > 0 && (share > o.settleJit() || simShare > o.settleJit()) && done < o.warmupMaxJobs()) {
      if (again == null) {
        again = seed(tag + "-settle", o.apps(), ceilDiv(o.settleJobs(), o.apps()), "started");
      }
      int starts = Math.max(1, o.settleJobs() / 5);
      Pool stopped = seed(tag + "-settle" + passes, o.apps(), ceilDiv(starts, o.apps()), "stopped");
      List<String[]> mixed = new ArrayList<>(jobs(again, "restart", o.settleJobs()));
      mixed.addAll(jobs(stopped, "start", starts));
      Collections.shuffle(mixed, new Random(passes));
      sys0 = JitMeter.read(sys);
      sim0 = JitMeter.read(sim);
      r = peer != null ? peerPass("settle", peer, mixed) : settlePass(system, fds, mixed);
      share = JitMeter.read(sys).maxShareSince(sys0);
      simShare = JitMeter.read(sim).maxShareSince(sim0);
      done += r.jobs();
      passes++;
      printWarm(system, "settle " + (passes - 1), r, share, simShare);
    }
    boolean settled = share <= o.settleJit() && simShare <= o.settleJit();
    if (!settled) {
      System.out.printf(Locale.ROOT, "  %-12s NOT settled after %,d warm-up jobs (JIT %.0f%%, simulator %.0f%%)%n",
          system, done, 100 * share, 100 * simShare);
    }
    return new Warm(system, round, done, passes, share, simShare, settled);
  }

  private static void printWarm(String system, String pass, Result r, double share, double simShare) {
    System.out.printf(Locale.ROOT, "  %-12s %-9s %,6d jobs: %6.0f jobs/s end to end; JIT %4.1f%% of its CPU, "
        + "simulator's %4.1f%%%s%n", system, pass, r.jobs(), r.e2ePerS(), 100 * share, 100 * simShare,
        r.failed() > 0 ? ", " + r.failed() + " failed" : "");
  }

  /**
   * A warm-up pass on Flightdeck: submitted like a measured pass, awaited on the jobs-ended counter
   * (every kind), without reading the jobs back.
   */
  private Result settlePass(String system, List<Fd> fds, List<String[]> jobs) throws Exception {
    List<JsonObject> bodies = new ArrayList<>();
    for (String[] j : jobs) {
      bodies.add(new JsonObject().put("app", j[1]).put("kind", j[0])
          .put("target", new JsonObject().put("machine_ids", new JsonArray().add(j[2]))));
    }
    double endedBefore = metric(scrapeAll(fds), "flightdeck_jobs_ended_total", null);
    double failedBefore = metric(scrapeAll(fds), "flightdeck_jobs_ended_total", "outcome=\"failed\"");
    long t0 = System.currentTimeMillis();
    Sub[] subs = submitHttp(fds, bodies);
    int accepted = (int) Arrays.stream(subs).filter(x -> x.id() != null).count();
    List<Child> children = fds.stream().map(Fd::child).toList();
    awaitCount(() -> metric(scrapeAll(fds), "flightdeck_jobs_ended_total", null) - endedBefore, accepted, children,
        "warm-up on " + system, o.stallS());
    double secs = Math.max(1, System.currentTimeMillis() - t0) / 1000.0;
    int failed = (int) (metric(scrapeAll(fds), "flightdeck_jobs_ended_total", "outcome=\"failed\"") - failedBefore);
    return new Result("warm-up", system, accepted, jobs.size() - accepted, failed, accepted / secs, Double.NaN,
        Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, new JsonObject(),
        new JsonObject(), 0);
  }

  /**
   * Submits {@code pre} (not measured), then {@code jobs} over HTTP by {@code clients} concurrent
   * clients round-robin over the instances, waits until every accepted job of {@code kind} ended,
   * and reads the end times from the job API.
   */
  private Result flightdeckPass(String scenario, String system, List<Fd> fds, List<String[]> jobs,
      List<JsonObject> pre, String kind) throws Exception {
    String metricsBefore = scrapeAll(fds);
    JsonObject simBefore = simGet("/sim/stats");
    double endedBefore = metric(metricsBefore, "flightdeck_jobs_ended_total", "kind=\"" + kind + "\"");
    if (!pre.isEmpty()) {
      Sub[] p = submitHttp(fds, pre);
      long rejected = Arrays.stream(p).filter(s -> s.id() == null).count();
      if (rejected > 0) {
        throw new IllegalStateException(rejected + " of the " + pre.size() + " backlog jobs were not accepted");
      }
    }
    List<JsonObject> bodies = new ArrayList<>();
    for (String[] j : jobs) {
      bodies.add(new JsonObject().put("app", j[1]).put("kind", j[0])
          .put("target", new JsonObject().put("machine_ids", new JsonArray().add(j[2]))));
    }
    List<Child> fdChildren = fds.stream().map(Fd::child).toList();
    Map<String, Long> cpuBefore = cpu("flightdeck", fdChildren);
    Sub[] subs = submitHttp(fds, bodies);
    int accepted = (int) Arrays.stream(subs).filter(s -> s.id() != null).count();
    // a backlog of creates may hold everything up for as long as the per-app create limit takes (1/s)
    int stall = o.stallS() + (pre.isEmpty() ? 0 : o.holCreates() * o.holCreateSize());
    awaitCount(() -> metric(scrapeAll(fds), "flightdeck_jobs_ended_total", "kind=\"" + kind + "\"") - endedBefore,
        accepted, fds.stream().map(Fd::child).toList(), scenario + " on " + system, stall);
    JsonObject cpuMs = cpuPerJob(cpuBefore, cpu("flightdeck", fdChildren), accepted);
    String metricsAfter = scrapeAll(fds);
    JsonObject simAfter = simGet("/sim/stats");
    Map<String, long[]> ends = new HashMap<>();
    int failedShown = 0;
    Set<String> apps = new LinkedHashSet<>();
    for (String[] j : jobs) {
      apps.add(j[1]);
    }
    for (String app : apps) {
      String cursor = null;
      do {
        JsonObject page = fdGet(fds.get(0), "/v1/jobs?app=" + app + "&limit=500" + (cursor == null ? ""
            : "&cursor=" + java.net.URLEncoder.encode(cursor, java.nio.charset.StandardCharsets.UTF_8)));
        for (Object x : page.getJsonArray("jobs")) {
          JsonObject job = (JsonObject) x;
          String fin = job.getString("finished_at");
          if (fin != null) {
            ends.put(job.getString("id"), new long[] {Instant.parse(fin).toEpochMilli(),
                "succeeded".equals(job.getString("state")) ? 1 : 0});
            if (!"succeeded".equals(job.getString("state")) && failedShown++ < 5) {
              // the job's own account, with its machine's: what to look for in the kept logs
              JsonObject whole = fdGet(fds.get(0), "/v1/jobs/" + job.getString("id"));
              System.err.println("  " + scenario + " on " + system + ": job " + job.getString("id") + " "
                  + job.getString("state") + ": " + job.getString("error") + "; machines " + whole.getValue("machines"));
            }
          }
        }
        cursor = page.getString("next_cursor");
      } while (cursor != null);
    }
    double writes = delta(metricsBefore, metricsAfter, "flightdeck_store_operations_seconds_count", "kind=\"write\"");
    double clientCalls = delta(metricsBefore, metricsAfter, "flightdeck_fly_requests_seconds_count", null);
    return result(scenario, system, subs, ends, writes, clientCalls, simBefore, simAfter, cpuMs);
  }

  /** {@code atSubmit}: the 201 said running (stored claimed by the instance it was sent to, no claim needed). */
  record Sub(String id, long t0, long t1, int status, boolean atSubmit) {}

  private Sub[] submitHttp(List<Fd> fds, List<JsonObject> bodies) throws InterruptedException {
    Sub[] out = new Sub[bodies.size()];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(o.clients());
    for (int c = 0; c < o.clients(); c++) {
      vertx.runOnContext(v -> submitLoop(fds, bodies, out, next, errors, done));
    }
    if (!done.await(o.timeoutS(), TimeUnit.SECONDS)) {
      throw new IllegalStateException("submitting took longer than " + o.timeoutS() + " s");
    }
    return out;
  }

  private void submitLoop(List<Fd> fds, List<JsonObject> bodies, Sub[] out, AtomicInteger next, AtomicInteger errors,
      CountDownLatch done) {
    int i = next.getAndIncrement();
    if (i >= bodies.size()) {
      done.countDown();
      return;
    }
    Fd fd = fds.get(i % fds.size());
    long t0 = System.currentTimeMillis();
    web.request(HttpMethod.POST, fd.api(), "127.0.0.1", "/v1/jobs").timeout(60_000)
        .putHeader("Authorization", "Bearer " + TOKEN).putHeader("content-type", "application/json")
        .sendBuffer(bodies.get(i).toBuffer()).onComplete(ar -> {
          long t1 = System.currentTimeMillis();
          if (ar.succeeded() && ar.result().statusCode() == 201) {
            JsonObject answer = ar.result().bodyAsJsonObject();
            out[i] = new Sub(answer.getString("id"), t0, t1, 201, "running".equals(answer.getString("state")));
          } else {
            int status = ar.succeeded() ? ar.result().statusCode() : -1;
            out[i] = new Sub(null, t0, t1, status, false);
            if (errors.incrementAndGet() <= 5) {
              System.err.println("  submit answered " + (ar.succeeded() ? status + ": " + ar.result().bodyAsString()
                  : ar.cause().toString()));
            }
          }
          submitLoop(fds, bodies, out, next, errors, done);
        });
  }

  /**
   * Durable submits with nothing else running: fresh instances on a fresh store that run no job
   * ({@code jobs.max_running=0}, a front door), warmed with submits until their JIT has settled as in
   * {@link #warmUp}, then {@code --jobs} submits by {@code --clients} clients. A 201 is a committed row.
   */
  private SubmitOnly submitOnly(String store, String tag, Path roundDir, int instances) throws Exception {
    Path dir = roundDir.resolve("submit");
    Files.createDirectories(dir);
    Map<String, String> set = new LinkedHashMap<>();
    set.put("FLIGHTDECK_STORE__DATA_DIR", dir.resolve("data").toString());
    String schema = null;
    if (store.equals("sqlite")) {
      set.put("FLIGHTDECK_STORE__URL", "");
    } else {
      schema = "bench_fd_" + Long.toHexString(System.nanoTime());
      schemas.add(schema);
      set.put("FLIGHTDECK_STORE__URL", o.pg());
      set.put("FLIGHTDECK_STORE__SCHEMA", schema);
    }
    set.put("FLIGHTDECK_JOBS__MAX_RUNNING", "0");
    List<Fd> fds = new ArrayList<>();
    try {
      for (int i = 1; i <= instances; i++) {
        fds.add(startFlightdeck(dir, tag + "-s" + i, set));
      }
      List<ProcessHandle> sys = fds.stream().map(f -> f.child().process.toHandle()).toList();
      Pool pool = seed(tag + "-submit", o.apps(), ceilDiv(o.jobs(), o.apps()), "started");
      List<JsonObject> bodies = new ArrayList<>();
      for (String[] j : jobs(pool, "restart", o.jobs())) {
        bodies.add(new JsonObject().put("app", j[1]).put("kind", j[0])
            .put("target", new JsonObject().put("machine_ids", new JsonArray().add(j[2]))));
      }
      int warmed = 0;
      double share = 1;
      while (warmed < Math.max(o.warmupJobs(), 1) || (o.settleJobs() > 0 && share > o.settleJit()
          && warmed < o.warmupMaxJobs())) {
        JitMeter j0 = JitMeter.read(sys);
        long t0 = System.currentTimeMillis();
        submitHttp(fds, bodies);
        share = JitMeter.read(sys).maxShareSince(j0);
        warmed += bodies.size();
        System.out.printf(Locale.ROOT, "  %-12s submit warm-up %,6d submits: %6.0f submits/s; JIT %4.1f%% of its CPU%n",
            store, bodies.size(), bodies.size() * 1000.0 / Math.max(1, System.currentTimeMillis() - t0), 100 * share);
      }
      String before = scrapeAll(fds);
      List<Child> children = fds.stream().map(Fd::child).toList();
      Map<String, Long> cpuBefore = cpu("flightdeck", children);
      Sub[] subs = submitHttp(fds, bodies);
      JsonObject cpuMs = cpuPerJob(cpuBefore, cpu("flightdeck", children), bodies.size());
      double writes = delta(before, scrapeAll(fds), "flightdeck_store_operations_seconds_count", "kind=\"write\"");
      long first = Long.MAX_VALUE;
      long last = 0;
      List<Long> lat = new ArrayList<>();
      for (Sub x : subs) {
        first = Math.min(first, x.t0());
        last = Math.max(last, x.t1());
        if (x.id() != null) {
          lat.add(x.t1() - x.t0());
        }
      }
      if (lat.isEmpty()) {
        throw new IllegalStateException("no submit was accepted by the front door on " + store);
      }
      SubmitOnly r = new SubmitOnly(store, lat.size(), subs.length - lat.size(),
          lat.size() / Math.max(0.001, (last - first) / 1000.0), Percentiles.of(lat, 50), Percentiles.of(lat, 99),
          writes / lat.size(), cpuMs, warmed, share);
      System.out.printf(Locale.ROOT, "  %-12s submits alone %,6d: %6.0f submits/s, answer p50 %s ms p99 %s ms, %.3f store "
          + "writes/submit%s; CPU ms/submit %s%n", store, r.jobs(), r.perS(), ms(r.p50()), ms(r.p99()), r.writesPerJob(),
          r.rejected() > 0 ? ", " + r.rejected() + " REJECTED" : "", cpuLine(cpuMs));
      return r;
    } finally {
      for (Fd fd : fds) {
        fd.child().stop(40_000);
      }
      if (schema != null) {
        dropSchema(schema);
      }
    }
  }

  /** The head-of-line scenario: the other apps' latency alone, then behind a backlog of create jobs in one app. */
  private Hol hol(String store, String tag, List<Fd> fds) throws Exception {
    int perApp = ceilDiv(o.holJobs(), o.holApps());
    Pool warm = seed(tag + "-holw", o.holApps(), perApp, "started");
    Pool alone = seed(tag + "-hola", o.holApps(), perApp, "started");
    Pool behind = seed(tag + "-holb", o.holApps(), perApp, "started");
    String warmCreateApp = tag + "-holwc";
    seedApp(warmCreateApp, 0, "stopped");
    String createApp = tag + "-holc";
    seedApp(createApp, 0, "stopped");
    // the same pass once unreported, with one create of 3 machines (within the create burst, so it is
    // over at once): otherwise "alone" always ran first and paid for whatever was still cold, the
    // create path included (in five rounds of this scenario alone, "alone" was the slower pass in three)
    flightdeckPass("hol-warm-up", store, fds, jobs(warm, "restart", o.holJobs()), creates(warmCreateApp, 1, 3),
        "restart");
    Result a = flightdeckPass("hol-alone", store, fds, jobs(alone, "restart", o.holJobs()), List.of(), "restart");
    List<JsonObject> creates = creates(createApp, o.holCreates(), o.holCreateSize());
    Result b = flightdeckPass("hol-backlog", store, fds, jobs(behind, "restart", o.holJobs()), creates, "restart");
    Hol h = new Hol(store, a, b);
    System.out.printf(Locale.ROOT, "  %-12s hol: other apps' submit→end p50/p99 %s / %s ms alone, %s / %s ms behind "
        + "%d creates of %d machines in %s (p99 ×%.2f)%n", store, ms(a.p50()), ms(a.p99()), ms(b.p50()), ms(b.p99()),
        o.holCreates(), o.holCreateSize(), createApp, b.p99() / Math.max(1, a.p99()));
    return h;
  }

  private static List<JsonObject> creates(String app, int jobs, int machinesEach) {
    List<JsonObject> out = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      out.add(new JsonObject().put("app", app).put("kind", "create").put("params", new JsonObject()
          .put("count", machinesEach).put("config", new JsonObject().put("image", "registry.fly.io/bench:hol"))));
    }
    return out;
  }

  // ------------------------------------------------------------------ db-scheduler

  /** The bench's side of the peer: the worker process, its control port and the scheduling client. */
  record PeerSide(Child worker, int control, SchedulerClient client, AtomicLong clientWrites) {}

  private void peerRound(int round, boolean warm, List<Result> out) throws Exception {
    String tag = "j" + round + "-ds";
    Path dir = runDir.resolve(round + "-" + PEER);
    Files.createDirectories(dir);
    String schema = "bench_peer_" + Long.toHexString(System.nanoTime());
    schemas.add(schema);
    Child worker = null;
    HikariDataSource pool = null;
    boolean ok = false;
    try {
      try (Connection c = pgConnect(); Statement st = c.createStatement()) {
        st.execute("create schema " + schema);
        st.execute("set search_path to " + schema);
        st.execute(JobsPeer.DDL);
      }
      int control = freePort();
      String[] pg = pgParts();
      List<String> cmd = java(serverJvm());
      cmd.addAll(List.of("-cp", jar + java.io.File.pathSeparator + libGlob() + java.io.File.pathSeparator
          + classesDir(), "dev.flightdeck.bench.JobsPeer",
          "--jdbc", pg[0] + "?currentSchema=" + schema, "--user", pg[1], "--password", pg[2],
          "--sim", "http://127.0.0.1:" + simPort, "--port", Integer.toString(control),
          "--threads", Integer.toString(o.peerThreads()), "--poll-ms", Integer.toString(o.peerPollMs()),
          "--lower", Double.toString(o.peerLower()), "--upper", Double.toString(o.peerUpper()),
          "--pool", Integer.toString(o.peerThreads())));
      worker = Child.start(PEER, dir, cmd, env(Map.of(), Map.of()));
      awaitUp(worker, "http://127.0.0.1:" + control + "/status", 60);

      HikariConfig hc = new HikariConfig();
      hc.setJdbcUrl(pg[0] + "?currentSchema=" + schema);
      hc.setUsername(pg[1]);
      if (!pg[2].isEmpty()) {
        hc.setPassword(pg[2]);
      }
      hc.setMaximumPoolSize(o.clients());
      hc.setMinimumIdle(o.clients());
      hc.setPoolName("bench-client");
      pool = new HikariDataSource(hc);
      AtomicLong clientWrites = new AtomicLong();
      SchedulerClient client = SchedulerClient.Builder.create(JobsPeer.counting(pool, clientWrites),
          JobsPeer.TASK_DESCRIPTOR).build();
      PeerSide peer = new PeerSide(worker, control, client, clientWrites);
      int scale = warm ? 5 : 1;
      warms.add(warmUp(PEER, round, tag, null, peer));
      cleanSim();
      for (String scenario : List.of("restart", "start")) {
        if (!o.scenarios().contains(scenario)) {
          continue;
        }
        Pool p = seed(tag + "-" + scenario, o.apps(), ceilDiv(o.jobs() / scale, o.apps()),
            scenario.equals("restart") ? "started" : "stopped");
        Result r = peerPass(scenario, peer, jobs(p, scenario, o.jobs() / scale));
        System.out.println("  " + line(r));
        out.add(r);
        cleanSim();
      }
      ok = true;
    } finally {
      if (pool != null) {
        pool.close();
      }
      if (worker != null) {
        worker.stop(30_000);
      }
      dropSchema(schema);
      cleanSim();
      if (ok && !o.keep()) {
        deleteTree(dir);
      } else if (!ok) {
        System.err.println("logs kept in " + dir);
      }
    }
  }

  private Result peerPass(String scenario, PeerSide peer, List<String[]> jobs) throws Exception {
    String control = "http://127.0.0.1:" + peer.control();
    httpSend("POST", control + "/reset", null, null);
    peer.clientWrites().set(0);
    JsonObject simBefore = simGet("/sim/stats");
    Map<String, Long> cpuBefore = cpu(PEER, List.of(peer.worker()));
    Sub[] subs = new Sub[jobs.size()];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(o.clients());
    try {
      List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
      for (int c = 0; c < o.clients(); c++) {
        fs.add(pool.submit(() -> {
          for (int i = next.getAndIncrement(); i < jobs.size(); i = next.getAndIncrement()) {
            String[] j = jobs.get(i);
            String id = JobsPeer.instanceId(j[0], j[1], j[2]);
            long t0 = System.currentTimeMillis();
            try {
              peer.client().scheduleIfNotExists(JobsPeer.TASK_DESCRIPTOR.instance(id), Instant.now());
              subs[i] = new Sub(id, t0, System.currentTimeMillis(), 201, false);
            } catch (RuntimeException e) {
              subs[i] = new Sub(null, t0, System.currentTimeMillis(), -1, false);
              if (errors.incrementAndGet() <= 5) {
                System.err.println("  schedule failed: " + e);
              }
            }
          }
        }));
      }
      for (var f : fs) {
        f.get(o.timeoutS(), TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    int accepted = (int) Arrays.stream(subs).filter(s -> s.id() != null).count();
    awaitCount(() -> {
      JsonObject s = new JsonObject(httpSend("GET", control + "/status", null, null));
      return s.getLong("done") + s.getLong("failed");
    }, accepted, List.of(peer.worker()), scenario + " on " + PEER, o.stallS());
    JsonObject cpuMs = cpuPerJob(cpuBefore, cpu(PEER, List.of(peer.worker())), accepted);
    JsonObject status = new JsonObject(httpSend("GET", control + "/status", null, null));
    JsonObject simAfter = simGet("/sim/stats");
    Map<String, long[]> ends = new HashMap<>();
    for (String line : httpSend("GET", control + "/ended", null, null).split("\n")) {
      if (!line.isBlank()) {
        String[] p = line.split(" ");
        ends.put(p[0], new long[] {Long.parseLong(p[1]), "ok".equals(p[2]) ? 1 : 0});
      }
    }
    double writes = status.getLong("writes") + peer.clientWrites().get();
    return result(scenario, PEER, subs, ends, writes, status.getLong("api_calls"), simBefore, simAfter, cpuMs);
  }

  // ------------------------------------------------------------------ results

  private Result result(String scenario, String system, Sub[] subs, Map<String, long[]> ends, double writes,
      double clientCalls, JsonObject simBefore, JsonObject simAfter, JsonObject cpuMs) {
    long first = Long.MAX_VALUE;
    long lastAnswer = 0;
    long lastEnd = 0;
    int accepted = 0;
    int failed = 0;
    int atSubmit = 0;
    int missing = 0;
    List<Long> lat = new ArrayList<>();
    List<Long> submitLat = new ArrayList<>();
    for (Sub s : subs) {
      first = Math.min(first, s.t0());
      lastAnswer = Math.max(lastAnswer, s.t1());
      if (s.id() == null) {
        continue;
      }
      accepted++;
      atSubmit += s.atSubmit() ? 1 : 0;
      submitLat.add(s.t1() - s.t0());
      long[] e = ends.get(s.id());
      if (e == null || e[1] == 0) {
        failed++;
      }
      if (e == null) {
        missing++;
      }
      if (e != null) {
        lat.add(e[0] - s.t0());
        lastEnd = Math.max(lastEnd, e[0]);
      }
    }
    if (accepted == 0) {
      throw new IllegalStateException("no job of " + scenario + " on " + system + " was accepted");
    }
    if (missing > 0) {
      // counted as failed: an accepted job the store no longer shows (or never ended) is not a success
      System.err.println("  " + scenario + " on " + system + ": " + missing + " accepted job(s) not found ended in "
          + "the store");
    }
    JsonObject byOp = new JsonObject();
    JsonObject b = simBefore.getJsonObject("requests_by_operation");
    simAfter.getJsonObject("requests_by_operation").forEach(en -> {
      long d = ((Number) en.getValue()).longValue() - b.getLong(en.getKey(), 0L);
      if (d > 0) {
        byOp.put(en.getKey(), d);
      }
    });
    double api = simAfter.getLong("requests") - simBefore.getLong("requests");
    long limited = simAfter.getLong("rate_limited") - simBefore.getLong("rate_limited");
    return new Result(scenario, system, accepted, subs.length - accepted, failed,
        accepted / Math.max(0.001, (lastEnd - first) / 1000.0), accepted / Math.max(0.001, (lastAnswer - first) / 1000.0),
        Percentiles.of(lat, 50), Percentiles.of(lat, 99), Percentiles.of(submitLat, 50), Percentiles.of(submitLat, 99),
        writes / accepted, api / accepted, clientCalls / accepted, limited, byOp, cpuMs, (double) atSubmit / accepted);
  }

  private static String line(Result r) {
    return String.format(Locale.ROOT, "%-12s %-7s %,6d jobs: %6.0f jobs/s end to end, %6.0f submits/s, submit→end "
        + "p50 %s ms p99 %s ms, %.2f store writes/job, %.2f API calls/job%s%s%s%s", r.system(), r.scenario(), r.jobs(),
        r.e2ePerS(), r.submitPerS(), ms(r.p50()), ms(r.p99()), r.writesPerJob(), r.apiPerJob(),
        r.runAtSubmit() > 0 ? String.format(Locale.ROOT, ", %.0f%% run at submit", 100 * r.runAtSubmit()) : "",
        r.rateLimited() > 0 ? ", " + r.rateLimited() + " × 429" : "", r.failed() > 0 ? ", " + r.failed() + " FAILED" : "",
        r.rejected() > 0 ? ", " + r.rejected() + " REJECTED" : "") + "; CPU ms/job " + cpuLine(r.cpuMsPerJob());
  }

  private static String cpuLine(JsonObject cpu) {
    StringBuilder b = new StringBuilder();
    cpu.forEach(e -> b.append(b.length() == 0 ? "" : ", ").append(e.getKey()).append(' ')
        .append(String.format(Locale.ROOT, "%.2f", ((Number) e.getValue()).doubleValue())));
    return b.toString();
  }

  private static String ms(double v) {
    return String.format(Locale.ROOT, v >= 100 ? "%,.0f" : "%.1f", v);
  }

  private static double med(List<Result> rs, ToDoubleFunction<Result> f) {
    return Percentiles.median(rs.stream().map(f::applyAsDouble).toList());
  }

  private void report(Map<String, List<Result>> results, Map<String, List<Hol>> hols) throws IOException {
    JsonArray rows = new JsonArray();
    Map<String, JsonObject> medians = new LinkedHashMap<>();
    System.out.println();
    System.out.println("| scenario | system | rounds | end-to-end (jobs/s) | submits/s | submit→end p50 / p99 (ms) "
        + "| store writes/job | API calls/job | 429s | failed |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|");
    for (var e : results.entrySet()) {
      List<Result> rs = e.getValue();
      Result f = rs.get(0);
      JsonObject row = new JsonObject().put("scenario", f.scenario()).put("system", f.system())
          .put("rounds", rs.size()).put("jobs", f.jobs())
          .put("end_to_end_jobs_per_s", med(rs, Result::e2ePerS)).put("submits_per_s", med(rs, Result::submitPerS))
          .put("submit_to_end_p50_ms", med(rs, Result::p50)).put("submit_to_end_p99_ms", med(rs, Result::p99))
          .put("submit_answer_p50_ms", med(rs, Result::submitP50)).put("submit_answer_p99_ms", med(rs, Result::submitP99))
          .put("store_writes_per_job", med(rs, Result::writesPerJob)).put("api_calls_per_job", med(rs, Result::apiPerJob))
          .put("client_api_calls_per_job", med(rs, Result::clientApiPerJob))
          .put("run_at_submit_share", med(rs, Result::runAtSubmit))
          .put("rate_limited", rs.stream().mapToLong(Result::rateLimited).sum())
          .put("failed", rs.stream().mapToInt(Result::failed).sum())
          .put("rejected", rs.stream().mapToInt(Result::rejected).sum())
          .put("api_calls_by_operation_last_round", rs.get(rs.size() - 1).apiByOperation())
          .put("cpu_ms_per_job", medianCpu(rs))
          .put("per_round", perRound(rs));
      rows.add(row);
      medians.put(e.getKey(), row);
      System.out.printf(Locale.ROOT, "| %s | %s | %d | %,.0f | %,.0f | %s / %s | %.2f | %.2f | %d | %d |%n", f.scenario(),
          f.system(), rs.size(), row.getDouble("end_to_end_jobs_per_s"), row.getDouble("submits_per_s"),
          ms(row.getDouble("submit_to_end_p50_ms")), ms(row.getDouble("submit_to_end_p99_ms")),
          row.getDouble("store_writes_per_job"), row.getDouble("api_calls_per_job"), row.getLong("rate_limited"),
          row.getLong("failed"));
    }

    System.out.println();
    System.out.println("CPU per job on this shared machine (ms, medians; the bench process submits and polls):");
    System.out.println();
    System.out.println("| scenario | system | system's own | simulator | postgres | bench | total |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (JsonObject row : medians.values()) {
      JsonObject c = row.getJsonObject("cpu_ms_per_job");
      double own = c.getDouble(row.getString("system").equals(PEER) ? PEER : "flightdeck", 0.0);
      System.out.printf(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f |%n", row.getString("scenario"),
          row.getString("system"), own, c.getDouble("simulator", 0.0), c.getDouble("postgres", 0.0),
          c.getDouble("bench", 0.0), c.getDouble("total", 0.0));
    }

    JsonArray ratios = new JsonArray();
    boolean header = false;
    for (JsonObject row : medians.values()) {
      JsonObject peer = medians.get(row.getString("scenario") + "/" + PEER);
      if (peer == null || row.getString("system").equals(PEER)) {
        continue;
      }
      if (!header) {
        System.out.println();
        System.out.println("Flightdeck ÷ db-scheduler (same run, medians):");
        System.out.println();
        System.out.println("| scenario | Flightdeck on | end-to-end jobs/s | submits/s | p50 submit→end | p99 submit→end "
            + "| store writes/job | API calls/job |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        header = true;
      }
      JsonObject ratio = new JsonObject().put("scenario", row.getString("scenario")).put("system", row.getString("system"))
          .put("end_to_end", div(row, peer, "end_to_end_jobs_per_s")).put("submits", div(row, peer, "submits_per_s"))
          .put("p50", div(row, peer, "submit_to_end_p50_ms")).put("p99", div(row, peer, "submit_to_end_p99_ms"))
          .put("store_writes", div(row, peer, "store_writes_per_job")).put("api_calls", div(row, peer, "api_calls_per_job"));
      ratios.add(ratio);
      System.out.printf(Locale.ROOT, "| %s | %s | %.2f× | %.2f× | %.2f× | %.2f× | %.2f× | %.2f× |%n", ratio.getString("scenario"),
          ratio.getString("system"), ratio.getDouble("end_to_end"), ratio.getDouble("submits"), ratio.getDouble("p50"),
          ratio.getDouble("p99"), ratio.getDouble("store_writes"), ratio.getDouble("api_calls"));
    }

    JsonArray holRows = new JsonArray();
    if (!hols.isEmpty()) {
      System.out.println();
      System.out.printf(Locale.ROOT, "Head of line: %,d one-machine jobs over %d apps, alone and behind %d create jobs "
          + "(%d machines each) in one app; the other apps' submit→end (medians):%n%n", o.holJobs(), o.holApps(),
          o.holCreates(), o.holCreateSize());
      System.out.println("| store | rounds | p50 / p99 alone (ms) | p50 / p99 behind the creates (ms) | p99 ratio | goal ≤ 2× |");
      System.out.println("|---|---|---|---|---|---|");
      for (var e : hols.entrySet()) {
        List<Hol> hs = e.getValue();
        List<Double> ratioList = hs.stream().map(h -> h.backlog().p99() / Math.max(1, h.alone().p99())).toList();
        double a50 = Percentiles.median(hs.stream().map(h -> h.alone().p50()).toList());
        double a99 = Percentiles.median(hs.stream().map(h -> h.alone().p99()).toList());
        double b50 = Percentiles.median(hs.stream().map(h -> h.backlog().p50()).toList());
        double b99 = Percentiles.median(hs.stream().map(h -> h.backlog().p99()).toList());
        double ratio = Percentiles.median(ratioList);
        holRows.add(new JsonObject().put("system", e.getKey()).put("rounds", hs.size()).put("alone_p50_ms", a50)
            .put("alone_p99_ms", a99).put("backlog_p50_ms", b50).put("backlog_p99_ms", b99).put("p99_ratio", ratio)
            .put("within_2x", ratio <= 2.0).put("per_round_ratio", new JsonArray(new ArrayList<>(ratioList))));
        System.out.printf(Locale.ROOT, "| %s | %d | %s / %s | %s / %s | %.2f× | %s |%n", e.getKey(), hs.size(), ms(a50),
            ms(a99), ms(b50), ms(b99), ratio, ratio <= 2.0 ? "yes" : "**no**");
      }
    }

    JsonArray submitRows = new JsonArray();
    if (!submitsAlone.isEmpty()) {
      System.out.println();
      System.out.printf(Locale.ROOT, "Durable submits alone: %,d by %d clients to instances that run no job "
          + "(jobs.max_running=0), after a warm-up of submits (medians):%n%n", o.jobs(), o.clients());
      System.out.println("| store | rounds | submits/s | answer p50 / p99 (ms) | store writes/submit | CPU ms/submit own / total |");
      System.out.println("|---|---|---|---|---|---|");
      for (var e : submitsAlone.entrySet()) {
        List<SubmitOnly> ss = e.getValue();
        double perS = Percentiles.median(ss.stream().map(SubmitOnly::perS).toList());
        double p50 = Percentiles.median(ss.stream().map(SubmitOnly::p50).toList());
        double p99 = Percentiles.median(ss.stream().map(SubmitOnly::p99).toList());
        double writes = Percentiles.median(ss.stream().map(SubmitOnly::writesPerJob).toList());
        double own = Percentiles.median(ss.stream().map(x -> x.cpuMsPerJob().getDouble("flightdeck", 0.0)).toList());
        double total = Percentiles.median(ss.stream().map(x -> x.cpuMsPerJob().getDouble("total", 0.0)).toList());
        JsonArray per = new JsonArray();
        ss.forEach(x -> per.add(new JsonObject().put("submits", x.jobs()).put("rejected", x.rejected())
            .put("submits_per_s", x.perS()).put("answer_p50_ms", x.p50()).put("answer_p99_ms", x.p99())
            .put("store_writes_per_submit", x.writesPerJob()).put("cpu_ms_per_submit", x.cpuMsPerJob())
            .put("warm_up_submits", x.warmJobs()).put("jit_share_last_warm_up_pass", x.jitShare())));
        submitRows.add(new JsonObject().put("system", e.getKey()).put("rounds", ss.size()).put("submits_per_s", perS)
            .put("answer_p50_ms", p50).put("answer_p99_ms", p99).put("store_writes_per_submit", writes)
            .put("cpu_ms_per_submit_own", own).put("cpu_ms_per_submit_total", total).put("per_round", per));
        System.out.printf(Locale.ROOT, "| %s | %d | %,.0f | %s / %s | %.3f | %.3f / %.3f |%n", e.getKey(), ss.size(), perS,
            ms(p50), ms(p99), writes, own, total);
      }
    }

    String stamp = stamp();
    JsonObject settings = new JsonObject().put("jobs", o.jobs()).put("apps", o.apps()).put("clients", o.clients())
        .put("rounds", o.rounds()).put("warmup_rounds", o.warmupRounds()).put("warmup_jobs", o.warmupJobs())
        .put("settle_jobs", o.settleJobs()).put("settle_jit", o.settleJit()).put("warmup_max_jobs", o.warmupMaxJobs())
        .put("hol_creates", o.holCreates()).put("hol_create_size", o.holCreateSize()).put("hol_jobs", o.holJobs())
        .put("hol_apps", o.holApps()).put("peer", o.peer()).put("peer_threads", o.peerThreads())
        .put("peer_poll_ms", o.peerPollMs()).put("peer_lock_and_fetch", new JsonArray().add(o.peerLower()).add(o.peerUpper()))
        .put("server_jvm", serverJvm()).put("sim_jvm", simJvm()).put("pass_through", new JsonArray(passThrough()))
        .put("sim_latency", simLatency).put("sim_rate_limits", simLimits);
    JsonObject json = new JsonObject().put("benchmark", "jobs").put("at", Instant.now().toString())
        .put("command", o.command()).put("cpus", Runtime.getRuntime().availableProcessors()).put("settings", settings)
        .put("rows", rows).put("ratios_vs_db_scheduler", ratios).put("head_of_line", holRows)
        .put("submits_alone", submitRows)
        .put("warm_up", warmUpJson());
    Path dir = Path.of("bench", "results");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("jobs-" + stamp + ".json"), json.encodePrettily());
    Files.writeString(dir.resolve("jobs-latest.json"), json.encodePrettily());
    System.out.println();
    System.out.println("wrote bench/results/jobs-" + stamp + ".json");
    System.out.println("reproduce: " + o.command());
  }

  /** How each system was warmed up in each round; also printed, one line per system. */
  private JsonArray warmUpJson() {
    JsonArray a = new JsonArray();
    Map<String, List<Warm>> bySystem = new LinkedHashMap<>();
    for (Warm w : warms) {
      a.add(new JsonObject().put("system", w.system()).put("round", w.round())
          .put("measured", w.round() > o.warmupRounds()).put("jobs", w.jobs()).put("passes", w.passes())
          .put("jit_share_last_pass", w.jitShare()).put("simulator_jit_share_last_pass", w.simJitShare())
          .put("settled", w.settled()));
      if (w.round() > o.warmupRounds()) {
        bySystem.computeIfAbsent(w.system(), k -> new ArrayList<>()).add(w);
      }
    }
    System.out.println();
    System.out.println("Warm-up before the measured rounds (jobs; JIT share of the system's CPU in the last warm-up pass):");
    for (var e : bySystem.entrySet()) {
      System.out.printf(Locale.ROOT, "  %-12s %s%n", e.getKey(), String.join(", ", e.getValue().stream()
          .map(w -> String.format(Locale.ROOT, "%,d jobs, JIT %.1f%%%s", w.jobs(), 100 * w.jitShare(),
              w.settled() ? "" : " (not settled)")).toList()));
    }
    return a;
  }

  /** Each part's median CPU milliseconds per job over the rounds. */
  private static JsonObject medianCpu(List<Result> rs) {
    JsonObject o = new JsonObject();
    for (String k : rs.get(0).cpuMsPerJob().fieldNames()) {
      o.put(k, Percentiles.median(rs.stream().map(r -> r.cpuMsPerJob().getDouble(k, 0.0)).toList()));
    }
    return o;
  }

  private static JsonArray perRound(List<Result> rs) {
    JsonArray a = new JsonArray();
    for (Result r : rs) {
      a.add(new JsonObject().put("jobs", r.jobs()).put("end_to_end_jobs_per_s", r.e2ePerS())
          .put("submits_per_s", r.submitPerS()).put("submit_to_end_p50_ms", r.p50()).put("submit_to_end_p99_ms", r.p99())
          .put("store_writes_per_job", r.writesPerJob()).put("api_calls_per_job", r.apiPerJob())
          .put("rate_limited", r.rateLimited()).put("failed", r.failed()).put("cpu_ms_per_job", r.cpuMsPerJob()));
    }
    return a;
  }

  private static double div(JsonObject a, JsonObject b, String key) {
    double d = b.getDouble(key);
    return d == 0 ? 0 : a.getDouble(key) / d;
  }

  // ------------------------------------------------------------------ the simulator

  private void startSim() throws Exception {
    simPort = freePort();
    Map<String, String> set = new LinkedHashMap<>();
    set.put("FLIGHTDECK_SIM__HOST", "127.0.0.1");
    set.put("FLIGHTDECK_SIM__PORT", Integer.toString(simPort));
    set.put("FLIGHTDECK_SIM__TOKEN", SIM_TOKEN);
    set.put("FLIGHTDECK_SIM__SEED_APPS", "[]");
    Map<String, String> defaults = new LinkedHashMap<>();
    for (String k : LATENCY_KEYS) {
      defaults.put("FLIGHTDECK_SIM__LATENCY__" + k, "0"); // zero transition latency: what is measured is the job path
    }
    defaults.put("FLIGHTDECK_LOG_FORMAT", "text");
    List<String> cmd = java(simJvm());
    cmd.addAll(List.of("-jar", jar.toString(), "sim"));
    Files.createDirectories(runDir);
    sim = Child.start("sim", runDir, cmd, env(set, defaults));
    SIM_CPU.set(sim);
    awaitUp(sim, "http://127.0.0.1:" + simPort + "/sim/health", 60);
    simLatency = simGet("/sim/latency");
    simLimits = simGet("/sim/rate-limits");
  }

  private Pool seed(String prefix, int apps, int perApp, String state) throws Exception {
    List<String> names = new ArrayList<>();
    List<String[]> machines = new ArrayList<>();
    for (int a = 0; a < apps; a++) {
      String app = String.format(Locale.ROOT, "%s-%02d", prefix, a);
      names.add(app);
      seedApp(app, perApp, state);
      JsonArray list = new JsonArray(httpSend("GET", "http://127.0.0.1:" + simPort + "/v1/apps/" + app
          + "/machines?summary=true", SIM_TOKEN, null));
      for (Object m : list) {
        machines.add(new String[] {app, ((JsonObject) m).getString("id")});
      }
    }
    return new Pool(names, machines);
  }

  private void seedApp(String app, int machines, String state) throws Exception {
    httpSend("POST", "http://127.0.0.1:" + simPort + "/sim/apps", null, new JsonObject().put("name", app)
        .put("machines", machines).put("state", state).encode());
    seededApps.add(app);
    seededSize.put(app, machines);
  }

  /** Jobs over the pool's machines, each on a distinct machine, apps interleaved. */
  private static List<String[]> jobs(Pool pool, String kind, int n) {
    List<String[]> ms = new ArrayList<>(pool.machines());
    Collections.shuffle(ms, new Random(7));
    if (ms.size() < n) {
      throw new IllegalStateException("only " + ms.size() + " machines for " + n + " jobs");
    }
    List<String[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new String[] {kind, ms.get(i)[0], ms.get(i)[1]});
    }
    return out;
  }

  /** Deletes the apps seeded so far (largest first; small ones are left if the app-delete limit answers 429). */
  private void cleanSim() {
    List<String> apps = new ArrayList<>(seededApps);
    apps.sort(Comparator.comparing((String a) -> -seededSize.getOrDefault(a, 0)));
    for (String app : apps) {
      try {
        for (int attempt = 0; attempt < 120; attempt++) {
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + simPort
                  + "/v1/apps/" + app)).header("Authorization", "Bearer " + SIM_TOKEN).DELETE()
              .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() != 429) {
            break;
          }
          if (seededSize.getOrDefault(app, 0) <= 200) {
            break; // a small app is left behind rather than waiting for the limit
          }
          Thread.sleep(1000);
        }
      } catch (Exception e) {
        System.err.println("  could not delete " + app + " from the simulator: " + e);
      }
    }
    seededApps.clear();
    seededSize.clear();
    try {
      httpSend("DELETE", "http://127.0.0.1:" + simPort + "/sim/journal", null, null);
    } catch (Exception e) {
      System.err.println("  could not clear the simulator's journal: " + e);
    }
  }

  private JsonObject simGet(String path) throws Exception {
    return new JsonObject(httpSend("GET", "http://127.0.0.1:" + simPort + path, null, null));
  }

  // ------------------------------------------------------------------ HTTP, metrics, waiting

  private String httpSend(String method, String url, String token, String json) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (json != null) {
      b.header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) {
      throw new IllegalStateException(method + " " + url + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  private JsonObject fdGet(Fd fd, String path) throws Exception {
    return new JsonObject(httpSend("GET", "http://127.0.0.1:" + fd.api() + path, TOKEN, null));
  }

  private String scrapeAll(List<Fd> fds) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (Fd fd : fds) {
      sb.append(httpSend("GET", "http://127.0.0.1:" + fd.management() + "/metrics", null, null)).append('\n');
    }
    return sb.toString();
  }

  /** The sum of every series of {@code name} whose labels contain {@code labels} (all of them if null). */
  static double metric(String text, String name, String labels) {
    double sum = 0;
    for (String line : text.split("\n")) {
      if ((line.startsWith(name + "{") || line.startsWith(name + " ")) && (labels == null || line.contains(labels))) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  private static double delta(String before, String after, String name, String labels) {
    return metric(after, name, labels) - metric(before, name, labels);
  }

  interface Counter {
    double get() throws Exception;
  }

  /** Waits until {@code counter} reaches {@code target}; fails if it stalls or a process died. */
  private void awaitCount(Counter counter, long target, List<Child> watched, String what, int stallS)
      throws Exception {
    long start = System.nanoTime();
    long lastChange = start;
    double last = -1;
    while (true) {
      double v = counter.get();
      if (v >= target) {
        return;
      }
      long now = System.nanoTime();
      if (v != last) {
        last = v;
        lastChange = now;
      }
      for (Child c : watched) {
        c.checkAlive();
      }
      if (now - lastChange > stallS * 1_000_000_000L || now - start > o.timeoutS() * 1_000_000_000L) {
        throw new IllegalStateException(what + ": only " + (long) v + " of " + target + " jobs ended after "
            + (now - start) / 1_000_000_000L + " s (no progress for " + (now - lastChange) / 1_000_000_000L + " s)");
      }
      Thread.sleep(250); // the end times come from the job API; polling only notices the end
    }
  }

  private void awaitUp(Child c, String url, int seconds) throws Exception {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (true) {
      c.checkAlive();
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
            .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(c.name + " did not come up within " + seconds + " s; last lines of " + c.log
            + ":\n" + c.tail(20));
      }
      Thread.sleep(200);
    }
  }

  // ------------------------------------------------------------------ PostgreSQL

  /** {jdbc url without parameters, user, password} from {@code --pg postgresql://user[:pw]@host:port/db}. */
  private String[] pgParts() {
    URI u = URI.create(o.pg());
    String user = "postgres";
    String pw = "";
    if (u.getUserInfo() != null) {
      String[] p = u.getUserInfo().split(":", 2);
      user = p[0];
      pw = p.length > 1 ? p[1] : "";
    }
    String db = u.getPath() == null || u.getPath().length() <= 1 ? "postgres" : u.getPath().substring(1);
    return new String[] {"jdbc:postgresql://" + u.getHost() + ":" + (u.getPort() < 0 ? 5432 : u.getPort()) + "/" + db,
        user, pw};
  }

  private Connection pgConnect() throws Exception {
    String[] p = pgParts();
    return DriverManager.getConnection(p[0], p[1], p[2]);
  }

  private void dropSchema(String schema) {
    try (Connection c = pgConnect(); Statement st = c.createStatement()) {
      st.execute("drop schema if exists " + schema + " cascade");
      schemas.remove(schema);
    } catch (Exception e) {
      System.err.println("  could not drop schema " + schema + ": " + e);
    }
  }

  // ------------------------------------------------------------------ child processes and their environment

  private static String serverJvm() {
    String v = System.getenv("BENCH_SERVER_JVM");
    return v == null || v.isBlank() ? DEFAULT_SERVER_JVM : v.trim();
  }

  private static String simJvm() {
    String v = System.getenv("BENCH_SIM_JVM");
    return v == null || v.isBlank() ? DEFAULT_SIM_JVM : v.trim();
  }

  private static List<String> java(String jvmOptions) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(Arrays.asList(jvmOptions.split("\\s+")));
    return cmd;
  }

  private Path classesDir() {
    return Path.of(System.getProperty("bench.classes", "target/bench/classes")).toAbsolutePath();
  }

  private String libGlob() {
    return Path.of(System.getProperty("bench.lib", "target/bench/lib")).toAbsolutePath() + java.io.File.separator + "*";
  }

  /** Settings the bench sets itself, whatever the environment says. */
  static final Set<String> CONTROLLED = Set.of("FLIGHTDECK_API__HOST", "FLIGHTDECK_API__PORT",
      "FLIGHTDECK_MANAGEMENT__HOST", "FLIGHTDECK_MANAGEMENT__PORT", "FLIGHTDECK_STORE__URL", "FLIGHTDECK_STORE__SCHEMA",
      "FLIGHTDECK_STORE__DATA_DIR", "FLIGHTDECK_INSTANCE__ID", "FLIGHTDECK_AUTH__TOKENS", "FLIGHTDECK_SIM__HOST",
      "FLIGHTDECK_SIM__PORT", "FLIGHTDECK_SIM__TOKEN", "FLIGHTDECK_SIM__SEED_APPS");

  /** The operator's FLIGHTDECK_SECTION__KEY settings, passed to every child as they are (except those the bench sets). */
  private static List<String> passThrough() {
    List<String> out = new ArrayList<>();
    new TreeMap<>(System.getenv()).forEach((k, v) -> {
      if (k.startsWith("FLIGHTDECK_") && k.contains("__") && !CONTROLLED.contains(k)) {
        out.add(k + "=" + v);
      }
    });
    return out;
  }

  private static final Set<String> WARNED = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** The child's environment: the operator's (minus a config file), then {@code defaults} unless set, then {@code set}. */
  private static Map<String, String> env(Map<String, String> set, Map<String, String> defaults) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.remove("FLIGHTDECK_CONFIG");
    defaults.forEach(env::putIfAbsent);
    set.forEach((k, v) -> {
      String mine = System.getenv(k);
      if (mine != null && !mine.equals(v) && WARNED.add(k)) {
        System.err.println("note: " + k + " is set by the bench; the value from the environment is ignored");
      }
      env.put(k, v);
    });
    return env;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  private static String stamp() {
    return Instant.now().toString().replace(":", "").replaceAll("\\..*", "");
  }

  private static void deleteTree(Path dir) {
    try (var s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }

  /** A child process whose output goes to a log file; every one still running is stopped when the bench exits. */
  static final class Child {
    static final List<Child> ALL = new CopyOnWriteArrayList<>();
    final String name;
    final Process process;
    final Path log;

    private Child(String name, Process process, Path log) {
      this.name = name;
      this.process = process;
      this.log = log;
    }

    static Child start(String name, Path dir, List<String> cmd, Map<String, String> env) throws IOException {
      Path log = dir.resolve(name + ".log");
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile());
      pb.environment().clear();
      pb.environment().putAll(env);
      Child c = new Child(name, pb.start(), log);
      ALL.add(c);
      return c;
    }

    void checkAlive() {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with code " + process.exitValue() + "; last lines of " + log
            + ":\n" + tail(30));
      }
    }

    String tail(int n) {
      try {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
      } catch (IOException e) {
        return "(no log: " + e + ")";
      }
    }

    /** SIGTERM, then SIGKILL (the process and anything it started) after {@code graceMs}. */
    void stop(long graceMs) {
      try {
        if (process.isAlive()) {
          List<ProcessHandle> kids = process.descendants().toList();
          process.destroy();
          if (!process.waitFor(graceMs, TimeUnit.MILLISECONDS)) {
            System.err.println("  " + name + " did not stop within " + graceMs + " ms of SIGTERM; killing it");
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
          }
          kids.forEach(ProcessHandle::destroyForcibly);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      } finally {
        ALL.remove(this);
      }
    }

    static void stopAll() {
      for (Child c : ALL) {
        c.stop(5_000);
      }
    }
  }

  // ------------------------------------------------------------------ options

  private static Options parse(String[] args) {
    Map<String, String> a = new HashMap<>();
    boolean peer = true;
    boolean keep = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--help", "-h" -> {
          System.out.println("""
              bench/run jobs [options]
                --stores sqlite,postgres,postgres3   Flightdeck configurations (postgres3: three instances, one database)
                --scenarios restart,start,hol,submit restart: restart jobs on started machines; start: start jobs on
                                                     stopped machines; hol: the head-of-line scenario; submit: durable
                                                     submits alone, to instances that run no job (jobs.max_running=0)
                --peer | --no-peer                   db-scheduler side by side on PostgreSQL (restart and start; default on)
                --jobs 10000        jobs per scenario and round, one machine each, each on its own machine
                --apps 10           apps the machines are spread over
                --clients 32        concurrent submitters (HTTP for Flightdeck, SchedulerClient for db-scheduler)
                --rounds 3          measured rounds (medians are reported)
                --warmup-rounds 1   rounds at a fifth of the size, not reported
                --warmup-jobs 30000 jobs each fresh system runs first, before it is measured (JIT warm-up)
                --settle-jobs 10000 then passes of this many restarts (and a fifth as many starts) until the JIT
                --settle-jit 0.05   compiler threads of the system and of the simulator used at most this share
                                    of their process's CPU in the last pass (0 settle-jobs: no such passes)
                --warmup-max-jobs 150000  or until this many warm-up jobs have run in all
                --hol-creates 32 --hol-create-size 5 --hol-jobs 2000 --hol-apps 20
                --peer-threads 32 --peer-poll-ms 100 --peer-lock-and-fetch 0.5,1.0
                --pg postgresql://postgres@127.0.0.1:5432/test
                --timeout 1800      seconds a pass may take; --stall 180: seconds without a job ending
                --keep              keep every child's log and data under target/bench/jobs-run/
              environment: BENCH_SERVER_JVM (Flightdeck and db-scheduler JVM options, default "%s"),
                BENCH_SIM_JVM (default "%s"), FLIGHTDECK_<SECTION>__<KEY> settings (passed to every child)
              """.formatted(DEFAULT_SERVER_JVM, DEFAULT_SIM_JVM));
          return null;
        }
        case "--peer" -> peer = true;
        case "--no-peer" -> peer = false;
        case "--keep" -> keep = true;
        default -> {
          if (!args[i].startsWith("--") || i + 1 >= args.length) {
            throw new IllegalArgumentException("unknown argument: " + args[i] + " (see --help)");
          }
          a.put(args[i].substring(2), args[++i]);
        }
      }
    }
    Set<String> known = Set.of("stores", "scenarios", "jobs", "apps", "clients", "rounds", "warmup-rounds",
        "warmup-jobs", "settle-jobs", "settle-jit", "warmup-max-jobs", "hol-creates", "hol-create-size", "hol-jobs", "hol-apps", "peer-threads", "peer-poll-ms",
        "peer-lock-and-fetch", "pg", "timeout", "stall");
    for (String k : a.keySet()) {
      if (!known.contains(k)) {
        throw new IllegalArgumentException("unknown option --" + k + " (see --help)");
      }
    }
    List<String> stores = List.of(a.getOrDefault("stores", String.join(",", STORES)).split(","));
    List<String> scenarios = List.of(a.getOrDefault("scenarios", String.join(",", SCENARIOS)).split(","));
    for (String s : stores) {
      if (!STORES.contains(s)) {
        throw new IllegalArgumentException("unknown store " + s + "; known: " + STORES);
      }
    }
    for (String s : scenarios) {
      if (!SCENARIOS.contains(s)) {
        throw new IllegalArgumentException("unknown scenario " + s + "; known: " + SCENARIOS);
      }
    }
    String[] lf = a.getOrDefault("peer-lock-and-fetch", "0.5,1.0").split(",");
    StringBuilder cmd = new StringBuilder();
    String sj = System.getenv("BENCH_SERVER_JVM");
    if (sj != null && !sj.isBlank()) {
      cmd.append("BENCH_SERVER_JVM='").append(sj).append("' ");
    }
    String mj = System.getenv("BENCH_SIM_JVM");
    if (mj != null && !mj.isBlank()) {
      cmd.append("BENCH_SIM_JVM='").append(mj).append("' ");
    }
    for (String kv : passThrough()) {
      int eq = kv.indexOf('=');
      cmd.append(kv, 0, eq + 1).append('\'').append(kv.substring(eq + 1)).append("' ");
    }
    cmd.append("bench/run jobs");
    for (String s : args) {
      cmd.append(' ').append(s);
    }
    return new Options(stores, scenarios, peer, Integer.parseInt(a.getOrDefault("jobs", "10000")),
        Integer.parseInt(a.getOrDefault("apps", "10")), Integer.parseInt(a.getOrDefault("clients", "32")),
        Integer.parseInt(a.getOrDefault("rounds", "3")), Integer.parseInt(a.getOrDefault("warmup-rounds", "1")),
        Integer.parseInt(a.getOrDefault("warmup-jobs", "30000")), Integer.parseInt(a.getOrDefault("settle-jobs", "10000")),
        Double.parseDouble(a.getOrDefault("settle-jit", "0.05")),
        Integer.parseInt(a.getOrDefault("warmup-max-jobs", "150000")), Integer.parseInt(a.getOrDefault("hol-creates", "32")),
        Integer.parseInt(a.getOrDefault("hol-create-size", "5")), Integer.parseInt(a.getOrDefault("hol-jobs", "2000")),
        Integer.parseInt(a.getOrDefault("hol-apps", "20")), Integer.parseInt(a.getOrDefault("peer-threads", "32")),
        Integer.parseInt(a.getOrDefault("peer-poll-ms", "100")), Double.parseDouble(lf[0]), Double.parseDouble(lf[1]),
        a.getOrDefault("pg", "postgresql://postgres@127.0.0.1:5432/test"),
        Integer.parseInt(a.getOrDefault("timeout", "1800")), Integer.parseInt(a.getOrDefault("stall", "180")), keep,
        cmd.toString());
  }
}
