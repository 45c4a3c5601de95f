package dev.flightdeck.api;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.function.Supplier;

/** The job API listener (port 8080). Also answers {@code /health} for Fly's HTTP service check. */
public final class ApiVerticle extends VerticleBase {

  private final ApiConfig config;
  private final Supplier<JsonObject> readiness;
  private HttpServer server;

  public ApiVerticle(ApiConfig config, Supplier<JsonObject> readiness) {
    this.config = config;
    this.readiness = readiness;
  }

  public int port() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    HealthRoutes.mount(router, readiness);
    router.route().last().handler(ctx -> ApiErrors.send(ctx, 404, "not_found",
        "no such endpoint: " + ctx.request().method() + " " + ctx.request().path(), null));
    return vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true))
        .requestHandler(router)
        .listen(config.port(), config.host())
        .onSuccess(s -> server = s);
  }
}
