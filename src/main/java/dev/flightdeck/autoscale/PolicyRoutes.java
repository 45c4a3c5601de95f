package dev.flightdeck.autoscale;

import dev.flightdeck.api.ApiErrors;
import dev.flightdeck.api.ApiFailures;
import dev.flightdeck.api.AuthHandler;
import dev.flightdeck.api.Principal;
import dev.flightdeck.jobs.InvalidJobException;
import dev.flightdeck.jobs.JobIds;
import dev.flightdeck.store.AutoscaleStore;
import dev.flightdeck.store.DecisionRecord;
import dev.flightdeck.store.JobFilter;
import dev.flightdeck.store.PolicyRecord;
import dev.flightdeck.time.TimeSource;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import dev.flightdeck.api.ApiRequests;
import dev.flightdeck.api.Operations;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.function.Consumer;

/** {@code /v1/scaling-policies}: create, list, read, replace, delete, and the recent decisions. */
public final class PolicyRoutes {

  private final AutoscaleStore store;
  private final TimeSource time;
  private final long defaultJobTimeoutSeconds;

  private PolicyRoutes(AutoscaleStore store, TimeSource time, long defaultJobTimeoutSeconds) {
    this.store = store;
    this.time = time;
    this.defaultJobTimeoutSeconds = defaultJobTimeoutSeconds;
  }

  public static void mount(RouterBuilder api, AutoscaleStore store, TimeSource time, long defaultJobTimeoutSeconds) {
    PolicyRoutes r = new PolicyRoutes(store, time, defaultJobTimeoutSeconds);
    Operations.on(api, "createScalingPolicy", r::create);
    Operations.on(api, "listScalingPolicies", r::list);
    Operations.on(api, "getScalingPolicy", ctx -> r.withPolicy(ctx, false, p -> ApiFailures.json(ctx, 200, render(p))));
    Operations.on(api, "replaceScalingPolicy", r::replace);
    Operations.on(api, "deleteScalingPolicy", ctx -> r.withPolicy(ctx, true, p -> store.deletePolicy(p.id())
        .onComplete(ar -> {
          if (ar.failed()) {
            ctx.fail(ar.cause());
          } else {
            ctx.response().setStatusCode(204).end();
          }
        })));
    Operations.on(api, "listScalingDecisions", r::decisions);
  }

  private PolicySpec parse(RoutingContext ctx) {
    JsonObject body = ApiRequests.body(ctx);
    try {
      return PolicySpec.parse(body, defaultJobTimeoutSeconds);
    } catch (InvalidJobException e) {
      ApiErrors.send(ctx, 422, e.code(), e.getMessage(), e.field());
      return null;
    }
  }

  private void create(RoutingContext ctx) {
    PolicySpec spec = parse(ctx);
    if (spec == null || !AuthHandler.mayWrite(ctx, spec.app())) {
      return;
    }
    long now = time.millis();
    String id = "pol_" + JobIds.next(now).substring(4);
    PolicyRecord rec = new PolicyRecord(id, spec.app(), spec.name(), spec.toJson(), 1, null, null, null, null, now, now,
        AuthHandler.principal(ctx).name());
    store.createPolicy(rec).compose(ok -> ok ? store.getPolicy(id) : io.vertx.core.Future.succeededFuture(null))
        .onComplete(ar -> {
          if (ar.failed()) {
            ctx.fail(ar.cause());
          } else if (ar.result() == null) {
            ApiErrors.send(ctx, 409, "name_taken", "app " + spec.app() + " already has a scaling policy named '"
                + spec.name() + "'", "name");
          } else {
            ctx.response().putHeader("Location", "/v1/scaling-policies/" + id);
            ApiFailures.json(ctx, 201, render(ar.result()));
          }
        });
  }

