package dev.flightdeck.jobs;

import dev.flightdeck.api.ApiErrors;
import dev.flightdeck.api.ApiFailures;
import dev.flightdeck.api.AuthHandler;
import dev.flightdeck.api.Principal;
import dev.flightdeck.store.JobFilter;
import dev.flightdeck.store.JobRecord;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import dev.flightdeck.api.ApiRequests;
import dev.flightdeck.api.Operations;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The job API: {@code POST /v1/jobs}, {@code GET /v1/jobs}, {@code GET /v1/jobs/{id}},
 * {@code POST /v1/jobs/{id}/cancel} and the Server-Sent Events stream {@code GET /v1/jobs/{id}/events}.
 */
public final class JobRoutes {

  /** An event stream with nothing to say writes a comment this often (well inside api.idle_timeout_seconds). */
  private static final long KEEPALIVE_NANOS = 15_000_000_000L;

  private final JobService jobs;
  private final JobEvents events;
  private final Vertx vertx;

  private JobRoutes(Vertx vertx, JobService jobs, JobEvents events) {
    this.vertx = vertx;
    this.jobs = jobs;
    this.events = events;
  }

  public static void mount(RouterBuilder api, Vertx vertx, JobService jobs, JobEvents events) {
    JobRoutes r = new JobRoutes(vertx, jobs, events);
    Operations.on(api, "submitJob", r::submit);
    Operations.on(api, "listJobs", r::list);
    Operations.on(api, "getJob", r::get);
    Operations.on(api, "cancelJob", r::cancel);
    Operations.on(api, "jobEvents", r::events);
  }

