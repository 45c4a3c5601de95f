package dev.flightdeck.bench;

import dev.flightdeck.cron.CronConfig;
import dev.flightdeck.cron.CronScheduler;
import dev.flightdeck.cron.ScheduleService;
import dev.flightdeck.store.JobStore;
import dev.flightdeck.store.PgJobStore;
import dev.flightdeck.store.ScheduleStore;
import dev.flightdeck.store.SqliteJobStore;
import dev.flightdeck.store.StoreConfig;
import dev.flightdeck.time.ManualTimeSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Cron firing under a thundering herd: N schedules on {@code 0 * * * *} all due at the same
 * instant. The scheduler runs against a real store (SQLite or PostgreSQL) on a manual clock, so
 * the tick is exact and what is timed is Flightdeck's own work: the firing passes from the tick
 * until the last job is durably stored. With jitter the clock then steps one poll interval (1 s)
 * at a time, as the real poll timer would. Run with {@code bench/run cron --help}.
 */
public final class CronBench {

  record Options(List<String> stores, int schedules, int jitterSeconds, int rounds, int batch, String pgUrl,
      String command) {}

  /**
   * One round. {@code fireMs}: wall time of the passes at the tick, no jitter; {@code spreadS}:
   * first to last jittered fire (simulated s); {@code peakPerS}: most jobs stored in one poll;
   * {@code maxPassMs}: the slowest of those polls (it must stay under the 1 s poll interval).
   */
  record Row(String store, int schedules, double fireMs, double spreadS, int peakPerS, double maxPassMs,
      long duplicates, int rounds) {}

  private static final long TICK = Instant.parse("2027-01-01T01:00:00Z").toEpochMilli();

  public static void main(String[] args) throws Exception {
    Options o = parse(args);
    if (o == null) {
      return;
    }
    System.out.println("command: " + o.command());
    System.out.println(o.schedules() + " schedules on '0 * * * *' all due at " + Instant.ofEpochMilli(TICK)
        + "; scheduler on a manual clock against a real store, batch " + o.batch() + "; jitter round: "
        + o.jitterSeconds() + " s, clock stepped 1 s per poll");
    List<Row> rows = new ArrayList<>();
    for (String store : o.stores()) {
      List<Row> runs = new ArrayList<>();
      for (int r = 0; r < o.rounds() + 1; r++) {
        boolean warmup = r == 0;
        Row row = round(o, store, warmup ? Math.max(100, o.schedules() / 5) : o.schedules());
        System.out.println("  " + (warmup ? "warm-up (not reported): " : "") + fmt(row));
        if (!warmup) {
          runs.add(row);
        }
      }
      rows.add(median(runs));
    }
    System.out.println();
    System.out.println("| store | schedules due at once | tick → last job stored | jobs stored/s | with "
        + o.jitterSeconds() + " s jitter: spread | peak jobs per 1 s poll | slowest poll | duplicate jobs | rounds |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (Row r : rows) {
      System.out.printf(Locale.ROOT, "| %s | %,d | %.2f s | %,.0f | %.1f s | %d | %.0f ms | %d | %d |%n", r.store(),
          r.schedules(), r.fireMs() / 1000, r.schedules() / (r.fireMs() / 1000), r.spreadS(), r.peakPerS(),
          r.maxPassMs(), r.duplicates(), r.rounds());
    }
    System.out.println();
    System.out.println("reproduce: " + o.command());
    write(rows, o);
  }