  private void replace(RoutingContext ctx) {
    PolicySpec spec = parse(ctx);
    if (spec == null) {
      return;
    }
    withPolicy(ctx, true, p -> {
      if (!p.app().equals(spec.app())) {
        ApiErrors.send(ctx, 422, "invalid_field", "a policy's app cannot change (it is " + p.app() + ")", "app");
        return;
      }
      store.replacePolicy(p.id(), spec.name(), spec.toJson(), time.millis()).onComplete(ar -> {
        if (ar.failed()) {
          ctx.fail(ar.cause());
          return;
        }
        switch (ar.result()) {
          case NAME_TAKEN -> ApiErrors.send(ctx, 409, "name_taken", "app " + p.app() + " already has a scaling policy "
              + "named '" + spec.name() + "'", "name");
          case NOT_FOUND -> ApiErrors.send(ctx, 404, "not_found", "no scaling policy " + p.id(), "id");
          case OK -> store.getPolicy(p.id()).onComplete(g -> {
            if (g.failed() || g.result() == null) {
              ctx.fail(g.cause());
            } else {
              ApiFailures.json(ctx, 200, render(g.result()));
            }
          });
        }
      });
    });
  }

  private void list(RoutingContext ctx) {
    Principal principal = AuthHandler.principal(ctx);
    String app = ctx.queryParams().get("app");
    if (app != null && !AuthHandler.mayRead(ctx, app)) {
      return;
    }
    int limit = ApiRequests.limit(ctx);
    store.listPolicies(new JobFilter(principal.apps(), app, null, null, null, null), ctx.queryParams().get("cursor"),
        limit).onComplete(ar -> {
          if (ar.failed()) {
            if (ar.cause() instanceof IllegalArgumentException) {
              ApiErrors.send(ctx, 400, "invalid_parameter", "cursor is not one this server handed out", "cursor");
            } else {
              ctx.fail(ar.cause());
            }
            return;
          }
          JsonArray arr = new JsonArray();
          ar.result().items().forEach(p -> arr.add(render(p)));
          ApiFailures.json(ctx, 200, new JsonObject().put("policies", arr).put("next_cursor", ar.result().nextCursor()));
        });
  }

  private void decisions(RoutingContext ctx) {
    int limit = ApiRequests.limit(ctx);
    withPolicy(ctx, false, p -> store.decisions(p.id(), limit).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      JsonArray arr = new JsonArray();
      ar.result().forEach(d -> arr.add(render(d)));
      ApiFailures.json(ctx, 200, new JsonObject().put("decisions", arr));
    }));
  }

  private void withPolicy(RoutingContext ctx, boolean write, Consumer<PolicyRecord> then) {
    String id = ctx.pathParam("id");
    store.getPolicy(id).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (ar.result() == null) {
        ApiErrors.send(ctx, 404, "not_found", "no scaling policy " + id, "id");
      } else if (write ? AuthHandler.mayWrite(ctx, ar.result().app()) : AuthHandler.mayRead(ctx, ar.result().app())) {
        then.accept(ar.result());
      }
    });
  }

  static JsonObject render(PolicyRecord p) {
    return p.spec().copy()
        .put("id", p.id())
        .put("version", p.version())
        .put("last_scaled_up_at", iso(p.lastUpAt()))
        .put("last_scaled_down_at", iso(p.lastDownAt()))
        .put("last_job_id", p.lastJobId())
        .put("created_at", iso(p.createdAt()))
        .put("updated_at", iso(p.updatedAt()))
        .put("created_by", p.createdBy());
  }

  static JsonObject render(DecisionRecord d) {
    return new JsonObject()
        .put("id", d.id())
        .put("at", iso(d.at()))
        .put("trigger", d.trigger())
        .put("direction", d.direction())
        .put("outcome", d.outcome())
        .put("reason", d.reason())
        .put("current", d.current())
        .put("desired", d.desired())
        .put("job_id", d.jobId())
        .put("alerts", d.alerts());
  }

  private static String iso(Long ms) {
    return ms == null ? null : Instant.ofEpochMilli(ms).toString();
  }


}
