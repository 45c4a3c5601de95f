package dev.flightdeck.api;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** The job API listener (port 8080). Also answers {@code /health} for Fly's HTTP service check. */
public final class ApiVerticle extends VerticleBase {

  private final ApiConfig config;
  private final Supplier<JsonObject> readiness;
  private final List<Consumer<Router>> routes;
  private HttpServer server;

  /** {@code routes} mount each feature's endpoints (fleet, jobs, …) on the API router. */
  public ApiVerticle(ApiConfig config, Supplier<JsonObject> readiness, List<Consumer<Router>> routes) {
    this.config = config;
    this.readiness = readiness;
    this.routes = List.copyOf(routes);
  }

  public int port() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    HealthRoutes.mount(router, readiness);
    routes.forEach(r -> r.accept(router));
    router.route().last().handler(ctx -> ApiErrors.send(ctx, 404, "not_found",
        "no such endpoint: " + ctx.request().method() + " " + ctx.request().path(), null));
    return vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true))
        .requestHandler(router)
        .listen(config.port(), config.host())
        .onSuccess(s -> server = s);
  }
}
