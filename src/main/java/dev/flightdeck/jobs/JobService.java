package dev.flightdeck.jobs;

import dev.flightdeck.api.Authenticator;
import dev.flightdeck.store.InsertOutcome;
import dev.flightdeck.store.JobFilter;
import dev.flightdeck.store.JobRecord;
import dev.flightdeck.store.JobStore;
import dev.flightdeck.store.NewJob;
import dev.flightdeck.store.Page;
import dev.flightdeck.store.SlotRecord;
import dev.flightdeck.time.TimeSource;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The job front door, independent of HTTP: submit (with idempotency keys and dry runs), read,
 * list and cancel. Every trigger — the API, cron ticks, alerts — submits through here.
 */
public final class JobService {

  /** What a submit did. */
  public enum Outcome { CREATED, REPLAYED, CONFLICT, DRY_RUN }

  public record Submitted(Outcome outcome, JobRecord job, JsonObject plan) {}

  private final JobStore store;
  private final JobRunner runner;
  private final TimeSource time;
  private final JobsConfig config;
  private volatile java.util.function.Consumer<JobRecord> onSubmitted = j -> { };

  public JobService(JobStore store, JobRunner runner, TimeSource time, JobsConfig config) {
    this.store = store;
    this.runner = runner;
    this.time = time;
    this.config = config;
  }

  /** Told of every job stored through the API (metrics). */
  public void onSubmitted(java.util.function.Consumer<JobRecord> listener) {
    this.onSubmitted = listener;
  }

  public JobsConfig config() {
    return config;
  }

  /** Parses and validates a job body (throws {@link InvalidJobException} naming the field). */
  public JobSpec parse(JsonObject body) {
    return JobSpec.parse(body, config.defaultTimeoutSeconds());
  }

  /**
   * Stores a validated job; answers once it is committed. With an idempotency key, the same body
   * returns the job stored first, another body a CONFLICT.
   */
  public Future<Submitted> submit(JobSpec spec, JsonObject body, String idempotencyKey, String submittedBy) {
    if (spec.options().dryRun()) {
      return runner.planner.plan("dry-run", spec, config.planMaxAgeMs())
          .map(slots -> new Submitted(Outcome.DRY_RUN, null, JobJson.plan(spec, slots)));
    }
    long now = time.millis();
    NewJob job = newJob(spec.app(), spec.kind(), body, spec.options().priority(), idempotencyKey,
        idempotencyKey == null ? null : requestHash(body), submittedBy, now);
    // with room here and nothing queued, the job is stored claimed and runs here at once (one write less)
    boolean direct = runner.tryDirect(spec.app());
    Future<InsertOutcome> stored = direct ? store.insertClaimed(job, runner.instanceId()) : store.insert(job);
    if (direct) {
      stored = stored.andThen(ar -> runner.directAnswered(spec.app(),
          ar.succeeded() && ar.result().kind() == InsertOutcome.Kind.INSERTED ? ar.result().job() : null));
    }
    return stored.map(out -> {
      if (out.kind() == InsertOutcome.Kind.INSERTED) {
        if (!direct) {
          runner.wake();
        }
        onSubmitted.accept(out.job());
        return new Submitted(Outcome.CREATED, out.job(), null);
      }
      return new Submitted(out.kind() == InsertOutcome.Kind.EXISTING ? Outcome.REPLAYED : Outcome.CONFLICT,
          out.job(), null);
    });
  }

  /**
   * The one way a job comes to be: the API, cron ticks and scaling decisions all build it here (the
   * latter two then store it inside their own transactions).
   */
  public static NewJob newJob(String app, String kind, JsonObject body, int priority, String idempotencyKey,
      String requestHash, String submittedBy, long now) {
    return new NewJob(JobIds.next(now), app, kind, body, priority, idempotencyKey, requestHash, submittedBy, now);
  }

  public Future<JobRecord> get(String id) {
    return store.get(id);
  }

  public Future<List<SlotRecord>> slots(String id) {
    return store.slots(id);
  }

  public Future<Page<JobRecord>> list(JobFilter filter, String cursor, int limit) {
    return store.list(filter, cursor, limit);
  }

  /** Requests a cancel; returns the job after (null if unknown). */
  public Future<JobRecord> cancel(String id) {
    return store.requestCancel(id, time.millis()).onSuccess(j -> {
      if (j != null && JobRecord.RUNNING.equals(j.state())) {
        runner.cancelLocal(id);
      }
    });
  }

  /** SHA-256 of the body with keys sorted, so key order does not change it. */
  static String requestHash(JsonObject body) {
    return Authenticator.sha256(((JsonObject) canonical(body)).encode());
  }

  private static Object canonical(Object v) {
    if (v instanceof JsonObject o) {
      Map<String, Object> sorted = new TreeMap<>();
      for (String k : o.fieldNames()) {
        sorted.put(k, canonical(o.getValue(k)));
      }
      return new JsonObject(new java.util.LinkedHashMap<>(sorted));
    }
    if (v instanceof JsonArray a) {
      JsonArray out = new JsonArray();
      a.forEach(x -> out.add(canonical(x)));
      return out;
    }
    return v;
  }
}
