package dev.flightdeck.bench;

import dev.flightdeck.FlightdeckServer;
import dev.flightdeck.config.ConfigLoader;
import dev.flightdeck.config.FlightdeckConfig;
import dev.flightdeck.fly.ListMachinesQuery;
import dev.flightdeck.fly.Machine;
import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.time.VertxTimeSource;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The job path's throughput: jobs accepted per second (each answer after its durable commit),
 * end-to-end jobs per second (submitted → succeeded, one machine operation each against a
 * zero-latency simulator), and submit latency at a fixed offered load — for SQLite and
 * PostgreSQL. Run with {@code bench/run jobs --help}.
 */
public final class JobsBench {

  private static final String TOKEN = "bench-admin";

  record Options(List<String> stores, int concurrency, int seconds, int warmupSeconds, int e2eJobs, int rate,
      int rounds, String pgUrl, String command) {}

  record Row(String store, double submitPerS, double e2ePerS, long p50Us, long p99Us, int rate, double meanBatch,
      int rounds) {}

  public static void main(String[] args) throws Exception {
    Options o = parse(args);
    if (o == null) {
      return;
    }
    System.out.println("command: " + o.command());
    System.out.println("one in-process Flightdeck (job API over HTTP on loopback, embedded simulator with no "
        + "latency and the documented rate limits); each job starts one stopped machine");
    List<Row> rows = new ArrayList<>();
    for (String store : o.stores()) {
      List<Row> runs = new ArrayList<>();
      for (int r = 0; r < o.rounds() + 1; r++) {
        Row row = round(o, store, r == 0);
        if (r > 0) {
          runs.add(row);
          System.out.println("  " + fmt(row));
        } else {
          System.out.println("  warm-up (not reported): " + fmt(row));
        }
      }
      rows.add(median(runs));
    }
    System.out.println();
    System.out.println("| store | submit (jobs/s, durable) | end-to-end (jobs/s) | submit latency p50 / p99 at "
        + o.rate() + " jobs/s | writes per commit | rounds |");
    System.out.println("|---|---|---|---|---|---|");
    for (Row r : rows) {
      System.out.printf(Locale.ROOT, "| %s | %.0f | %.0f | %.2f / %.2f ms | %.1f | %d |%n", r.store(), r.submitPerS(),
          r.e2ePerS(), r.p50Us() / 1000.0, r.p99Us() / 1000.0, r.meanBatch(), r.rounds());
    }
    System.out.println();
    System.out.println("reproduce: " + o.command());
    write(rows, o);
  }

  private static String fmt(Row r) {
    return String.format(Locale.ROOT, "%-8s submit %6.0f jobs/s  e2e %6.0f jobs/s  latency p50 %.2f ms p99 %.2f ms "
        + "at %d/s  writes/commit %.1f", r.store(), r.submitPerS(), r.e2ePerS(), r.p50Us() / 1000.0,
        r.p99Us() / 1000.0, r.rate(), r.meanBatch());
  }

  private static Row median(List<Row> runs) {
    List<Double> s = new ArrayList<>();
    List<Double> e = new ArrayList<>();
    List<Long> p50 = new ArrayList<>();
    List<Long> p99 = new ArrayList<>();
    List<Double> b = new ArrayList<>();
    for (Row r : runs) {
      s.add(r.submitPerS());
      e.add(r.e2ePerS());
      p50.add(r.p50Us());
      p99.add(r.p99Us());
      b.add(r.meanBatch());
    }
    return new Row(runs.get(0).store(), Percentiles.median(s), Percentiles.median(e), Percentiles.of(p50, 50),
        Percentiles.of(p99, 50), runs.get(0).rate(), Percentiles.median(b), runs.size());
  }

