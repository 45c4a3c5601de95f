package dev.flightdeck.api;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.function.Supplier;

/** The management listener (port 9091): /health, /ready and /metrics, without a token. */
public final class ManagementVerticle extends VerticleBase {

  private final ManagementConfig config;
  private final Supplier<JsonObject> readiness;
  private final Supplier<String> metrics;
  private HttpServer server;

  public ManagementVerticle(ManagementConfig config, Supplier<JsonObject> readiness, Supplier<String> metrics) {
    this.config = config;
    this.readiness = readiness;
    this.metrics = metrics;
  }

  public int port() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    HealthRoutes.mount(router, readiness);
    // scraping walks every meter: off the event loop
    router.get("/metrics").handler(ctx -> vertx.executeBlocking(metrics::get, false).onComplete(ar -> {
      if (ar.failed()) {
        ApiErrors.send(ctx, 500, "internal", "metrics unavailable", null);
      } else {
        ctx.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(ar.result());
      }
    }));
    return vertx.createHttpServer()
        .requestHandler(router)
        .listen(config.port(), config.host())
        .onSuccess(s -> server = s);
  }
}
