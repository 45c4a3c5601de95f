package dev.flightdeck.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.testing.Postgres;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos run: Flightdeck (1 instance on SQLite, or 3 on PostgreSQL) against the simulator while
 * a fault schedule plays — 5xx bursts, 429 storms, answers slower than the client's timeout,
 * connections dropped before and after the action applied, foreign lease holders, the API down,
 * SIGKILL and SIGTERM mid-batch, a restart loop, PostgreSQL restarted — under job load with cron
 * and alerts firing. Then the invariants are checked against the simulator's journal and the API.
 * {@code bench/chaos} runs the long profile; {@code mvn verify} a short one.
 */
class ChaosIT {

  private static final String ALERT_TOKEN = "chaos-alert-token";
  private static final List<String> MADE = List.of("made-0", "made-1", "made-2", "made-3");

  @TempDir
  Path dir;

  private final String profile = System.getProperty("chaos.profile", "short");
  private final boolean full = profile.equals("full");
  private final Random random = new Random(7);
  private int restarts;
  /** When each instance came up and its {RSS, open files} then, for the soak figures at the end. */
  private final Map<ProcessCluster.Instance, Started> started = new ConcurrentHashMap<>();

  private record Started(long atMs, long[] resources) {}

  @Test
  void one_instance_on_sqlite_keeps_every_invariant_under_faults() throws Exception {
    run("sqlite", 1);
  }

  @Test
  void three_instances_on_postgresql_keep_every_invariant_under_faults() throws Exception {
    run("postgres", 3);
  }

  /** What a run measured, printed as the README's table row. */
  private record Figures(String store, int instances, int faults, int submitted, int completed, int cancelled, long ops,
      long retries, int bootFailures, int duplicates, int leasesLeaked, long maxTakeoverMs, int ticks, int scaleUps) {}

