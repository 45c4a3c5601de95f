package dev.flightdeck.api;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.function.Supplier;

/** {@code /health} (the process is up) and {@code /ready} (it can do work), JSON bodies. */
public final class HealthRoutes {

  private HealthRoutes() {}

  public static void mount(Router router, Supplier<JsonObject> readiness) {
    router.get("/health").handler(ctx -> ctx.response()
        .putHeader("content-type", "application/json")
        .end(new JsonObject().put("status", "up").toBuffer()));
    router.get("/ready").handler(ctx -> {
      JsonObject r = readiness.get();
      boolean ready = r.getBoolean("ready", false);
      ctx.response()
          .setStatusCode(ready ? 200 : 503)
          .putHeader("content-type", "application/json")
          .end(r.toBuffer());
    });
  }
}
