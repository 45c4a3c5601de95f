package dev.flightdeck.api;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The job API listener (port 8080): {@code /v1/*} behind a bearer token, with a body limit and one
 * JSON error shape; {@code /health} (for Fly's HTTP service check) and {@code /openapi.yaml} open.
 */
public final class ApiVerticle extends VerticleBase {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ApiVerticle.class);

  private final ApiConfig config;
  private final Supplier<JsonObject> readiness;
  private final Authenticator auth;
  private final List<Consumer<Router>> routes;
  private final List<java.util.function.BiConsumer<Router, io.vertx.core.Handler<io.vertx.ext.web.RoutingContext>>>
      ownAuthRoutes;
  private HttpServer server;
  private volatile boolean draining;
  static final int MAX_HEADER_BYTES = 16 * 1024;

  /** Shutting down: every request that would add or change work gets a 503 from now on; reads still work. */
  public void drain() {
    draining = true;
  }

  public boolean draining() {
    return draining;
  }

  /** {@code routes} mount each feature's endpoints (fleet, jobs, …) under {@code /v1}. */
  public ApiVerticle(ApiConfig config, Supplier<JsonObject> readiness, Authenticator auth,
      List<Consumer<Router>> routes) {
    this(config, readiness, auth, routes, List.of());
  }

  /**
   * {@code ownAuthRoutes} check credentials of their own (the alert receiver) instead of API tokens;
   * each gets the body handler to put after its own check, so no body is read before credentials are.
   */
  public ApiVerticle(ApiConfig config, Supplier<JsonObject> readiness, Authenticator auth,
      List<Consumer<Router>> routes,
      List<java.util.function.BiConsumer<Router, io.vertx.core.Handler<io.vertx.ext.web.RoutingContext>>> ownAuthRoutes) {
    this.config = config;
    this.readiness = readiness;
    this.auth = auth;
    this.routes = List.copyOf(routes);
    this.ownAuthRoutes = List.copyOf(ownAuthRoutes);
  }

  public int port() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    // failures are handled here, so the router never logs them as unhandled: 500s with their stack,
    // a client gone mid-request quietly; the others go on to their errorHandler below
    // the one place failures are answered: routes hand theirs to ctx.fail(t)
    router.route().failureHandler(ctx -> {
      int status = ctx.statusCode();
      if (ctx.failure() instanceof io.vertx.core.http.HttpClosedException || ctx.response().closed()) {
        internalError(ctx);
      } else if (ctx.failure() != null && (status == -1 || status == 500)) {
        ApiFailures.respond(ctx, ctx.failure());
      } else if (status == 500) {
        internalError(ctx);
      } else {
        ctx.next();
      }
    });
    // oversize headers get the JSON error shape; only beyond the codec's own limit does Netty answer alone
    router.route().handler(ctx -> {
      long size = 0;
      for (var h : ctx.request().headers()) {
        size += h.getKey().length() + h.getValue().length() + 4;
      }
      if (size > MAX_HEADER_BYTES) {
        ApiErrors.send(ctx, 431, "headers_too_large", "the request headers are larger than " + MAX_HEADER_BYTES
            + " bytes", null);
        return;
      }
      ctx.next();
    });
    HealthRoutes.mount(router, readiness);
    Buffer openapi = resource("openapi.yaml");
    router.get("/openapi.yaml").handler(ctx -> ctx.response().putHeader("content-type", "application/yaml")
        .end(openapi));
    router.route("/v1/*").handler(ctx -> {
      if (draining && ctx.request().method() != io.vertx.core.http.HttpMethod.GET) {
        ctx.response().putHeader("Retry-After", "5");
        ApiErrors.send(ctx, 503, "shutting_down", "this instance is shutting down and takes no new work; retry "
            + "shortly (another instance, or this one after its restart)", null);
        return;
      }
      ctx.next();
    });
    // credentials first, then the body: an unauthenticated client cannot make the server buffer one
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.maxBodyBytes());
    ownAuthRoutes.forEach(r -> r.accept(router, body));
    router.route("/v1/*").handler(new AuthHandler(auth));
    router.route("/v1/*").handler(body);
    // who the token is: the dashboard shows only what it may do
    router.get("/v1/me").handler(ctx -> {
      Principal p = AuthHandler.principal(ctx);
      ApiFailures.json(ctx, 200, new io.vertx.core.json.JsonObject().put("name", p.name()).put("role", p.role())
          .put("apps", new io.vertx.core.json.JsonArray(p.apps())));
    });
    routes.forEach(r -> r.accept(router));
    // the dashboard: static files from the jar, no build step; it talks to /v1 with the pasted token
    router.get("/*").handler(ctx -> {
      ctx.response().putHeader("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'")
          .putHeader("X-Content-Type-Options", "nosniff");
      ctx.next();
    });
    router.get("/*").handler(io.vertx.ext.web.handler.StaticHandler.create("web").setCachingEnabled(false)
        .setIndexPage("index.html"));
    router.route().last().handler(ctx -> ApiErrors.send(ctx, 404, "not_found",
        "no such endpoint: " + ctx.request().method() + " " + ctx.request().path(), null));
    router.errorHandler(413, ctx -> ApiErrors.send(ctx, 413, "body_too_large",
        "the request body is larger than " + config.maxBodyBytes() + " bytes", null));
    router.errorHandler(400, ctx -> ApiErrors.send(ctx, 400, "bad_request", "the request could not be read", null));
    router.errorHandler(405, ctx -> ApiErrors.send(ctx, 405, "method_not_allowed",
        ctx.request().method() + " is not allowed on " + ctx.request().path(), null));
    router.errorHandler(500, this::internalError);
    return vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true).setMaxHeaderSize(256 * 1024)
            // connections that send nothing (or never finish a request) do not stay open for ever
            .setIdleTimeout(config.idleTimeoutSeconds()).setIdleTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS)
            // gzip for clients that ask (the dashboard polls a big app's fleet every second); event
            // streams opt out, so each event leaves at once
            .setCompressionSupported(true))
        .requestHandler(router)
        .listen(config.port(), config.host())
        .onSuccess(s -> server = s);
  }

  static Buffer resource(String name) {
    try (InputStream in = ApiVerticle.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " missing from the jar");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Every 500 is logged with its stack trace (it is a bug); a client that went away mid-request is
   * not an error of ours and is not answered (found: aborted uploads wrote ERROR lines).
   */
  private void internalError(io.vertx.ext.web.RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof io.vertx.core.http.HttpClosedException || ctx.response().closed()) {
      LOG.debug("client went away during {} {}", ctx.request().method(), ctx.request().path());
      return;
    }
    LOG.error("internal error answering {} {}", ctx.request().method(), ctx.request().path(), failure);
    if (!ctx.response().ended()) {
      ApiErrors.send(ctx, 500, "internal", "internal error", null);
    }
  }
}
