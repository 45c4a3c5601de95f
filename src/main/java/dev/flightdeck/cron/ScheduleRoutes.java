package dev.flightdeck.cron;

import dev.flightdeck.api.ApiErrors;
import dev.flightdeck.api.ApiFailures;
import dev.flightdeck.api.AuthHandler;
import dev.flightdeck.api.Principal;
import dev.flightdeck.jobs.InvalidJobException;
import dev.flightdeck.jobs.JobJson;
import dev.flightdeck.store.JobFilter;
import dev.flightdeck.store.ScheduleRecord;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import dev.flightdeck.api.ApiRequests;
import dev.flightdeck.api.Operations;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** {@code /v1/schedules}: create, list, read, replace, delete, pause, resume, trigger. */
public final class ScheduleRoutes {

  private final ScheduleService schedules;

  private ScheduleRoutes(ScheduleService schedules) {
    this.schedules = schedules;
  }

  public static void mount(RouterBuilder api, ScheduleService schedules) {
    ScheduleRoutes r = new ScheduleRoutes(schedules);
    Operations.on(api, "createSchedule", r::create);
    Operations.on(api, "listSchedules", r::list);
    Operations.on(api, "getSchedule", ctx -> r.withSchedule(ctx, false, s -> r.render(ctx, 200, s)));
    Operations.on(api, "replaceSchedule", r::replace);
    Operations.on(api, "deleteSchedule", ctx -> r.withSchedule(ctx, true, s -> schedules.delete(s.id())
        .onComplete(ar -> {
          if (ar.failed()) {
            ctx.fail(ar.cause());
          } else {
            ctx.response().setStatusCode(204).end();
          }
        })));
    Operations.on(api, "pauseSchedule", ctx -> r.withSchedule(ctx, true, s -> r.then(ctx,
        schedules.pause(s.id()))));
    Operations.on(api, "resumeSchedule", ctx -> r.withSchedule(ctx, true, s -> r.then(ctx,
        schedules.resume(s))));
    Operations.on(api, "triggerSchedule", ctx -> r.withSchedule(ctx, true, s ->
        schedules.trigger(s, AuthHandler.principal(ctx).name()).onComplete(ar -> {
          if (ar.failed()) {
            ctx.fail(ar.cause());
          } else {
            ctx.response().putHeader("Location", "/v1/jobs/" + ar.result().id());
            ApiFailures.json(ctx, 201, JobJson.job(ar.result(), null));
          }
        })));
  }

  private void create(RoutingContext ctx) {
    JsonObject body = ApiRequests.body(ctx);
    ScheduleSpec spec;
    try {
      spec = schedules.parse(body);
    } catch (InvalidJobException e) {
      ApiErrors.send(ctx, 422, e.code(), e.getMessage(), e.field());
      return;
    }
    if (!AuthHandler.mayWrite(ctx, spec.app())) {
      return;
    }
    schedules.create(spec, AuthHandler.principal(ctx).name()).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else {
        ctx.response().putHeader("Location", "/v1/schedules/" + ar.result().id());
        render(ctx, 201, ar.result());
      }
    });
  }

  private void replace(RoutingContext ctx) {
    JsonObject body = ApiRequests.body(ctx);
    ScheduleSpec spec;
    try {
      spec = schedules.parse(body);
    } catch (InvalidJobException e) {
      ApiErrors.send(ctx, 422, e.code(), e.getMessage(), e.field());
      return;
    }
    withSchedule(ctx, true, s -> {
      if (!s.app().equals(spec.app())) {
        ApiErrors.send(ctx, 422, "invalid_field", "a schedule's app cannot change (it is " + s.app() + ")", "job.app");
        return;
      }
      schedules.replace(s.id(), spec).onComplete(ar -> {
        if (ar.failed()) {
          ctx.fail(ar.cause());
          return;
        }
        switch (ar.result()) {
          case NAME_TAKEN -> ApiErrors.send(ctx, 409, "name_taken", "app " + s.app() + " already has a schedule named '"
              + spec.name() + "'", "name");
          case NOT_FOUND -> ApiErrors.send(ctx, 404, "not_found", "no schedule " + s.id(), "id");
          case OK -> then(ctx, schedules.get(s.id()));
        }
      });
    });
  }

  private void list(RoutingContext ctx) {
    Principal p = AuthHandler.principal(ctx);
    String app = ctx.queryParams().get("app");
    if (app != null && !AuthHandler.mayRead(ctx, app)) {
      return;
    }
    int limit = ApiRequests.limit(ctx);
    schedules.list(new JobFilter(p.apps(), app, null, null, null, null), ctx.queryParams().get("cursor"), limit)
        .onComplete(ar -> {
          if (ar.failed()) {
            if (ar.cause() instanceof IllegalArgumentException) {
              ApiErrors.send(ctx, 400, "invalid_parameter", "cursor is not one this server handed out", "cursor");
            } else {
              ctx.fail(ar.cause());
            }
            return;
          }
          List<Future<JsonObject>> rendered = new ArrayList<>();
          ar.result().items().forEach(s -> rendered.add(schedules.render(s, false)));
          Future.all(rendered).onComplete(all -> {
            JsonArray arr = new JsonArray();
            rendered.forEach(f -> arr.add(f.result()));
            ApiFailures.json(ctx, 200, new JsonObject().put("schedules", arr).put("next_cursor", ar.result().nextCursor()));
          });
        });
  }

  /** Loads the schedule, checks the caller's access (write or read), then runs {@code then}. */
  private void withSchedule(RoutingContext ctx, boolean write, Consumer<ScheduleRecord> then) {
    String id = ctx.pathParam("id");
    schedules.get(id).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (ar.result() == null) {
        ApiErrors.send(ctx, 404, "not_found", "no schedule " + id, "id");
      } else if (write ? AuthHandler.mayWrite(ctx, ar.result().app()) : AuthHandler.mayRead(ctx, ar.result().app())) {
        then.accept(ar.result());
      }
    });
  }

  private void then(RoutingContext ctx, Future<ScheduleRecord> f) {
    f.onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (ar.result() == null) {
        ApiErrors.send(ctx, 404, "not_found", "no such schedule", "id");
      } else {
        render(ctx, 200, ar.result());
      }
    });
  }

  private void render(RoutingContext ctx, int status, ScheduleRecord s) {
    schedules.render(s, true).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else {
        ApiFailures.json(ctx, status, ar.result());
      }
    });
  }


}
