package dev.flightdeck.sim;

import dev.flightdeck.time.TimeSource;
import dev.flightdeck.time.TokenBuckets;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The simulator's HTTP face: the Machines API under {@code /v1} (auth, injected faults, rate
 * limits, response latency, then {@link SimWorld}) and the admin endpoints under {@code /sim}.
 * One instance, one event loop: all simulator state lives on it.
 */
final class SimulatorVerticle extends VerticleBase {

  /** Which documented limit a route falls under. */
  enum Limit { NONE, MACHINE_ACTION, GET_MACHINE, APP_CREATE_MACHINE, APP_DELETE }

  /** One parsed API call, handed to a route's handler: the path's app, machine id and metadata key. */
  record Call(RoutingContext ctx, String requestId, String app, String id, String key) {

    String nonce() {
      String n = ctx.request().getHeader("fly-machine-lease-nonce");
      return n == null || n.isBlank() ? null : n.trim();
    }

    JsonObject body(String goType) {
      return GoJson.object(ctx.body().buffer(), goType);
    }

    io.vertx.core.MultiMap query() {
      return ctx.queryParams();
    }

    boolean flag(String name) {
      return "true".equalsIgnoreCase(ctx.queryParams().get(name));
    }
  }

  private final SimConfig config;
  private final TimeSource time;
  private final ExchangeListener listener;
  final SimWorld world;
  final SimStats stats = new SimStats();
  /** A limit's bucket: the machine (the app for creates, "apps" for app deletes) and the operation. */
  private record Bucket(String subject, String operationId) {}

  private final TokenBuckets<Bucket> buckets = new TokenBuckets<>();
  private volatile SimConfig.Faults faults;
  private volatile SimConfig.RateLimits limits;
  private SplittableRandom faultRandom;
  private final SplittableRandom jitterRandom;
  private HttpServer server;
  private final SimRoutes routes = new SimRoutes();

  SimulatorVerticle(SimConfig config, TimeSource time, ExchangeListener listener) {
    this.config = config;
    this.time = time;
    this.listener = listener == null ? ExchangeListener.NONE : listener;
    this.world = new SimWorld(config, time);
    this.faults = config.faults();
    this.limits = config.rateLimits();
    this.faultRandom = new SplittableRandom(config.faults().seed());
    this.jitterRandom = new SplittableRandom(config.seed() ^ 0x5DEECE66DL);
  }

  int port() {
    return server.actualPort();
  }

  io.vertx.core.Context simContext() {
    return context;
  }

