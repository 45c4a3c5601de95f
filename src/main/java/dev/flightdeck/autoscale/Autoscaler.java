package dev.flightdeck.autoscale;

import dev.flightdeck.fleet.CachedMachine;
import dev.flightdeck.fleet.FleetCache;
import dev.flightdeck.fleet.Selector;
import dev.flightdeck.jobs.JobIds;
import dev.flightdeck.store.AutoscaleStore;
import dev.flightdeck.store.DecisionRecord;
import dev.flightdeck.store.NewJob;
import dev.flightdeck.store.PolicyRecord;
import dev.flightdeck.store.StoredAlert;
import dev.flightdeck.time.Periodic;
import dev.flightdeck.time.TimeSource;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns firing alerts into scale jobs. A notification is recorded first (so Alertmanager's 2xx means
 * "kept"); then every policy one of its alerts matches is evaluated. While an alert keeps firing it
 * keeps the pressure on: every {@code autoscale.evaluate_interval_ms} the policies with matching
 * firing alerts are evaluated again, so a scale-up repeats after each cooldown until the alert
 * resolves or the policy reaches its bound. Each decision runs in one store transaction with the
 * policy locked, so several instances never scale twice for one cooldown.
 */
public final class Autoscaler {

  private static final Logger LOG = LoggerFactory.getLogger(Autoscaler.class);

  private final Context context;
  private final AutoscaleStore store;
  private final FleetCache fleet;
  private final Runnable jobsStored;
  private final TimeSource time;
  private final AutoscaleConfig config;
  private final long planMaxAgeMs;
  private final long defaultJobTimeoutSeconds;
  private final Map<String, Parsed> specs = new ConcurrentHashMap<>();
  private final List<Consumer<DecisionRecord>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private Periodic loop;
  private long passes;
  private boolean evaluating;
  private volatile boolean stopped;

  private record Parsed(int version, PolicySpec spec) {}

  public Autoscaler(Context context, AutoscaleStore store, FleetCache fleet, Runnable jobsStored, TimeSource time,
      AutoscaleConfig config, long planMaxAgeMs, long defaultJobTimeoutSeconds) {
    this.context = context;
    this.store = store;
    this.fleet = fleet;
    this.jobsStored = jobsStored;
    this.time = time;
    this.config = config;
    this.planMaxAgeMs = planMaxAgeMs;
    this.defaultJobTimeoutSeconds = defaultJobTimeoutSeconds;
  }

  /** Told of every decision recorded here: metrics, tests. */
  public void onDecision(Consumer<DecisionRecord> listener) {
    listeners.add(listener);
  }

  public void start() {
    if (!config.enabled()) {
      LOG.info("autoscaler disabled (autoscale.enabled=false): alerts are recorded, nothing is scaled");
      return;
    }
    context.runOnContext(v -> loop = Periodic.every(time, config.evaluateIntervalMs(), this::pass).start());
  }

  public void stop() {
    stopped = true;
    context.runOnContext(v -> {
      if (loop != null) {
        loop.stop();
      }
    });
  }