  private static Row round(Options o, String store, boolean warmup) throws Exception {
    Path dir = Files.createTempDirectory("fd-jobs-bench");
    String schema = "bench_" + Long.toHexString(System.nanoTime());
    Vertx vertx = Vertx.vertx();
    FlightdeckServer server = null;
    try {
      JsonObject cfg = ConfigLoader.defaults();
      cfg.getJsonObject("api").put("host", "127.0.0.1").put("port", 0);
      cfg.getJsonObject("management").put("host", "127.0.0.1").put("port", 0);
      cfg.getJsonObject("store").put("data_dir", dir.toString());
      if (store.equals("postgres")) {
        cfg.getJsonObject("store").put("url", o.pgUrl()).put("schema", schema);
      }
      cfg.getJsonObject("auth").put("tokens", new JsonArray().add(new JsonObject().put("name", "bench")
          .put("token", TOKEN).put("role", "admin").put("apps", new JsonArray().add("*"))));
      JsonObject sim = cfg.getJsonObject("sim");
      sim.put("port", 0).put("seed_apps", new JsonArray());
      sim.put("latency", ConfigLoader.toJson(SimConfig.Latency.zero()));
      cfg.getJsonObject("jobs").put("max_running", 256).put("poll_interval_ms", 100);
      FlightdeckConfig config = ConfigLoader.bind(cfg, FlightdeckConfig.class, "");
      server = FlightdeckServer.start(vertx, config, new VertxTimeSource(vertx)).await();
      int apps = 20;
      int perApp = 1000;
      List<String[]> machines = new ArrayList<>();
      for (int a = 0; a < apps; a++) {
        String app = String.format("b-%02d", a);
        server.simulator().seed(new SimConfig.SeedApp(app, perApp, List.of("ord"), List.of("app"), "i:1",
            "stopped")).await();
        for (Machine m : server.fly().listMachines(app, ListMachinesQuery.ALL).await()) {
          machines.add(new String[] {app, m.id()});
        }
      }
      Collections.shuffle(machines, new java.util.Random(7));
      AtomicInteger next = new AtomicInteger();
      AtomicLong ended = new AtomicLong();
      server.runner().onJobEnded((kind, state) -> ended.incrementAndGet());
      WebClient http = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setTcpNoDelay(true),
          new io.vertx.core.http.PoolOptions().setHttp1MaxSize(o.concurrency()));
      int port = server.apiPort();

      // 1. closed loop: as many submits as the store commits
      int seconds = warmup ? o.warmupSeconds() : o.seconds();
      long accepted = closedLoop(vertx, http, port, machines, next, o.concurrency(), seconds);
      double submitPerS = accepted / (double) seconds;

      // let those jobs drain, then 2. end to end on a quiet system
      awaitCount(vertx, ended, next.get(), 600);
      int e2eJobs = warmup ? Math.min(500, o.e2eJobs()) : o.e2eJobs();
      long e2eStart = System.nanoTime();
      long target = ended.get() + e2eJobs;
      closedLoopCount(vertx, http, port, machines, next, o.concurrency(), e2eJobs);
      awaitCount(vertx, ended, target, 600);
      double e2ePerS = e2eJobs / ((System.nanoTime() - e2eStart) / 1e9);

      // 3. open loop at a fixed rate: submit latency
      List<Long> lat = openLoop(vertx, http, port, machines, next, o.rate(), warmup ? 2 : 10);
      double batch = server.store() instanceof dev.flightdeck.store.SqliteJobStore s ? s.meanBatch()
          : ((dev.flightdeck.store.PgJobStore) server.store()).meanBatch();
      http.close();
      return new Row(store, submitPerS, e2ePerS, Percentiles.of(lat, 50), Percentiles.of(lat, 99), o.rate(), batch, 1);
    } finally {
      if (server != null) {
        server.stop().await();
      }
      vertx.close().await();
      if (store.equals("postgres")) {
        dropSchema(o.pgUrl(), schema);
      }
    }
  }

  private static Buffer body(String[] m) {
    return new JsonObject().put("app", m[0]).put("kind", "start")
        .put("target", new JsonObject().put("machine_ids", new JsonArray().add(m[1]))).toBuffer();
  }

  private static Future<HttpResponse<Buffer>> post(WebClient http, int port, String[] m) {
    return http.request(HttpMethod.POST, port, "127.0.0.1", "/v1/jobs")
        .putHeader("Authorization", "Bearer " + TOKEN).putHeader("content-type", "application/json")
        .sendBuffer(body(m));
  }

  private static long closedLoop(Vertx vertx, WebClient http, int port, List<String[]> machines, AtomicInteger next,
      int concurrency, int seconds) {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    AtomicLong ok = new AtomicLong();
    List<Future<Void>> workers = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      workers.add(loop(http, port, machines, next, ok, () -> System.nanoTime() < deadline));
    }
    Future.all(workers).await();
    return ok.get();
  }

  private static void closedLoopCount(Vertx vertx, WebClient http, int port, List<String[]> machines,
      AtomicInteger next, int concurrency, int count) {
    AtomicInteger left = new AtomicInteger(count);
    AtomicLong ok = new AtomicLong();
    List<Future<Void>> workers = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      workers.add(loop(http, port, machines, next, ok, () -> left.getAndDecrement() > 0));
    }
    Future.all(workers).await();
  }

  private static Future<Void> loop(WebClient http, int port, List<String[]> machines, AtomicInteger next,
      AtomicLong ok, java.util.function.BooleanSupplier more) {
    if (!more.getAsBoolean()) {
      return Future.succeededFuture();
    }
    String[] m = machines.get(next.getAndIncrement() % machines.size());
    return post(http, port, m).compose(res -> {
      if (res.statusCode() == 201) {
        ok.incrementAndGet();
      } else {
        System.err.println("submit answered " + res.statusCode() + ": " + res.bodyAsString());
      }
      return loop(http, port, machines, next, ok, more);
    });
  }

  private static List<Long> openLoop(Vertx vertx, WebClient http, int port, List<String[]> machines,
      AtomicInteger next, int rate, int seconds) {
    ConcurrentLinkedQueue<Long> lat = new ConcurrentLinkedQueue<>();
    int total = rate * seconds;
    Promise<Void> done = Promise.promise();
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger answered = new AtomicInteger();
    long start = System.nanoTime();
    long[] timer = new long[1];
    timer[0] = vertx.setPeriodic(1, t -> {
      long due = Math.min(total, (System.nanoTime() - start) * rate / 1_000_000_000L);
      while (sent.get() < due) {
        sent.incrementAndGet();
        long t0 = System.nanoTime();
        post(http, port, machines.get(next.getAndIncrement() % machines.size())).onComplete(ar -> {
          lat.add((System.nanoTime() - t0) / 1000);
          if (answered.incrementAndGet() == total) {
            done.complete();
          }
        });
      }
      if (sent.get() >= total) {
        vertx.cancelTimer(timer[0]);
      }
    });
    done.future().await();
    return new ArrayList<>(lat);
  }

  private static void awaitCount(Vertx vertx, AtomicLong counter, long target, int maxSeconds) {
    long deadline = System.nanoTime() + maxSeconds * 1_000_000_000L;
    while (counter.get() < target) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + counter.get() + " of " + target + " jobs ended");
      }
      Promise<Void> p = Promise.promise();
      vertx.setTimer(5, t -> p.complete());
      p.future().await();
    }
  }

  private static void dropSchema(String url, String schema) {
    Vertx v = Vertx.vertx();
    try {
      var pool = io.vertx.pgclient.PgBuilder.pool().connectingTo(io.vertx.pgclient.PgConnectOptions.fromUri(url))
          .using(v).build();
      pool.query("DROP SCHEMA IF EXISTS " + schema + " CASCADE").execute().await();
      pool.close().await();
    } finally {
      v.close().await();
    }
  }

  private static void write(List<Row> rows, Options o) throws Exception {
    JsonArray arr = new JsonArray();
    for (Row r : rows) {
      arr.add(new JsonObject().put("store", r.store()).put("submit_jobs_per_s", r.submitPerS())
          .put("end_to_end_jobs_per_s", r.e2ePerS()).put("submit_p50_ms", r.p50Us() / 1000.0)
          .put("submit_p99_ms", r.p99Us() / 1000.0).put("offered_rate", r.rate())
          .put("writes_per_commit", r.meanBatch()).put("rounds", r.rounds()));
    }
    JsonObject out = new JsonObject().put("benchmark", "jobs").put("at", Instant.now().toString())
        .put("command", o.command()).put("cpus", Runtime.getRuntime().availableProcessors()).put("rows", arr);
    Path dir = Path.of("bench", "results");
    Files.createDirectories(dir);
    String stamp = Instant.now().toString().replace(":", "").replaceAll("\\..*", "");
    Files.writeString(dir.resolve("jobs-" + stamp + ".json"), out.encodePrettily());
    Files.writeString(dir.resolve("jobs-latest.json"), out.encodePrettily());
    System.out.println("wrote bench/results/jobs-" + stamp + ".json");
  }

  private static Options parse(String[] args) {
    java.util.Map<String, String> a = new java.util.HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--help")) {
        System.out.println("""
            bench/run jobs [--stores sqlite,postgres] [--concurrency 64] [--seconds 10] [--warmup-seconds 5]
                           [--e2e-jobs 2000] [--rate 200] [--rounds 3]
                           [--pg postgresql://postgres@127.0.0.1:5432/test]""");
        return null;
      }
      a.put(args[i].substring(2), args[++i]);
    }
    StringBuilder cmd = new StringBuilder("bench/run jobs");
    for (String s : args) {
      cmd.append(' ').append(s);
    }
    return new Options(List.of(a.getOrDefault("stores", "sqlite,postgres").split(",")),
        Integer.parseInt(a.getOrDefault("concurrency", "64")), Integer.parseInt(a.getOrDefault("seconds", "10")),
        Integer.parseInt(a.getOrDefault("warmup-seconds", "5")), Integer.parseInt(a.getOrDefault("e2e-jobs", "2000")),
        Integer.parseInt(a.getOrDefault("rate", "200")), Integer.parseInt(a.getOrDefault("rounds", "3")),
        a.getOrDefault("pg", "postgresql://postgres@127.0.0.1:5432/test"), cmd.toString());
  }
}