  @Override
  public Future<?> start() {
    for (SimConfig.SeedApp s : config.seedApps()) {
      world.seed(s);
    }
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create().setBodyLimit(8 * 1024 * 1024));
    apiRoutes(routes);
    SimAdminRoutes.mount(router, this);
    router.route("/v1/*").handler(this::dispatch);
    return vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true).setIdleTimeout(0))
        .requestHandler(router)
        .listen(config.port(), config.host())
        .onSuccess(s -> server = s);
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void apiRoutes(SimRoutes r) {
    String apps = "/v1/apps";
    String app = apps + "/:app";
    String machines = app + "/machines";
    String machine = machines + "/:id";

    route(r, HttpMethod.GET, apps, "Apps_list", Limit.NONE, false, c -> ok(world.listApps(c.query().get("org_slug"))));
    route(r, HttpMethod.POST, apps, "Apps_create", Limit.NONE, true,
        c -> ok(world.createApp(c.body("main.createAppRequest"), c.requestId())));
    route(r, HttpMethod.GET, app, "Apps_show", Limit.NONE, false, c -> ok(world.getApp(c.app())));
    route(r, HttpMethod.DELETE, app, "Apps_delete", Limit.APP_DELETE, true,
        c -> ok(world.deleteApp(c.app(), c.requestId())));

    route(r, HttpMethod.GET, machines, "Machines_list", Limit.NONE, false,
        c -> ok(world.listMachines(c.app(), c.query())));
    route(r, HttpMethod.POST, machines, "Machines_create", Limit.APP_CREATE_MACHINE, true,
        c -> ok(world.createMachine(c.app(), c.body("main.createMachineRequest"), c.requestId())));
    route(r, HttpMethod.GET, machine, "Machines_show", Limit.GET_MACHINE, false,
        c -> ok(world.getMachine(c.app(), c.id(), c.flag("include_leases"))));
    route(r, HttpMethod.POST, machine, "Machines_update", Limit.MACHINE_ACTION, true,
        c -> ok(world.updateMachine(c.app(), c.id(), c.body("main.updateMachineRequest"), c.nonce(), c.requestId())));
    route(r, HttpMethod.DELETE, machine, "Machines_delete", Limit.MACHINE_ACTION, true,
        c -> ok(world.delete(c.app(), c.id(), c.flag("force") || c.flag("kill"), c.nonce(), c.requestId())));
    route(r, HttpMethod.POST, machine + "/start", "Machines_start", Limit.MACHINE_ACTION, true,
        c -> ok(world.start(c.app(), c.id(), c.nonce(), c.requestId())));
    route(r, HttpMethod.POST, machine + "/stop", "Machines_stop", Limit.MACHINE_ACTION, true,
        c -> ok(world.stop(c.app(), c.id(), c.body("main.stopRequest"), c.nonce(), c.requestId())));
    route(r, HttpMethod.POST, machine + "/suspend", "Machines_suspend", Limit.MACHINE_ACTION, true,
        c -> ok(world.suspend(c.app(), c.id(), c.nonce(), c.requestId())));
    route(r, HttpMethod.POST, machine + "/restart", "Machines_restart", Limit.MACHINE_ACTION, true,
        c -> ok(world.restart(c.app(), c.id(), c.query(), c.nonce(), c.requestId())));
    route(r, HttpMethod.POST, machine + "/cordon", "Machines_cordon", Limit.MACHINE_ACTION, true,
        c -> ok(world.cordon(c.app(), c.id(), true, c.nonce(), c.requestId())));
    route(r, HttpMethod.POST, machine + "/uncordon", "Machines_uncordon", Limit.MACHINE_ACTION, true,
        c -> ok(world.cordon(c.app(), c.id(), false, c.nonce(), c.requestId())));
    route(r, HttpMethod.POST, machine + "/signal", "Machines_signal", Limit.MACHINE_ACTION, true,
        c -> ok(world.signal(c.app(), c.id(), c.body("main.signalRequest"), c.requestId())));
    route(r, HttpMethod.GET, machine + "/wait", "Machines_wait", Limit.NONE, false,
        c -> world.waitFor(c.app(), c.id(), c.query()));
    route(r, HttpMethod.GET, machine + "/events", "Machines_list_events", Limit.NONE, false,
        c -> ok(world.events(c.app(), c.id(), c.query().get("limit"))));
    route(r, HttpMethod.GET, machine + "/versions", "Machines_list_versions", Limit.NONE, false,
        c -> ok(world.versions(c.app(), c.id())));

    route(r, HttpMethod.GET, machine + "/metadata", "Machines_show_metadata", Limit.NONE, false,
        c -> ok(world.metadata(c.app(), c.id())));
    route(r, HttpMethod.PUT, machine + "/metadata", "Machines_update_metadata", Limit.MACHINE_ACTION, true,
        c -> ok(world.updateMetadata(c.app(), c.id(), c.body("main.updateMetadataRequest"), c.requestId())));
    route(r, HttpMethod.PATCH, machine + "/metadata", "Machines_patch_metadata", Limit.MACHINE_ACTION, true,
        c -> ok(world.updateMetadata(c.app(), c.id(), c.body("main.updateMetadataRequest"), c.requestId())));
    route(r, HttpMethod.GET, machine + "/metadata/:key", "Machines_get_metadata_key", Limit.NONE, false,
        c -> ok(world.metadataKey(c.app(), c.id(), c.key())));
    route(r, HttpMethod.POST, machine + "/metadata/:key", "Machines_upsert_metadata", Limit.MACHINE_ACTION, true,
        c -> ok(world.upsertMetadata(c.app(), c.id(), c.key(),
            c.body("main.upsertMetadataKeyRequest"), c.requestId())));
    route(r, HttpMethod.DELETE, machine + "/metadata/:key", "Machines_delete_metadata", Limit.MACHINE_ACTION, true,
        c -> ok(world.deleteMetadata(c.app(), c.id(), c.key(), c.requestId())));

    route(r, HttpMethod.POST, machine + "/lease", "Machines_create_lease", Limit.MACHINE_ACTION, true,
        c -> ok(world.acquireLease(c.app(), c.id(), c.body("main.createLeaseRequest"), c.query(), c.nonce(),
            config.tokenOwner(), c.requestId())));
    route(r, HttpMethod.GET, machine + "/lease", "Machines_show_lease", Limit.NONE, false,
        c -> ok(world.getLease(c.app(), c.id())));
    route(r, HttpMethod.DELETE, machine + "/lease", "Machines_release_lease", Limit.MACHINE_ACTION, true,
        c -> ok(world.releaseLease(c.app(), c.id(), c.nonce(), c.requestId())));
  }

  private static Future<SimResult> ok(SimResult r) {
    return Future.succeededFuture(r);
  }

  private void route(SimRoutes r, HttpMethod method, String path, String operationId, Limit limit, boolean mutation,
      Function<Call, Future<SimResult>> handler) {
    r.add(method, path, new SimRoutes.Route(operationId, limit, mutation, handler));
  }

  private void dispatch(RoutingContext ctx) {
    SimRoutes.Match m = routes.match(ctx.request().method(), ctx.normalizedPath());
    if (m == null) {
      sendError(ctx, "unknown", ctx.request().method().name(), 404, new JsonObject().put("error", "not found"));
      return;
    }
    handle(ctx, m);
  }

  private void handle(RoutingContext ctx, SimRoutes.Match match) {
    SimRoutes.Route route = match.route();
    String operationId = route.operationId();
    Limit limit = route.limit();
    long now = time.millis();
    String requestId = world.ids().ulid(now) + "-" + config.defaultRegion();
    HttpServerResponse res = ctx.response();
    res.putHeader("fly-request-id", requestId).putHeader("server", "Fly/sim").putHeader("via", "1.1 fly.io");
    stats.request(operationId);
    String method = ctx.request().method().name();

    if (!authorized(ctx.request().getHeader("Authorization"))) {
      sendError(ctx, operationId, method, 401, new JsonObject().put("error", "Authenticate: token validation error"));
      return;
    }

    SimConfig.Faults f = faults;
    boolean dropAfter = false;
    long extraDelay = 0;
    if (f.appliesTo(operationId, route.mutation())) {
      if (roll(f.dropBeforeRate())) {
        stats.droppedBefore++;
        ctx.request().connection().close();
        return;
      }
      if (roll(f.throttleRate())) {
        stats.injectedThrottles++;
        sendThrottled(ctx, operationId, method, 1000);
        return;
      }
      if (roll(f.errorRate())) {
        stats.injectedErrors++;
        int status = new int[] {500, 502, 503}[faultRandom.nextInt(3)];
        sendError(ctx, operationId, method, status, new JsonObject().put("error", switch (status) {
          case 502 -> "bad gateway";
          case 503 -> "service unavailable, please retry";
          default -> "internal server error";
        }));
        return;
      }
      if (roll(f.slowRate())) {
        stats.injectedSlow++;
        extraDelay = f.slowMs();
      }
      dropAfter = roll(f.dropAfterRate());
    }

    SimConfig.RateLimits rl = limits;
    if (rl.enabled() && limit != Limit.NONE) {
      long wait = switch (limit) {
        case GET_MACHINE -> buckets.take(new Bucket(match.id(), operationId), rl.getMachinePerSecond(),
            rl.getMachineBurst(), now);
        case MACHINE_ACTION -> buckets.take(new Bucket(match.id(), operationId), rl.actionPerSecond(),
            rl.actionBurst(), now);
        case APP_CREATE_MACHINE -> buckets.take(new Bucket(match.app(), operationId), rl.actionPerSecond(),
            rl.actionBurst(), now);
        case APP_DELETE -> buckets.take(new Bucket("apps", operationId), rl.appDeletePerMinute() / 60.0,
            (int) Math.max(1, rl.appDeletePerMinute()), now);
        default -> 0;
      };
      if (wait > 0) {
        stats.rateLimited++;
        sendThrottled(ctx, operationId, method, wait);
        return;
      }
    }

    Future<SimResult> result;
    try {
      result = route.handler().apply(new Call(ctx, requestId, match.app(), match.id(), match.key()));
    } catch (SimError e) {
      result = Future.failedFuture(e);
    } catch (RuntimeException e) {
      result = Future.failedFuture(SimError.of(500, "internal error: " + e));
    }
    final boolean drop = dropAfter;
    final long delay = extraDelay + responseDelay();
    result.onComplete(ar -> {
      if (drop) {
        stats.droppedAfter++;
        ctx.request().connection().close();
        return;
      }
      Runnable send = () -> {
        if (ar.succeeded()) {
          send(ctx, operationId, method, ar.result().status(), ar.result().body());
        } else if (ar.cause() instanceof SimError e) {
          sendError(ctx, operationId, method, e.status, e.body);
        } else {
          sendError(ctx, operationId, method, 500, new JsonObject().put("error", String.valueOf(ar.cause())));
        }
      };
      if (delay > 0) {
        time.setTimer(delay, send);
      } else {
        send.run();
      }
    });
  }

  private long responseDelay() {
    SimConfig.Latency l = world.latency();
    long d = l.responseMs();
    if (l.responseJitterMs() > 0) {
      d += jitterRandom.nextLong(-l.responseJitterMs(), l.responseJitterMs() + 1);
    }
    return Math.max(0, d);
  }

  private boolean roll(double rate) {
    return rate > 0 && faultRandom.nextDouble() < rate;
  }

  boolean authorized(String header) {
    if (header == null) {
      return false;
    }
    String h = header.trim();
    if (h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return config.token().matches(h.substring(7).trim());
    }
    if (h.regionMatches(true, 0, "FlyV1 ", 0, 6)) {
      for (String part : h.substring(6).split(",")) {
        if (config.token().matches(part.trim())) {
          return true;
        }
      }
    }
    return false;
  }

  private void sendThrottled(RoutingContext ctx, String operationId, String method, long waitMs) {
    if (limits.retryAfter()) {
      ctx.response().putHeader("Retry-After", Long.toString(Math.max(1, (waitMs + 999) / 1000)));
    }
    sendError(ctx, operationId, method, 429, new JsonObject().put("error", "rate limit exceeded, please slow down"));
  }

  private void sendError(RoutingContext ctx, String operationId, String method, int status, JsonObject body) {
    send(ctx, operationId, method, status, body);
  }

  private void send(RoutingContext ctx, String operationId, String method, int status, Object body) {
    HttpServerResponse res = ctx.response();
    if (res.ended() || res.closed()) {
      return;
    }
    stats.response(status);
    res.setStatusCode(status);
    Buffer buf = null;
    String contentType = null;
    if (body instanceof JsonObject o) {
      buf = o.toBuffer();
    } else if (body instanceof JsonArray a) {
      buf = a.toBuffer();
    }
    if (buf != null) {
      contentType = "application/json; charset=utf-8";
      res.putHeader("content-type", contentType);
      res.end(buf);
    } else {
      res.end();
    }
    listener.onExchange(operationId, method, ctx.normalizedPath(), status, contentType, buf);
  }

  // ---- run-time settings for the admin endpoints ----

  SimConfig.Faults faults() {
    return faults;
  }

  void setFaults(SimConfig.Faults f) {
    this.faults = f;
    this.faultRandom = new SplittableRandom(f.seed());
    world.setStartFailures(f);
  }

  SimConfig.RateLimits rateLimits() {
    return limits;
  }

  void setRateLimits(SimConfig.RateLimits l) {
    this.limits = l;
    buckets.clear();
  }
}
