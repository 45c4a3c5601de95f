package dev.flightdeck.api;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.function.Supplier;

/** {@code /health} (the process is up) and {@code /ready} (it can do work), JSON bodies. */
public final class HealthRoutes {

  private HealthRoutes() {}

  /** On the management port, which has no contract. */
  public static void mount(Router router, Supplier<JsonObject> readiness) {
    router.get("/health").handler(HealthRoutes::health);
    router.get("/ready").handler(ctx -> ready(ctx, readiness));
  }

  /** On the API port, as openapi.yaml's health and ready operations. */
  public static void mount(RouterBuilder api, Supplier<JsonObject> readiness) {
    Operations.on(api, "health", HealthRoutes::health);
    Operations.on(api, "ready", ctx -> ready(ctx, readiness));
  }

  private static void health(RoutingContext ctx) {
    ctx.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("status", "up").toBuffer());
  }

  private static void ready(RoutingContext ctx, Supplier<JsonObject> readiness) {
    JsonObject r = readiness.get();
    ctx.response()
        .setStatusCode(r.getBoolean("ready", false) ? 200 : 503)
        .putHeader("content-type", "application/json")
        .end(r.toBuffer());
  }
}