  private void submit(RoutingContext ctx) {
    JsonObject body = ApiRequests.body(ctx);
    JobSpec spec;
    try {
      spec = jobs.parse(body);
    } catch (InvalidJobException e) {
      if (!ApiRequests.refusedByContract(ctx)) {
        ApiErrors.send(ctx, 422, e.code(), e.getMessage(), e.field());
      }
      return;
    }
    if (!AuthHandler.mayWrite(ctx, spec.app())) {
      return;
    }
    String key = ctx.request().getHeader("Idempotency-Key"); // its form is the contract's
    Principal who = AuthHandler.principal(ctx);
    jobs.submit(spec, body, key, who.name()).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      JobService.Submitted s = ar.result();
      switch (s.outcome()) {
        case DRY_RUN -> ApiFailures.json(ctx, 200, s.plan());
        case CREATED -> {
          ctx.response().putHeader("Location", "/v1/jobs/" + s.job().id());
          ApiFailures.json(ctx, 201, JobJson.job(s.job(), null));
        }
        case REPLAYED -> {
          ctx.response().putHeader("Idempotent-Replayed", "true");
          ApiFailures.json(ctx, 200, JobJson.job(s.job(), null));
        }
        case CONFLICT -> ApiErrors.send(ctx, 409, "idempotency_conflict", "Idempotency-Key '" + key
            + "' was already used for another request (job " + s.job().id() + ")", "Idempotency-Key");
      }
    });
  }

  private void get(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    jobs.get(id).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (ar.result() == null) {
        ApiErrors.send(ctx, 404, "not_found", "no job " + id, "id");
      } else if (AuthHandler.mayRead(ctx, ar.result().app())) {
        JobRecord j = ar.result();
        jobs.slots(id).onComplete(sl -> {
          if (sl.failed()) {
            ctx.fail(sl.cause());
          } else {
            ApiFailures.json(ctx, 200, JobJson.job(j, sl.result()));
          }
        });
      }
    });
  }

  private void list(RoutingContext ctx) {
    Principal p = AuthHandler.principal(ctx);
    var q = ctx.queryParams();
    String app = q.get("app");
    String state = q.get("state");
    String kind = q.get("kind");
    if (app != null && !AuthHandler.mayRead(ctx, app)) {
      return;
    }
    Long after;
    Long before;
    try {
      after = instant(q.get("created_after"), "created_after");
      before = instant(q.get("created_before"), "created_before");
    } catch (IllegalArgumentException e) {
      String field = e.getMessage().split(" ")[0];
      ApiErrors.send(ctx, 400, "invalid_parameter",
          field + " must be an RFC 3339 time from year 0000 to 9999, such as 2026-11-28T12:00:00Z", field);
      return;
    }
    int limit = ApiRequests.limit(ctx); // state, kind and limit are checked by the contract
    JobFilter f = new JobFilter(p.apps(), app, state, kind, after, before);
    String cursor = q.get("cursor");
    jobs.list(f, cursor, limit).onComplete(ar -> {
      if (ar.failed()) {
        if (ar.cause() instanceof IllegalArgumentException || ar.cause() instanceof NumberFormatException) {
          ApiErrors.send(ctx, 400, "invalid_parameter", "cursor is not one this server handed out", "cursor");
        } else {
          ctx.fail(ar.cause());
        }
        return;
      }
      JsonArray arr = new JsonArray();
      ar.result().items().forEach(j -> arr.add(JobJson.job(j, null)));
      ApiFailures.json(ctx, 200, new JsonObject().put("jobs", arr).put("next_cursor", ar.result().nextCursor()));
    });
  }

  /** Times a query may name: years 0000 to 9999, as RFC 3339 writes them. */
  public static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");
  public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

  private static Long instant(String v, String name) {
    if (v == null) {
      return null;
    }
    try {
      Instant t = Instant.parse(v);
      if (t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
        throw new IllegalArgumentException(name + " out of range"); // beyond a long of milliseconds, or absurd
      }
      return t.toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(name + " invalid");
    }
  }

  private void cancel(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    jobs.get(id).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      JobRecord j = ar.result();
      if (j == null) {
        ApiErrors.send(ctx, 404, "not_found", "no job " + id, "id");
        return;
      }
      if (!AuthHandler.mayWrite(ctx, j.app())) {
        return;
      }
      if (j.ended()) {
        ApiErrors.send(ctx, 409, "already_ended", "job " + id + " already ended (" + j.state() + ")", "id");
        return;
      }
      jobs.cancel(id).onComplete(c -> {
        if (c.failed()) {
          ctx.fail(c.cause());
        } else {
          ApiFailures.json(ctx, 202, JobJson.job(c.result(), null));
        }
      });
    });
  }

  // ------------------------------------------------------------------ Server-Sent Events

  private void events(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    jobs.get(id).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      JobRecord j = ar.result();
      if (j == null) {
        ApiErrors.send(ctx, 404, "not_found", "no job " + id, "id");
        return;
      }
      if (!AuthHandler.mayRead(ctx, j.app())) {
        return;
      }
      new Stream(ctx, j).open();
    });
  }

  /** One SSE client: local events as they happen, plus store polling for jobs run elsewhere. */
  private final class Stream {
    final RoutingContext ctx;
    final HttpServerResponse res;
    JobRecord last;
    Runnable unsubscribe = () -> { };
    long timer = -1;
    boolean closed;
    long lastWrite = System.nanoTime();

    Stream(RoutingContext ctx, JobRecord job) {
      this.ctx = ctx;
      this.res = ctx.response();
      this.last = job;
    }

    void open() {
      res.setChunked(true)
          .putHeader("content-type", "text/event-stream")
          .putHeader("content-encoding", "identity") // never compressed: a deflater would hold events back
          .putHeader("cache-control", "no-cache")
          .putHeader("x-accel-buffering", "no");
      res.closeHandler(v -> close());
      send("progress", snapshot(last));
      if (last.ended()) {
        end(last);
        return;
      }
      unsubscribe = events.subscribe(last.id(), this::local);
      timer = vertx.setPeriodic(jobs.config().eventsPollIntervalMs(), t -> poll());
    }

    void local(JsonObject ev) {
      if (closed) {
        return;
      }
      String type = ev.getString("type");
      if ("end".equals(type)) {
        poll();
      } else {
        send(type, ev);
      }
    }

    void poll() {
      jobs.get(last.id()).onSuccess(j -> {
        if (closed || j == null) {
          return;
        }
        if (!j.progress().equals(last.progress()) || !j.state().equals(last.state())) {
          send("progress", snapshot(j));
        } else if (System.nanoTime() - lastWrite > KEEPALIVE_NANOS && !res.ended()) {
          res.write(": keepalive\n\n"); // a quiet job's stream outlives the listener's idle timeout
          lastWrite = System.nanoTime();
        }
        last = j;
        if (j.ended()) {
          end(j);
        }
      });
    }

    void end(JobRecord j) {
      send("end", snapshot(j));
      close();
      res.end();
    }

    JsonObject snapshot(JobRecord j) {
      return new JsonObject().put("type", "progress").put("id", j.id()).put("state", j.state())
          .put("progress", JobJson.progress(j.progress())).put("error", j.error());
    }

    void send(String event, JsonObject data) {
      if (!closed && !res.ended()) {
        res.write("event: " + event + "\ndata: " + data.encode() + "\n\n");
        lastWrite = System.nanoTime();
      }
    }

    void close() {
      if (closed) {
        return;
      }
      closed = true;
      unsubscribe.run();
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
    }
  }

  // ------------------------------------------------------------------ helpers


}