  private static Row round(Options o, String store, int n) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      // 1. no jitter: everything due at the tick
      Herd plain = herd(vertx, o, store, n, 0);
      long duplicates;
      double fireMs;
      try {
        plain.clock.advance(TICK - plain.clock.millis()).await();
        long t0 = System.nanoTime();
        plain.scheduler.fire().await();
        fireMs = (System.nanoTime() - t0) / 1e6;
        if (plain.stored.size() != n) {
          throw new IllegalStateException("stored " + plain.stored.size() + " of " + n + " jobs at the tick");
        }
        // a second scheduler firing the same tick (another instance) must add nothing
        CronScheduler other = scheduler(vertx, o, plain.store, plain.clock, plain.stored);
        other.fire().await();
        duplicates = plain.stored.size() - n + dupes(plain.stored);
      } finally {
        plain.close();
      }
      // 2. jitter: the same herd spread over jitter_seconds, one poll per simulated second
      Herd spread = herd(vertx, o, store, n, o.jitterSeconds());
      int peak = 0;
      double maxPass = 0;
      try {
        spread.clock.advance(TICK - spread.clock.millis()).await();
        for (int s = 0; s <= o.jitterSeconds() + 1; s++) {
          int before = spread.stored.size();
          long t0 = System.nanoTime();
          spread.scheduler.fire().await();
          maxPass = Math.max(maxPass, (System.nanoTime() - t0) / 1e6);
          peak = Math.max(peak, spread.stored.size() - before);
          spread.clock.advance(1000).await();
        }
        if (spread.stored.size() != n) {
          throw new IllegalStateException("stored " + spread.stored.size() + " of " + n + " jittered jobs");
        }
        duplicates += dupes(spread.stored);
      } finally {
        spread.close();
      }
      long first = spread.stored.stream().mapToLong(ScheduleStore.NewScheduledJob::dueAt).min().orElse(TICK);
      long last = spread.stored.stream().mapToLong(ScheduleStore.NewScheduledJob::dueAt).max().orElse(TICK);
      return new Row(store, n, fireMs, (last - first) / 1000.0, peak, maxPass, duplicates, 1);
    } finally {
      vertx.close().await();
    }
  }

  private static long dupes(List<ScheduleStore.NewScheduledJob> stored) {
    Set<String> ticks = new HashSet<>();
    return stored.stream().filter(j -> !ticks.add(j.scheduleId() + "@" + j.scheduledAt())).count();
  }

  private static final class Herd {
    JobStore store;
    ManualTimeSource clock;
    CronScheduler scheduler;
    final List<ScheduleStore.NewScheduledJob> stored = new ArrayList<>();
    Runnable cleanup = () -> { };

    void close() {
      store.close().await();
      cleanup.run();
    }
  }

  private static Herd herd(Vertx vertx, Options o, String kind, int n, int jitter) throws Exception {
    Herd h = new Herd();
    if (kind.equals("postgres")) {
      String schema = "bench_" + Long.toHexString(System.nanoTime());
      h.store = new PgJobStore(vertx, new StoreConfig(o.pgUrl(), "data", schema, 8, 256));
      h.cleanup = () -> dropSchema(o.pgUrl(), schema);
    } else {
      Path dir = Files.createTempDirectory("fd-cron-bench");
      h.store = new SqliteJobStore(dir.resolve("flightdeck.db"), 256);
    }
    h.store.start().await();
    h.clock = new ManualTimeSource(TICK - 30_000);
    ScheduleService service = new ScheduleService(h.store, null, h.clock, 3600);
    List<Future<?>> pending = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      JsonObject body = new JsonObject().put("name", "hourly-" + i).put("cron", "0 * * * *")
          .put("job", new JsonObject().put("app", String.format("app-%03d", i % 100)).put("kind", "start")
              .put("target", new JsonObject().put("process_group", "worker")));
      if (jitter > 0) {
        body.put("jitter_seconds", jitter);
      }
      pending.add(service.create(service.parse(body), "bench"));
      if (pending.size() == 200) {
        Future.all(pending).await();
        pending.clear();
      }
    }
    Future.all(pending).await();
    h.scheduler = scheduler(vertx, o, h.store, h.clock, h.stored);
    return h;
  }

  private static CronScheduler scheduler(Vertx vertx, Options o, JobStore store, ManualTimeSource clock,
      List<ScheduleStore.NewScheduledJob> stored) {
    CronScheduler s = new CronScheduler(vertx.getOrCreateContext(), store, () -> { }, clock,
        new CronConfig(true, 1000, o.batch(), 10, 50), 3600);
    s.onFired(out -> {
      synchronized (stored) {
        stored.addAll(out.inserted());
      }
    });
    return s;
  }

  private static String fmt(Row r) {
    return String.format(Locale.ROOT, "%-8s %,d due at once: stored in %.0f ms (%,.0f jobs/s); jitter spread %.1f s, "
        + "peak %d per poll, slowest poll %.0f ms, duplicates %d", r.store(), r.schedules(), r.fireMs(),
        r.schedules() / (r.fireMs() / 1000), r.spreadS(), r.peakPerS(), r.maxPassMs(), r.duplicates());
  }

  private static Row median(List<Row> runs) {
    List<Double> fire = new ArrayList<>();
    List<Double> spread = new ArrayList<>();
    List<Double> peak = new ArrayList<>();
    List<Double> pass = new ArrayList<>();
    long dup = 0;
    for (Row r : runs) {
      fire.add(r.fireMs());
      spread.add(r.spreadS());
      peak.add((double) r.peakPerS());
      pass.add(r.maxPassMs());
      dup += r.duplicates();
    }
    return new Row(runs.get(0).store(), runs.get(0).schedules(), Percentiles.median(fire), Percentiles.median(spread),
        (int) Percentiles.median(peak), Percentiles.median(pass), dup, runs.size());
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
      arr.add(new JsonObject().put("store", r.store()).put("schedules", r.schedules())
          .put("tick_to_last_job_stored_ms", r.fireMs()).put("jitter_seconds", o.jitterSeconds())
          .put("jitter_spread_s", r.spreadS()).put("peak_jobs_per_poll", r.peakPerS())
          .put("slowest_poll_ms", r.maxPassMs()).put("duplicates", r.duplicates()).put("rounds", r.rounds()));
    }
    JsonObject out = new JsonObject().put("benchmark", "cron").put("at", Instant.now().toString())
        .put("command", o.command()).put("cpus", Runtime.getRuntime().availableProcessors()).put("rows", arr);
    Path dir = Path.of("bench", "results");
    Files.createDirectories(dir);
    String stamp = Instant.now().toString().replace(":", "").replaceAll("\\..*", "");
    Files.writeString(dir.resolve("cron-" + stamp + ".json"), out.encodePrettily());
    Files.writeString(dir.resolve("cron-latest.json"), out.encodePrettily());
    System.out.println("wrote bench/results/cron-" + stamp + ".json");
  }

  private static Options parse(String[] args) {
    java.util.Map<String, String> a = new java.util.HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--help")) {
        System.out.println("""
            bench/run cron [--stores sqlite,postgres] [--schedules 10000] [--jitter 60] [--rounds 3]
                           [--batch 500] [--pg postgresql://postgres@127.0.0.1:5432/test]""");
        return null;
      }
      a.put(args[i].substring(2), args[++i]);
    }
    StringBuilder cmd = new StringBuilder("bench/run cron");
    for (String s : args) {
      cmd.append(' ').append(s);
    }
    return new Options(List.of(a.getOrDefault("stores", "sqlite,postgres").split(",")),
        Integer.parseInt(a.getOrDefault("schedules", "10000")), Integer.parseInt(a.getOrDefault("jitter", "60")),
        Integer.parseInt(a.getOrDefault("rounds", "3")), Integer.parseInt(a.getOrDefault("batch", "500")),
        a.getOrDefault("pg", "postgresql://postgres@127.0.0.1:5432/test"), cmd.toString());
  }
}