  private void run(String store, int instanceCount) throws Exception {
    String schema = store.equals("postgres") ? Postgres.freshSchema() : null;
    List<String> faultLog = Collections.synchronizedList(new ArrayList<>());
    try (ProcessCluster c = new ProcessCluster(dir)) {
      c.startSim("--sim.latency.start_ms=150", "--sim.latency.stop_ms=150", "--sim.latency.create_ms=200");
      // fault-exposed jobs act on machines of their own: stopped ones ("chaos") to start or destroy,
      // started ones ("warm") to stop, restart, suspend, update or destroy
      c.simSend("POST", "/sim/apps", new JsonObject().put("name", "chaos").put("machines", full ? 2400 : 400));
      c.simSend("POST", "/sim/apps", new JsonObject().put("name", "warm").put("machines", full ? 6000 : 900)
          .put("state", "started"));
      c.simSend("POST", "/sim/apps", new JsonObject().put("name", "batch").put("machines", 0));
      c.simSend("POST", "/sim/apps", new JsonObject().put("name", "sized").put("machines", 6).put("state", "started")
          .put("process_groups", new JsonArray().add("web")));
      c.simSend("POST", "/sim/apps", new JsonObject().put("name", "idle").put("machines", 50));
      for (String app : MADE) { // create jobs: four apps, as creates are limited to one per second per app
        c.simSend("POST", "/sim/apps", new JsonObject().put("name", app).put("machines", 0));
      }
      c.simSend("POST", "/sim/apps", new JsonObject().put("name", "cron").put("machines", 10));
      c.simSend("POST", "/sim/apps", new JsonObject().put("name", "scale").put("machines", 10)
          .put("process_groups", new JsonArray().add("worker")));
      Map<String, List<String>> pools = new HashMap<>();
      for (String app : List.of("chaos", "warm")) {
        List<String> pool = new ArrayList<>();
        c.simMachines(app).forEach(m -> pool.add(((JsonObject) m).getString("id")));
        Collections.shuffle(pool, random);
        pools.put(app, pool);
      }
      List<String> workerMachines = new ArrayList<>();
      c.simMachines("scale").forEach(m -> workerMachines.add(((JsonObject) m).getString("id")));

      JsonObject overrides = new JsonObject()
          // retention far above the run's job count: a pruned job would look lost to the checks below
          .put("jobs", new JsonObject().put("heartbeat_timeout_ms", 1500).put("shutdown_grace_ms", 1000)
              .put("max_running", 64).put("retention", new JsonObject().put("max_ended_jobs", 1_000_000)))
          .put("dispatch", new JsonObject().put("max_in_flight", 32).put("op_timeout_ms", 90_000)
              .put("wait_timeout_seconds", 1)
              .put("lease_conflict_timeout_ms", 30_000))
          .put("fly", new JsonObject().put("request_timeout_ms", 2000))
          .put("cron", new JsonObject().put("poll_interval_ms", 500))
          .put("autoscale", new JsonObject().put("evaluate_interval_ms", 1000)
              .put("webhook", new JsonObject().put("token", ALERT_TOKEN)));
      if (schema != null) {
        overrides.put("store", new JsonObject().put("url", Postgres.URL).put("schema", schema));
      }
      List<ProcessCluster.Instance> live = Collections.synchronizedList(new ArrayList<>());
      for (int i = 0; i < instanceCount; i++) {
        live.add(startInstance(c, store + "-" + i, overrides));
      }

      // cron: every minute, ten schedules; one autoscaling policy
      List<String> schedules = new ArrayList<>();
      List<String> cronMachines = new ArrayList<>();
      c.simMachines("cron").forEach(m -> cronMachines.add(((JsonObject) m).getString("id")));
      for (int i = 0; i < 10; i++) {
        JsonObject s = c.api(live.get(0), "POST", "/v1/schedules", new JsonObject().put("name", "tick-" + i)
            .put("cron", "* * * * *").put("starting_deadline_seconds", 0).put("misfire_policy", "skip")
            .put("job", new JsonObject().put("app", "cron").put("kind", "stop")
                .put("target", new JsonObject().put("machine_ids", new JsonArray().add(cronMachines.get(i))))));
        assertThat(s.getInteger("_status")).as(s.encode()).isEqualTo(201);
        schedules.add(s.getString("id"));
      }
      JsonObject policy = c.api(live.get(0), "POST", "/v1/scaling-policies", new JsonObject().put("name", "load")
          .put("app", "scale").put("process_group", "worker").put("min", 0).put("max", 8).put("step_up", 2)
          .put("cooldown_up_seconds", 10).put("cooldown_down_seconds", 3600)
          .put("up", new JsonObject().put("alertname", "ChaosLoad")));
      assertThat(policy.getInteger("_status")).as(policy.encode()).isEqualTo(201);

      // the load
      Map<String, Expect> accepted = new ConcurrentHashMap<>();
      AtomicInteger submitted = new AtomicInteger();
      Map<String, AtomicInteger> next = Map.of("chaos", new AtomicInteger(), "warm", new AtomicInteger());
      long runMs = full ? 600_000 : 95_000;
      long start = System.currentTimeMillis();
      ExecutorService workers = Executors.newFixedThreadPool(16); // one thread per loop below
      java.util.concurrent.atomic.AtomicBoolean submitting = new java.util.concurrent.atomic.AtomicBoolean(true);
      // fault-exposed jobs of every one-machine-action kind, each on three machines no other job
      // touches, so their end state and every action they sent are checkable
      AtomicInteger nextKind = new AtomicInteger();
      java.util.concurrent.BlockingDeque<String> recent = new java.util.concurrent.LinkedBlockingDeque<>();
      workers.submit(() -> loop(submitting, 250, () -> {
        String[] kindAndApp = EXPOSED[nextKind.getAndIncrement() % EXPOSED.length].split("@");
        String kind = kindAndApp[0];
        String app = kindAndApp[1];
        int from = next.get(app).getAndAdd(3);
        if (from + 3 > pools.get(app).size()) {
          return;
        }
        List<String> ids = List.copyOf(pools.get(app).subList(from, from + 3));
        JsonObject job = new JsonObject().put("app", app).put("kind", kind)
            .put("target", new JsonObject().put("machine_ids", new JsonArray(new ArrayList<>(ids))));
        if (kind.equals("update")) {
          job.put("params", new JsonObject().put("image", UPDATED_IMAGE));
        } else if (kind.equals("destroy") && app.equals("warm")) {
          job.put("params", new JsonObject().put("force", true)); // the API refuses to destroy a running machine otherwise
        }
        String id = submit(c, live, job, submitted, accepted, new Expect(kind, app, ids));
        if (id != null) {
          recent.addFirst(id);
        }
      }));
      // cancels at random moments of the fault-exposed jobs' lives (mid-backoff, mid-flush, mid-wait)
      Set<String> cancelsSent = ConcurrentHashMap.newKeySet();
      Random cancelRandom = new Random(13);
      workers.submit(() -> loop(submitting, 700, () -> {
        String id = recent.pollFirst();
        recent.clear();
        if (id != null && cancelRandom.nextInt(3) == 0) {
          Thread.sleep(cancelRandom.nextInt(1500)); // pacing: how far into its life the job is cancelled
          for (int attempt = 0; attempt < 5; attempt++) {
            try {
              int status = c.call(pick(live), "POST", "/v1/jobs/" + id + "/cancel", null, ProcessCluster.API_TOKEN,
                  Map.of()).getInteger("_status");
              if (status < 500) {
                cancelsSent.add(id);
                break;
              }
            } catch (java.io.IOException e) {
              // that instance is going down: another one
            }
          }
        }
      }));
      // run jobs: two ephemeral machines each, every 3 s, run to completion (exit 0 after 300 ms)
      workers.submit(() -> loop(submitting, 3000, () -> submit(c, live, new JsonObject().put("app", "batch")
          .put("kind", "run").put("params", new JsonObject().put("count", 2).put("config", new JsonObject()
              .put("image", "registry.fly.io/batch:1").put("env", new JsonObject().put("SIM_RUN_MS", "300")))),
          submitted, accepted, new Expect("run", "batch", List.of()))));
      // scale jobs on a group of their own: up to 8, down to 3 (stop, suspend or destroy), up to 6, …
      AtomicInteger nextScale = new AtomicInteger();
      workers.submit(() -> loop(submitting, 4000, () -> {
        int n = nextScale.getAndIncrement();
        submit(c, live, new JsonObject().put("app", "sized").put("kind", "scale").put("params", new JsonObject()
            .put("process_group", "web").put("count", new int[] {8, 3, 6, 2}[n % 4])
            .put("down_action", new String[] {"stop", "suspend", "destroy"}[n % 3])), submitted, accepted,
            new Expect("scale", "sized", List.of()));
      }));
      // manual jobs on the group the autoscaling policy scales: a deploy-like stop of two workers and
      // a start of two others, while alerts ask for more
      AtomicInteger nextManual = new AtomicInteger();
      workers.submit(() -> loop(submitting, 5000, () -> {
        int n = nextManual.getAndIncrement();
        List<String> two = List.of(workerMachines.get((2 * n) % workerMachines.size()),
            workerMachines.get((2 * n + 1) % workerMachines.size()));
        submit(c, live, new JsonObject().put("app", "scale").put("kind", n % 2 == 0 ? "start" : "stop")
            .put("target", new JsonObject().put("machine_ids", new JsonArray(new ArrayList<>(two)))), submitted,
            accepted, new Expect("manual", "scale", two));
      }));
      // fault-exposed creates: two machines per job, every 2 s, round-robin over the four apps
      AtomicInteger nextCreate = new AtomicInteger();
      workers.submit(() -> loop(submitting, 2000, () -> {
        String app = MADE.get(nextCreate.getAndIncrement() % MADE.size());
        submit(c, live, new JsonObject().put("app", app).put("kind", "create").put("params", new JsonObject()
            .put("count", 2).put("config", new JsonObject().put("image", "registry.fly.io/chaos:1"))), submitted,
            accepted, new Expect("create", app, List.of()));
      }));
      // plain load: many small jobs whose machines are already where they should be; the long profile
      // sends 300/s for the first 20 s of every minute (more than the instances sustain for ten minutes)
      int loadPerSecond = full ? 300 : 40;
      for (int w = 0; w < 3; w++) {
        workers.submit(() -> loop(submitting, 3000 / loadPerSecond, () -> {
          if (full && (System.currentTimeMillis() - start) % 60_000 >= 20_000) {
            return;
          }
          submit(c, live, new JsonObject().put("app", "idle").put("kind", "stop")
              .put("target", new JsonObject().put("all", true)), submitted, accepted, new Expect("noop", "idle", List.of()));
        }));
      }
      // alerts: the same firing alert re-sent every 3 s (within the 10 s cooldown, and after it)
      workers.submit(() -> loop(submitting, 3000, () -> alert(c, live, "firing")));
      // retries counted by each instance, sampled: a SIGKILLed instance's counter dies with it
      Map<String, Long> retriesSeen = new ConcurrentHashMap<>();
      workers.submit(() -> loop(submitting, 1000, () -> sampleRetries(c, live, retriesSeen)));

      // the fault schedule
      long maxTakeover = 0;
      long apiDownMs = full ? 60_000 : 15_000;
      at(start, 5_000);
      faults(c, faultLog, "5xx burst (30% of calls, 10 s)", new JsonObject().put("error_rate", 0.3));
      at(start, 15_000);
      faults(c, faultLog, "none", new JsonObject());
      at(start, 18_000);
      faults(c, faultLog, "429 storm (50% of calls, 6 s)", new JsonObject().put("throttle_rate", 0.5));
      at(start, 24_000);
      faults(c, faultLog, "machines that fail to start (25% of boots end in failed, 6 s)", new JsonObject()
          .put("start_failure_rate", 0.25));
      at(start, 30_000);
      faults(c, faultLog, "none", new JsonObject());
      maxTakeover = Math.max(maxTakeover, kill(c, live, 0, overrides, faultLog));
      at(start, 38_000);
      faults(c, faultLog, "answers slower than the client timeout (20%, 3 s)", new JsonObject().put("slow_rate", 0.2)
          .put("slow_ms", 3000));
      at(start, 46_000);
      faults(c, faultLog, "dropped connections before and after the action (10% + 10%)", new JsonObject()
          .put("drop_before_rate", 0.1).put("drop_after_rate", 0.1));
      at(start, 50_000);
      terminate(c, live, 0, overrides, faultLog); // a hand-back while answers are lost
      at(start, 56_000);
      faults(c, faultLog, "none", new JsonObject());
      c.simSend("PUT", "/sim/latency", new JsonObject().put("start_ms", 2500));
      faultLog.add("machines slow to start (2.5 s): wait calls answer 408 and are repeated");
      List<String> pool = pools.get("chaos");
      int from = next.get("chaos").get() + 6;
      List<String> leased = pool.subList(Math.min(from, pool.size() - 6), Math.min(from, pool.size() - 6) + 6);
      c.simSend("POST", "/sim/foreign-leases", new JsonObject().put("app", "chaos")
          .put("machine_ids", new JsonArray(new ArrayList<>(leased))).put("owner", "deployer@example.com")
          .put("ttl_seconds", 12));
      faultLog.add("foreign lease holder on 6 machines (12 s)");
      at(start, 60_000);
      terminate(c, live, live.size() - 1, overrides, faultLog);
      c.simSend("PUT", "/sim/latency", new JsonObject().put("start_ms", 150));
      at(start, 66_000);
      faults(c, faultLog, "the API down (every call 5xx, " + apiDownMs / 1000 + " s)", new JsonObject()
          .put("error_rate", 1.0));
      at(start, 66_000 + apiDownMs);
      faults(c, faultLog, "none", new JsonObject());
      if (store.equals("postgres")) {
        at(start, 70_000 + apiDownMs);
        restartPostgres(faultLog);
      }
      at(start, 75_000 + apiDownMs);
      for (int i = 0; i < 3; i++) { // a restart loop: the same instance, killed or stopped as soon as it is back
        if (i == 1) {
          terminate(c, live, live.size() - 1, overrides, faultLog);
        } else {
          maxTakeover = Math.max(maxTakeover, kill(c, live, live.size() - 1, overrides, faultLog));
        }
      }
      at(start, runMs);
      submitting.set(false);
      workers.shutdown();
      assertThat(workers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
      alert(c, live, "resolved");

      // every accepted job ends: first the store's own counts (cheap), then each job over the API
      long[] lastReport = {System.currentTimeMillis()};
      try {
        ProcessCluster.await(() -> {
          long backlog = backlog(c, live);
          if (System.currentTimeMillis() - lastReport[0] > 30_000) {
            lastReport[0] = System.currentTimeMillis();
            System.out.printf("chaos %s: %d jobs queued or running%n", store, backlog);
          }
          return backlog == 0;
        }, Duration.ofSeconds(full ? 900 : 240), "the store's queue to drain");
      } catch (AssertionError e) {
        System.out.printf("chaos %s: still %d jobs queued or running; checking each job%n", store, backlog(c, live));
      }
      Map<String, JsonObject> ended = new HashMap<>();
      Map<String, String> notEnded = new HashMap<>();
      try {
        ProcessCluster.await(() -> {
          notEnded.clear();
          for (String id : accepted.keySet()) {
            if (!ended.containsKey(id)) {
              JsonObject j = get(c, live, "/v1/jobs/" + id);
              if (j != null && Set.of("succeeded", "failed", "cancelled").contains(j.getString("state"))) {
                ended.put(id, j);
              } else {
                notEnded.put(id, j == null ? "not found" : j.getString("state"));
              }
            }
          }
          return ended.size() == accepted.size();
        }, Duration.ofSeconds(full ? 600 : 240), "every accepted job ended");
      } catch (AssertionError e) {
        // what the stuck jobs' machines went through, to see why
        List<JsonObject> all = c.journal(null);
        for (String id : notEnded.keySet().stream().limit(3).toList()) {
          JsonObject j = get(c, live, "/v1/jobs/" + id);
          System.out.println("not ended: " + (j == null ? id : j.encode()));
          for (Object o : j == null ? new JsonArray() : j.getJsonArray("machines", new JsonArray())) {
            String mid = ((JsonObject) o).getString("machine_id");
            all.stream().filter(x -> mid != null && mid.equals(x.getString("machine_id"))
                && !x.getString("action").equals("lease_refresh")).forEach(x -> System.out.println("  " + x.encode()));
          }
        }
        throw new AssertionError(e.getMessage() + ": " + notEnded.size() + " of " + accepted.size()
            + " did not, e.g. " + notEnded.entrySet().stream().limit(5).toList());
      }

      // the invariants
      List<JsonObject> journal = c.journal(null);
      Map<String, JsonObject> machines = new HashMap<>();
      for (String app : Stream.concat(Stream.of("chaos", "warm", "batch", "sized", "scale"), MADE.stream()).toList()) {
        c.simMachines(app).forEach(m -> machines.put(((JsonObject) m).getString("id"), (JsonObject) m));
      }
      ProcessCluster.await(() -> {
        try {
          return c.simAdmin("/sim/leases").getJsonArray("leases").stream()
              .noneMatch(l -> !"deployer@example.com".equals(((JsonObject) l).getString("owner")));
        } catch (Exception e) {
          return false;
        }
      }, Duration.ofSeconds(30), "no lease left held by Flightdeck");
      int leaked = (int) c.simAdmin("/sim/leases").getJsonArray("leases").stream()
          .filter(l -> !"deployer@example.com".equals(((JsonObject) l).getString("owner"))).count();
      int ticks = 0;
      for (String sid : schedules) {
        JsonArray runs = get(c, live, "/v1/schedules/" + sid).getJsonArray("runs");
        Set<String> seen = new HashSet<>();
        for (Object r : runs) {
          String at = ((JsonObject) r).getString("scheduled_at");
          assertThat(seen.add(at)).as("schedule " + sid + " fired its tick " + at + " once").isTrue();
          ticks++;
        }
      }
      // scale-ups from the policy's scale jobs: durable, while the decision history keeps only the last
      // 200 decisions (the re-sent alert records one every 3 s, so a long run outlives the first ones)
      List<Long> ups = new ArrayList<>();
      Map<String, String> direction = new HashMap<>();
      String cursor = null;
      do {
        JsonObject page = get(c, live, "/v1/jobs?app=scale&kind=scale&limit=500"
            + (cursor == null ? "" : "&cursor=" + java.net.URLEncoder.encode(cursor, java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(page).as("the scale jobs").isNotNull();
        for (Object o : page.getJsonArray("jobs")) {
          JsonObject sj = (JsonObject) o;
          assertThat(sj.getString("submitted_by")).as("scale job " + sj.getString("id")).isEqualTo("policy:load");
          ups.add(Instant.parse(sj.getString("created_at")).toEpochMilli());
          direction.put(sj.getString("id"), sj.getJsonObject("spec").getJsonObject("params").getString("direction"));
        }
        cursor = page.getString("next_cursor");
      } while (cursor != null);
      Collections.sort(ups);
      for (int i = 1; i < ups.size(); i++) {
        assertThat(ups.get(i) - ups.get(i - 1)).as("scale-ups at least the 10 s cooldown apart").isGreaterThanOrEqualTo(
            10_000);
      }
      assertThat(direction.values()).as("the policy's jobs scale up only").containsOnly("up");
      Map<String, Long> cancelledAt = new HashMap<>();
      ended.forEach((id, j) -> {
        if (j.getString("state").equals("cancelled")) {
          cancelledAt.put(id, Instant.parse(j.getString("finished_at")).toEpochMilli());
        }
      });
      JournalCheck check = new JournalCheck(journal, cancelledAt, direction);

      List<String> wrongState = new ArrayList<>();
      AtomicInteger bootFailures = new AtomicInteger();
      Map<String, int[]> byKind = new java.util.TreeMap<>(); // kind → {accepted, succeeded, cancelled}
      Map<String, Map<String, Integer>> failures = new java.util.TreeMap<>(); // kind → failed slots by error code
      for (Map.Entry<String, Expect> a : accepted.entrySet()) {
        JsonObject j = ended.get(a.getKey());
        Expect x = a.getValue();
        String state = j.getString("state");
        int[] k = byKind.computeIfAbsent(x.kind(), key -> new int[3]);
        k[0]++;
        k[1] += state.equals("succeeded") ? 1 : 0;
        k[2] += state.equals("cancelled") ? 1 : 0;
        if (state.equals("failed")) {
          for (Object o : j.getJsonArray("machines", new JsonArray())) {
            String code = ((JsonObject) o).getString("error_code");
            if (code != null && ((JsonObject) o).getString("state").equals("failed")) {
              failures.computeIfAbsent(x.kind(), key -> new java.util.TreeMap<>()).merge(code, 1, Integer::sum);
            }
          }
        }
        if (x.kind().equals("noop")) {
          assertThat(state).as("load job " + a.getKey() + ": " + j.encode()).isEqualTo("succeeded");
          continue;
        }
        if (state.equals("cancelled")) {
          continue; // what it did before the cancel is checked in the journal
        }
        if (!state.equals("succeeded")) {
          // failed under faults is allowed (its leases are checked below); a machine it says failed to boot is failed
          for (Object o : j.getJsonArray("machines", new JsonArray())) {
            JsonObject slot = (JsonObject) o;
            JsonObject m = machines.get(slot.getString("machine_id"));
            if (!"start_failed".equals(slot.getString("error_code"))) {
              continue;
            }
            bootFailures.incrementAndGet();
            if (Set.of("manual", "scale").contains(x.kind())) {
              continue; // a group other jobs act on later: a start, then a stop, may have followed
            }
            if (m == null || !"failed".equals(m.getString("state"))) {
              wrongState.add(a.getKey() + " says " + slot.getString("machine_id") + " failed to start; it is "
                  + (m == null ? "gone" : m.getString("state")));
            }
          }
          continue;
        }
        wrongState.addAll(wrongEndState(a.getKey(), x, j, machines, check));
      }
      long withoutLease = journal.stream().filter(e -> JournalCheck.MUTATIONS.contains(e.getString("action"))
          && !e.getBoolean("with_lease")).count();
      sampleRetries(c, live, retriesSeen);
      long retries = retriesSeen.values().stream().mapToLong(Long::longValue).sum();
      int completed = (int) ended.values().stream().filter(j -> j.getString("state").equals("succeeded")).count();
      Figures f = new Figures(store, instanceCount, faultLog.size(), accepted.size(), completed, cancelledAt.size(),
          check.mutations(), retries, bootFailures.get(), (int) check.duplicates(), leaked, maxTakeover, ticks,
          ups.size());
      print(f, faultLog);
      System.out.println("by kind (accepted / succeeded / cancelled):");
      byKind.forEach((kind, n) -> System.out.printf("  %s: %d / %d / %d; failed machines: %s%n", kind, n[0], n[1], n[2],
          failures.getOrDefault(kind, Map.of())));
      // the soak: every instance alive at the end, from the moment it came up (the restart loop ends
      // about two minutes into the run, so the SQLite instance has been up for most of it)
      for (ProcessCluster.Instance i : snapshot(live)) {
        Started s = started.get(i);
        if (s != null && i.process().isAlive()) {
          long[] end = resources(i.process().pid());
          System.out.printf("soak %s (up %d s, through the load and the drain): RSS %d → %d MiB, open files %d → %d%n",
              i.name(), (System.currentTimeMillis() - s.atMs()) / 1000, s.resources()[0] / 1024, end[0] / 1024,
              s.resources()[1], end[1]);
          assertThat(end[1]).as("file descriptors of " + i.name() + " stay bounded").isLessThan(s.resources()[1] + 200);
        }
      }
      System.out.printf("soak simulator: RSS %d MiB, open files %d (end)%n", resources(c.sim.pid())[0] / 1024,
          resources(c.sim.pid())[1]);

      assertThat(check.findings()).as("actions repeated, needless, after a cancel or against a scale's direction")
          .isEmpty();
      assertThat(wrongState).as("machines not in the state their succeeded job says").isEmpty();
      assertThat(withoutLease).as("mutations sent without the lease").isZero();
      assertThat(leaked).as("leases left held by Flightdeck").isZero();
      assertThat(ticks).as("cron fired").isGreaterThan(0);
      assertThat(ups).as("alerts scaled").isNotEmpty();
      assertThat(completed).as("jobs completed despite the faults").isGreaterThan(accepted.size() / 2);
    } finally {
      Postgres.drop(schema);
    }
  }

  private record Expect(String kind, String app, List<String> machines) {}

  /** The fault-exposed kinds, in the order they are submitted, with the app whose machines they take. */
  private static final String[] EXPOSED = {"start@chaos", "stop@warm", "restart@warm", "suspend@warm", "update@warm",
      "destroy@warm", "destroy@chaos"};
  private static final String UPDATED_IMAGE = "registry.fly.io/warm:2";

  /** What is wrong with the machines of a job that says it succeeded. */
  private static List<String> wrongEndState(String id, Expect x, JsonObject j, Map<String, JsonObject> machines,
      JournalCheck check) {
    List<String> wrong = new ArrayList<>();
    JsonArray slots = j.getJsonArray("machines", new JsonArray());
    switch (x.kind()) {
      case "create", "run" -> {
        if (slots.size() != 2) {
          wrong.add(id + " " + x.kind() + " succeeded with " + slots.size() + " machines, not 2");
        }
        for (Object o : slots) {
          JsonObject slot = (JsonObject) o;
          JsonObject m = machines.get(slot.getString("machine_id"));
          boolean ok = x.kind().equals("create") ? m != null && m.getString("state").equals("started")
              : Integer.valueOf(0).equals(slot.getInteger("exit_code"))
                  && (m == null || m.getString("state").equals("destroyed"));
          if (!ok) {
            wrong.add(id + " " + x.kind() + " " + slot.encode() + ": the machine is " + (m == null ? "gone"
                : m.getString("state")));
          }
        }
      }
      case "scale", "manual" -> {
        // groups other jobs (and the autoscaler) act on too: the journal rules are what holds
      }
      default -> {
        for (String mid : x.machines()) {
          JsonObject m = machines.get(mid);
          String now = m == null ? "destroyed" : m.getString("state");
          String want = switch (x.kind()) {
            case "start", "restart", "update" -> "started";
            case "stop" -> "stopped";
            case "suspend" -> "suspended";
            default -> "destroyed";
          };
          if (!now.equals(want)) {
            wrong.add(id + " " + x.kind() + " " + mid + " is " + now);
          }
          if (x.kind().equals("update") && m != null
              && !UPDATED_IMAGE.equals(m.getJsonObject("config", new JsonObject()).getString("image"))) {
            wrong.add(id + " update " + mid + " runs " + m.getJsonObject("config").getString("image"));
          }
          if (x.kind().equals("restart") && check.of(id).stream().noneMatch(e -> mid.equals(e.getString("machine_id"))
              && e.getString("action").equals("restart"))) {
            wrong.add(id + " restart " + mid + " succeeded without a restart sent");
          }
        }
      }
    }
    return wrong;
  }

  /** {VmRSS in KiB, open file descriptors} of a process, from /proc. */
  private static long[] resources(long pid) {
    try {
      long rss = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
          .filter(l -> l.startsWith("VmRSS:")).map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst()
          .orElse(0L);
      long fds;
      try (var list = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
        fds = list.count();
      }
      return new long[] {rss, fds};
    } catch (java.io.IOException e) {
      return new long[] {0, 0};
    }
  }

  private interface Step {
    void run() throws Exception;
  }

  private static void loop(java.util.concurrent.atomic.AtomicBoolean on, long everyMs, Step step) {
    while (on.get()) {
      long t0 = System.nanoTime();
      try {
        step.run();
      } catch (Exception e) {
        // the fault schedule is allowed to make a call fail; the next one goes on
      }
      long left = everyMs - (System.nanoTime() - t0) / 1_000_000;
      if (left > 0) {
        try {
          Thread.sleep(left); // pacing the load generator (not synchronisation)
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** Submits with an idempotency key, retrying on other instances until the answer is known. */
  private String submit(ProcessCluster c, List<ProcessCluster.Instance> live, JsonObject job, AtomicInteger submitted,
      Map<String, Expect> accepted, Expect expect) throws Exception {
    String key = "chaos-" + java.util.UUID.randomUUID();
    submitted.incrementAndGet();
    for (int attempt = 0; attempt < 20; attempt++) {
      ProcessCluster.Instance i = pick(live);
      try {
        JsonObject res = c.call(i, "POST", "/v1/jobs", job, ProcessCluster.API_TOKEN, Map.of("Idempotency-Key", key));
        int status = res.getInteger("_status");
        if (status == 201 || status == 200) {
          accepted.put(res.getString("id"), expect);
          return res.getString("id");
        }
        if (status < 500) {
          throw new IllegalStateException("refused: " + res.encode());
        }
      } catch (java.io.IOException e) {
        // that instance is down or draining: another one
      }
      Thread.sleep(200);
    }
    return null;
  }

  private void alert(ProcessCluster c, List<ProcessCluster.Instance> live, String status) throws Exception {
    JsonObject a = new JsonObject().put("status", status).put("fingerprint", "chaos01").put("startsAt",
            "2026-11-29T00:00:00Z").put("endsAt", status.equals("firing") ? "0001-01-01T00:00:00Z"
            : Instant.now().toString())
        .put("labels", new JsonObject().put("alertname", "ChaosLoad").put("app", "scale"));
    JsonObject body = new JsonObject().put("version", "4").put("status", status).put("receiver", "flightdeck")
        .put("groupKey", "{}:{alertname=\"ChaosLoad\"}").put("alerts", new JsonArray().add(a));
    for (int attempt = 0; attempt < 10; attempt++) {
      try {
        if (c.call(pick(live), "POST", "/v1/alerts/alertmanager", body, ALERT_TOKEN, Map.of()).getInteger("_status")
            == 200) {
          return;
        }
      } catch (java.io.IOException e) {
        // next instance
      }
      Thread.sleep(200);
    }
  }

  /** Jobs queued or running in the store, as the instances' {@code flightdeck_jobs_stored} gauge says. */
  private static long backlog(ProcessCluster c, List<ProcessCluster.Instance> live) {
    long most = -1;
    for (ProcessCluster.Instance i : snapshot(live)) {
      try {
        most = Math.max(most, (long) (c.metric(i, "flightdeck_jobs_stored{state=\"queued\"}")
            + c.metric(i, "flightdeck_jobs_stored{state=\"running\"}")));
      } catch (Exception e) {
        // down: another one answers
      }
    }
    return most < 0 ? Long.MAX_VALUE : most;
  }

  private static void sampleRetries(ProcessCluster c, List<ProcessCluster.Instance> live, Map<String, Long> seen) {
    for (ProcessCluster.Instance i : snapshot(live)) {
      try {
        seen.merge(i.name(), (long) c.metric(i, "flightdeck_dispatch_retries_total"), Math::max);
      } catch (Exception e) {
        // going down: its last sample stands
      }
    }
  }

  private static List<ProcessCluster.Instance> snapshot(List<ProcessCluster.Instance> live) {
    synchronized (live) {
      return new ArrayList<>(live);
    }
  }

  private ProcessCluster.Instance pick(List<ProcessCluster.Instance> live) {
    synchronized (live) {
      return live.get(random.nextInt(live.size()));
    }
  }

  private JsonObject get(ProcessCluster c, List<ProcessCluster.Instance> live, String path) {
    for (int attempt = 0; attempt < 5; attempt++) {
      try {
        JsonObject res = c.call(pick(live), "GET", path, null, ProcessCluster.API_TOKEN, Map.of());
        if (res.getInteger("_status") == 200) {
          return res;
        }
      } catch (Exception e) {
        // next
      }
    }
    return null;
  }

  private static void at(long start, long offsetMs) throws InterruptedException {
    long left = start + offsetMs - System.currentTimeMillis();
    if (left > 0) {
      Thread.sleep(left); // the fault schedule is a timeline
    }
  }

  private static void faults(ProcessCluster c, List<String> log, String what, JsonObject faults) throws Exception {
    JsonObject all = new JsonObject().put("error_rate", 0.0).put("throttle_rate", 0.0).put("slow_rate", 0.0)
        .put("drop_before_rate", 0.0).put("drop_after_rate", 0.0).put("start_failure_rate", 0.0).put("seed", 11);
    faults.forEach(e -> all.put(e.getKey(), e.getValue()));
    c.simSend("PUT", "/sim/faults", all);
    if (!what.equals("none")) {
      log.add(what);
    }
  }

  /**
   * SIGKILL an instance mid-batch and start it again. Returns the takeover time: kill → the first
   * unfinished job running again, taken over by another instance ("taking over job") or resumed by
   * the restarted one ("resuming job"); 0 when the victim had nothing running.
   */
  private long kill(ProcessCluster c, List<ProcessCluster.Instance> live, int index, JsonObject overrides,
      List<String> log) throws Exception {
    ProcessCluster.Instance victim;
    List<ProcessCluster.Instance> others;
    synchronized (live) {
      victim = live.remove(index);
      others = new ArrayList<>(live);
    }
    Map<ProcessCluster.Instance, Integer> before = new HashMap<>();
    for (ProcessCluster.Instance o : others) {
      before.put(o, o.process().output().size());
    }
    long t0 = System.currentTimeMillis();
    victim.process().kill();
    victim.process().waitFor(Duration.ofSeconds(10));
    log.add("SIGKILL " + victim.name() + " mid-batch");
    ProcessCluster.Instance again = startInstance(c, victim.name().replaceAll("-r\\d+$", "") + "-r" + (++restarts),
        overrides);
    live.add(again);
    before.put(again, 0);
    long deadline = System.currentTimeMillis() + 15_000;
    while (System.currentTimeMillis() < deadline) {
      for (Map.Entry<ProcessCluster.Instance, Integer> e : before.entrySet()) {
        List<String> out = e.getKey().process().output();
        for (int k = e.getValue(); k < out.size(); k++) {
          String line = out.get(k);
          if (line.contains("taking over job") || line.contains("resuming job")) {
            return parseTime(line) - t0;
          }
        }
      }
      Thread.sleep(50); // polling the children's output
    }
    return 0;
  }

  /** The event time of a log line (ChildProcess renders JSON lines as "epoch-ms LEVEL …"), or now. */
  private static long parseTime(String line) {
    try {
      return Long.parseLong(line.substring(0, line.indexOf(' ')));
    } catch (RuntimeException e) {
      return System.currentTimeMillis();
    }
  }

  private void terminate(ProcessCluster c, List<ProcessCluster.Instance> live, int index, JsonObject overrides,
      List<String> log) throws Exception {
    ProcessCluster.Instance victim = live.remove(index);
    victim.process().terminate();
    assertThat(victim.process().waitFor(Duration.ofSeconds(30))).as("exit code after SIGTERM").isZero();
    log.add("SIGTERM " + victim.name() + " mid-batch");
    live.add(startInstance(c, victim.name().replaceAll("-r\\d+$", "") + "-r" + (++restarts), overrides));
  }

  private ProcessCluster.Instance startInstance(ProcessCluster c, String name, JsonObject overrides) throws Exception {
    ProcessCluster.Instance i = c.startInstance(name, overrides);
    started.put(i, new Started(System.currentTimeMillis(), resources(i.process().pid())));
    return i;
  }

  private static void restartPostgres(List<String> log) throws Exception {
    String version = Files.list(Path.of("/etc/postgresql")).findFirst().orElseThrow().getFileName().toString();
    Process p = new ProcessBuilder("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m",
        "fast").redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    log.add("PostgreSQL restarted");
  }

  private static void print(Figures f, List<String> faults) {
    System.out.println("chaos " + f.store() + " × " + f.instances() + ": faults injected:");
    faults.forEach(x -> System.out.println("  - " + x));
    System.out.printf("| %s × %d | %d | %,d / %,d / %,d | %,d | %,d | %d | %d | %d | %.1f s | %d | %d |%n", f.store(),
        f.instances(), f.faults(), f.submitted(), f.completed(), f.cancelled(), f.ops(), f.retries(), f.bootFailures(),
        f.duplicates(),
        f.leasesLeaked(), f.maxTakeoverMs() / 1000.0, f.ticks(), f.scaleUps());
  }
}
