package dev.flightdeck.api;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The job API listener (port 8080), built from openapi.yaml: {@code /v1/*} behind a bearer token, with a
 * body limit, every request validated against the contract, and one JSON error shape; {@code /health}
 * (for Fly's HTTP service check), {@code /openapi.yaml} and the dashboard open.
 */
public final class ApiVerticle extends VerticleBase {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ApiVerticle.class);

  private final ApiConfig config;
  private final Supplier<JsonObject> readiness;
  private final Authenticator auth;
  private final List<Operations> features;
  private final Map<String, Handler<RoutingContext>> ownCredentials;
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

  /** {@code features} bind each feature's operations of openapi.yaml (fleet, jobs, …). */
  public ApiVerticle(ApiConfig config, Supplier<JsonObject> readiness, Authenticator auth, List<Operations> features) {
    this(config, readiness, auth, features, Map.of());
  }

  /**
   * {@code ownCredentials} maps a path to the check of its own credentials (the alert receiver's)
   * instead of an API token; it runs before the body is read, as the token check does.
   */
  public ApiVerticle(ApiConfig config, Supplier<JsonObject> readiness, Authenticator auth, List<Operations> features,
      Map<String, Handler<RoutingContext>> ownCredentials) {
    this.config = config;
    this.readiness = readiness;
    this.auth = auth;
    this.features = List.copyOf(features);
    this.ownCredentials = Map.copyOf(ownCredentials);
  }

  public int port() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    JsonObject spec = OpenApiSpec.forRouting();
    RequestViolations violations = new RequestViolations(spec);
    return OpenAPIContract.from(vertx, spec)
        .map(contract -> router(contract, violations))
        .compose(router -> vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true)
                .setMaxHeaderSize(256 * 1024)
                // connections that send nothing (or never finish a request) do not stay open for ever
                .setIdleTimeout(config.idleTimeoutSeconds())
                .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS)
                // gzip for clients that ask (the dashboard polls a big app's fleet every second); event
                // streams opt out, so each event leaves at once
                .setCompressionSupported(true))
            .requestHandler(router)
            .listen(config.port(), config.host()))
        .onSuccess(s -> server = s);
  }

  /**
   * The contract's router: every request to an operation of openapi.yaml passes the header limit, the
   * drain check, credentials, the body limit and then the contract's validation before its handler.
   */
  private Router router(OpenAPIContract contract, RequestViolations violations) {
    RouterBuilder api = RouterBuilder.create(vertx, contract);
    api.rootHandler(beforeBody(this::limitHeaders));
    api.rootHandler(beforeBody(this::refuseWhileDraining));
    // credentials first, then the body: an unauthenticated client cannot make the server buffer one
    AuthHandler tokens = new AuthHandler(auth);
    api.rootHandler(beforeBody(ctx -> {
      Handler<RoutingContext> own = ownCredentials.get(ctx.request().path());
      if (own != null) {
        own.handle(ctx);
      } else if (ctx.request().path().startsWith("/v1/")) {
        tokens.handle(ctx);
      } else {
        ctx.next();
      }
    }));
    api.rootHandler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));
    api.rootHandler(new ContractValidation(vertx, contract));
    HealthRoutes.mount(api, readiness);
    // who the token is: the dashboard shows only what it may do
    Operations.on(api, "whoAmI", ctx -> {
      Principal p = AuthHandler.principal(ctx);
      ApiFailures.json(ctx, 200, new JsonObject().put("name", p.name()).put("role", p.role())
          .put("apps", new io.vertx.core.json.JsonArray(p.apps())));
    });
    features.forEach(f -> f.mount(api));
    List<String> unbound = api.getRoutes().stream().filter(r -> r.getHandlers().isEmpty())
        .map(r -> r.getOperation().getOperationId()).sorted().toList();
    if (!unbound.isEmpty()) {
      throw new IllegalStateException("openapi.yaml operations without a handler: " + unbound);
    }
    // checked above: credentials before the body (OpenApiSpec.forRouting), then the request (ContractValidation)
    api.getRoutes().forEach(r -> r.setDoSecurity(false).setDoValidation(false));
    Router router = api.createRouter();
    // the one place failures are answered: routes hand theirs to ctx.fail(t)
    router.route().failureHandler(ctx -> {
      int status = ctx.statusCode();
      Throwable failure = ctx.failure();
      if (failure instanceof io.vertx.core.http.HttpClosedException || ctx.response().closed()) {
        internalError(ctx);
      } else if (failure instanceof ValidatorException invalid) {
        ApiFailures.respond(ctx, violations.explain(ctx.get(ContractValidation.OPERATION), invalid, ctx));
      } else if (failure != null && (status == -1 || status == 500)) {
        ApiFailures.respond(ctx, failure);
      } else if (status == 500) {
        internalError(ctx);
      } else {
        ctx.next();
      }
    });
    Buffer openapi = resource(OpenApiSpec.RESOURCE);
    router.get("/openapi.yaml").handler(ctx -> ctx.response().putHeader("content-type", "application/yaml")
        .end(openapi));
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
    return router;
  }

  /**
   * Vert.x orders a route's handlers by kind and takes a body handler only after "platform" ones;
   * these checks must run before any body is read, so they say they are.
   */
  private static Handler<RoutingContext> beforeBody(Handler<RoutingContext> check) {
    return (io.vertx.ext.web.handler.PlatformHandler) check::handle;
  }

  /** Oversize headers get the JSON error shape; only beyond the codec's own limit does Netty answer alone. */
  private void limitHeaders(RoutingContext ctx) {
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
  }

  private void refuseWhileDraining(RoutingContext ctx) {
    if (draining && ctx.request().method() != io.vertx.core.http.HttpMethod.GET
        && ctx.request().path().startsWith("/v1/")) {
      ctx.response().putHeader("Retry-After", "5");
      ApiErrors.send(ctx, 503, "shutting_down", "this instance is shutting down and takes no new work; retry "
          + "shortly (another instance, or this one after its restart)", null);
      return;
    }
    ctx.next();
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