  private Future<?> pass() {
    return evaluateAll().onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("autoscaler pass failed: {}", ar.cause().getMessage());
      }
      if (++passes % 720 == 0) {
        store.pruneAlerts(time.millis() - config.alertTtlSeconds() * 1000);
      }
    });
  }

  /** The pressure pass: every policy with a matching firing alert. Completes with its decisions. */
  public Future<List<DecisionRecord>> evaluateAll() {
    Promise<List<DecisionRecord>> p = Promise.promise();
    context.runOnContext(v -> {
      if (evaluating || stopped || !config.enabled()) {
        p.complete(List.of());
        return;
      }
      evaluating = true;
      run(null, "pressure").onComplete(ar -> {
        evaluating = false;
        p.handle(ar);
      });
    });
    return p.future();
  }

  /**
   * A notification was recorded: evaluates every policy one of {@code alerts} matches (recording
   * the decision even when it changes nothing). Completes with the decisions.
   */
  public Future<List<DecisionRecord>> notified(List<StoredAlert> alerts) {
    if (!config.enabled() || stopped) {
      return Future.succeededFuture(List.of());
    }
    Promise<List<DecisionRecord>> p = Promise.promise();
    context.runOnContext(v -> run(alerts, "alert").onComplete(p));
    return p.future();
  }

  private Future<List<DecisionRecord>> run(List<StoredAlert> notified, String trigger) {
    long now = time.millis();
    return store.allPolicies().compose(policies -> store.firingAlerts(now - config.alertTtlSeconds() * 1000)
        .compose(firing -> {
          List<DecisionRecord> out = new ArrayList<>();
          Future<Void> chain = Future.succeededFuture();
          for (PolicyRecord pol : policies) {
            PolicySpec spec;
            try {
              spec = spec(pol);
            } catch (RuntimeException e) {
              LOG.warn("scaling policy {} no longer parses: {}", pol.id(), e.getMessage());
              continue;
            }
            if (notified != null && notified.stream().noneMatch(a -> matches(spec, a))) {
              continue;
            }
            chain = chain.compose(x -> evaluate(pol, spec, firing, trigger, now)
                .<Void>map(d -> {
                  if (d != null) {
                    out.add(d);
                  }
                  return null;
                })
                .recover(e -> {
                  LOG.warn("scaling policy {}: evaluation failed: {}", pol.name(), e.getMessage());
                  return Future.succeededFuture();
                }));
          }
          return chain.map(x -> out);
        }));
  }

  private static boolean matches(PolicySpec spec, StoredAlert a) {
    return (spec.up() != null && spec.up().matches(a.labels())) || (spec.down() != null
        && spec.down().matches(a.labels()));
  }

  private Future<DecisionRecord> evaluate(PolicyRecord pol, PolicySpec spec, List<StoredAlert> firing, String trigger,
      long now) {
    List<StoredAlert> up = new ArrayList<>();
    List<StoredAlert> down = new ArrayList<>();
    for (StoredAlert a : firing) {
      if (a.endsAt() != null && a.endsAt() <= now) {
        continue; // Alertmanager said when it ends, and that has passed
      }
      if (spec.up() != null && spec.up().matches(a.labels())) {
        up.add(a);
      } else if (spec.down() != null && spec.down().matches(a.labels())) {
        down.add(a);
      }
    }
    if (up.isEmpty() && down.isEmpty()) {
      if (!trigger.equals("alert")) {
        return Future.succeededFuture(null);
      }
      return decide(pol.id(), trigger, now, (row, state) -> new ScalingMath.Decision(null, "no_change",
          "no matching alert is firing (resolved): no pressure", -1, -1), List.of());
    }
    String direction = up.isEmpty() ? "down" : "up";
    List<StoredAlert> pushing = up.isEmpty() ? down : up;
    Selector target = Selector.ALL.withProcessGroups(Set.of(spec.processGroup()));
    if (spec.region() != null) {
      target = target.withRegions(Set.of(spec.region()));
    }
    Selector sel = target;
    // a first look from the cache: most evaluations under pressure end in a cooldown and need no fresh list
    return fleet.machines(spec.app(), sel).compose(cached -> {
      ScalingMath.Decision first = ScalingMath.decide(inputs(spec, pol, direction, cached, now, null,
          List.of()));
      Future<List<CachedMachine>> machines = first.outcome().equals("cooldown") || first.outcome().equals("no_change")
          ? Future.succeededFuture(cached) : fleet.machines(spec.app(), sel, planMaxAgeMs);
      return machines.compose(ms -> {
        List<String> blockers = new ArrayList<>(blockers(ms, now));
        boolean wouldScale = ScalingMath.decide(inputs(spec, pol, direction, ms, now, null, blockers)).submits();
        Future<List<String>> others = wouldScale ? otherJobs(spec, ms) : Future.succeededFuture(List.of());
        return others.compose(jobs -> {
          blockers.addAll(jobs);
          return decide(pol.id(), trigger, now, (row, state) -> ScalingMath.decide(inputs(spec(row), row, direction,
              ms, now, state, blockers)), pushing);
        });
      });
    });
  }

  private interface Rule {
    ScalingMath.Decision apply(PolicyRecord row, String lastJobState);
  }

  private Future<DecisionRecord> decide(String policyId, String trigger, long now, Rule rule,
      List<StoredAlert> alerts) {
    JsonArray keys = new JsonArray();
    alerts.forEach(a -> keys.add(a.key()));
    boolean[] submitted = new boolean[1];
    boolean[] recorded = new boolean[1];
    return store.decide(policyId, config.decisionHistory(), (row, state) -> {
      ScalingMath.Decision d = rule.apply(row, state);
      PolicySpec spec = spec(row);
      NewJob job = null;
      if (d.submits()) {
        job = dev.flightdeck.jobs.JobService.newJob(spec.app(), "scale", spec.job(d.desired(), d.direction()), 0, null, null,
            "policy:" + spec.name(), now);
      }
      DecisionRecord rec = new DecisionRecord("dec_" + JobIds.next(now).substring(4), row.id(), now, trigger,
          d.direction(), d.outcome(), d.reason(), d.current() < 0 ? null : d.current(),
          d.desired() < 0 ? null : d.desired(), job == null ? null : job.id(), keys);
      String key = d.direction() + ":" + d.outcome();
      boolean record = trigger.equals("alert") || d.scales() || !key.equals(row.lastOutcome());
      boolean up = "up".equals(d.direction());
      Long lastUp = d.scales() && up ? (Long) now : row.lastUpAt();
      Long lastDown = d.scales() && !up ? (Long) now : row.lastDownAt();
      submitted[0] = job != null;
      recorded[0] = record;
      return new AutoscaleStore.Outcome(rec, record, job, lastUp, lastDown, key);
    }).map(rec -> {
      if (rec != null && submitted[0]) {
        jobsStored.run();
      }
      if (rec != null && recorded[0]) {
        LOG.atInfo().addKeyValue("policy_id", rec.policyId()).addKeyValue("outcome", rec.outcome())
            .addKeyValue("job_id", rec.jobId())
            .log("scaling policy {}: {} {} — {}", rec.policyId(), rec.outcome(), rec.direction() == null ? ""
                : rec.direction(), rec.reason());
        listeners.forEach(l -> l.accept(rec));
      }
      return rec;
    });
  }

  private static ScalingMath.Inputs inputs(PolicySpec spec, PolicyRecord row, String direction,
      List<CachedMachine> machines, long now, String lastJobState, List<String> blockers) {
    int started = 0;
    for (CachedMachine m : machines) {
      if ("started".equals(m.state())) {
        started++;
      }
    }
    return new ScalingMath.Inputs(spec, direction, started, now, row.lastUpAt(), row.lastDownAt(), row.lastJobId(),
        lastJobState, blockers);
  }

  /**
   * Queued or running jobs of the app, other than this policy's own, that work on the policy's group
   * (a manual start bringing it up, a deploy's update): the count they leave is not known yet, so a
   * decision waits for them rather than act on a count about to change.
   */
  private Future<List<String>> otherJobs(PolicySpec spec, List<CachedMachine> group) {
    java.util.Set<String> groupIds = new java.util.HashSet<>();
    group.forEach(m -> groupIds.add(m.id()));
    String own = "policy:" + spec.name();
    return store.activeJobs(spec.app(), 50).map(jobs -> {
      List<String> out = new ArrayList<>();
      for (dev.flightdeck.store.JobRecord j : jobs) {
        if (own.equals(j.submittedBy()) || !touches(j, spec, groupIds)) {
          continue;
        }
        out.add("job " + j.id() + " (" + j.kind() + ", " + j.state() + ") on the group");
        if (out.size() == 3) {
          break;
        }
      }
      return out;
    }).otherwise(List.of());
  }

  private boolean touches(dev.flightdeck.store.JobRecord j, PolicySpec spec, java.util.Set<String> groupIds) {
    dev.flightdeck.jobs.JobSpec js;
    try {
      js = dev.flightdeck.jobs.JobSpec.parse(j.spec(), defaultJobTimeoutSeconds);
    } catch (RuntimeException e) {
      return false;
    }
    if (js.params() instanceof dev.flightdeck.jobs.JobSpec.RunParams) {
      return false; // ephemeral machines, destroyed when they exit: not the group's capacity
    }
    if (js.params() instanceof dev.flightdeck.jobs.JobSpec.ScaleParams sp) {
      return sp.processGroup().equals(spec.processGroup());
    }
    if (js.params() instanceof dev.flightdeck.jobs.JobSpec.CreateParams cp) {
      Object g = cp.config() == null ? null : cp.config().getJsonObject("metadata", new io.vertx.core.json.JsonObject())
          .getValue("fly_process_group");
      return g == null || spec.processGroup().equals(g);
    }
    if (!js.target().machineIds().isEmpty()) {
      return js.target().machineIds().stream().anyMatch(groupIds::contains);
    }
    Selector sel = js.target().selector();
    return js.target().all() || sel == null || sel.processGroups().isEmpty()
        || sel.processGroups().contains(spec.processGroup());
  }

  /** Machines a deploy is working on: leased by someone else, or being replaced. */
  static List<String> blockers(List<CachedMachine> machines, long now) {
    List<String> out = new ArrayList<>();
    int more = 0;
    for (CachedMachine m : machines) {
      String why = null;
      if ("replacing".equals(m.state())) {
        why = "machine " + m.id() + " is being replaced";
      } else if (m.leasedByOthersAt(now)) {
        why = "machine " + m.id() + " is leased by " + m.leaseOwner() + " until "
            + Instant.ofEpochSecond(m.leaseExpiresAt());
      }
      if (why != null) {
        if (out.size() < 3) {
          out.add(why);
        } else {
          more++;
        }
      }
    }
    if (more > 0) {
      out.add("and " + more + " more");
    }
    return out;
  }

  PolicySpec spec(PolicyRecord p) {
    Parsed cached = specs.get(p.id());
    if (cached == null || cached.version() != p.version()) {
      cached = new Parsed(p.version(), PolicySpec.parse(p.spec(), defaultJobTimeoutSeconds));
      specs.put(p.id(), cached);
    }
    return cached.spec();
  }
}
