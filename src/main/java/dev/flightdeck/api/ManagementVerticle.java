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
  private HttpServer server;

  public ManagementVerticle(ManagementConfig config, Supplier<JsonObject> readiness) {
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
    return vertx.createHttpServer()
        .requestHandler(router)
        .listen(config.port(), config.host())
        .onSuccess(s -> server = s);
  }
}
