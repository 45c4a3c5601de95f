package dev.flightdeck.fly;

import dev.flightdeck.config.Secret;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.ConnectException;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.net.ssl.SSLException;

/**
 * The Machines API, one method per operation of its Apps, Machines and Leases parts. Every
 * failure is a {@link FlyApiException} with an {@link ErrorClass}; nothing here retries, that is
 * the dispatcher's job. The token is only ever written into the Authorization header.
 */
public final class FlyClient implements AutoCloseable {

  public static final String NONCE_HEADER = "fly-machine-lease-nonce";
  public static final String REQUEST_ID_HEADER = "fly-request-id";

  private final WebClient web;
  private final WebClient longPolls;
  private final String authorization;
  private final long requestTimeoutMs;
  private final String basePath;
  private final ApiEndpoint endpoint;
  private volatile RequestObserver observer = (op, status, nanos) -> { };
  private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();

  /** Sees every request's operation, HTTP status (-1: no answer) and latency (metrics). */
  @FunctionalInterface
  public interface RequestObserver {
    void observe(FlyOperation op, int status, long nanos);
  }

  public void observe(RequestObserver o) {
    this.observer = o;
  }

  /**
   * Requests sent and not answered yet, long polls ({@code wait}) left out: a test on a manual clock
   * moves it only when none is, since time passing is what a long poll waits for.
   */
  public int inFlight() {
    return inFlight.get();
  }

  public FlyClient(Vertx vertx, FlyConfig config) {
    this(vertx, config, config.maxConnections());
  }

  /**
   * {@code longPolls}: connections kept for {@code wait} calls, at least as many as waits may run at
   * once (the dispatcher's {@code max_in_flight}). They have a pool of their own: a wait holds its
   * connection until the machine gets there (up to a minute), and in one shared pool a full set of
   * waits left every other call (lists, reads, leases) queued behind them while the API was idle.
   */
  public FlyClient(Vertx vertx, FlyConfig config, int longPolls) {
    this.endpoint = config.endpoint();
    WebClientOptions options = new WebClientOptions()
        .setDefaultHost(endpoint.host())
        .setDefaultPort(endpoint.port())
        .setSsl(endpoint.https())
        .setConnectTimeout(config.connectTimeoutMs())
        .setKeepAlive(true)
        .setTcpNoDelay(true)
        .setUserAgent(config.userAgent());
    this.web = WebClient.create(vertx, options, new PoolOptions().setHttp1MaxSize(config.maxConnections()));
    this.longPolls = WebClient.create(vertx, new WebClientOptions(options),
        new PoolOptions().setHttp1MaxSize(Math.max(1, longPolls)));
    this.authorization = authorization(config.token());
    this.requestTimeoutMs = config.requestTimeoutMs();
    this.basePath = endpoint.path().endsWith("/v1") ? endpoint.path() : endpoint.path() + "/v1";
  }

  /** fly-go's rule: macaroon tokens go as {@code FlyV1 …}, anything else as a bearer token. */
  static String authorization(Secret token) {
    String t = token.reveal().trim();
    if (t.isEmpty()) {
      return null;
    }
    if (t.startsWith("FlyV1 ") || t.startsWith("Bearer ")) {
      return t;
    }
    if (t.startsWith("fm1r_") || t.startsWith("fm1a_") || t.startsWith("fm2_")) {
      return "FlyV1 " + t;
    }
    return "Bearer " + t;
  }

  public ApiEndpoint endpoint() {
    return endpoint;
  }

  // ---- apps ----

  public Future<List<FlyApp>> listApps(String orgSlug) {
    return send(FlyOperation.APPS_LIST, HttpMethod.GET, "/apps", null, r -> r.addQueryParam("org_slug", orgSlug), null, res -> {
          List<FlyApp> apps = new ArrayList<>();
          JsonArray arr = Json.arr(res.bodyAsJsonObject(), "apps");
          for (int i = 0; i < arr.size(); i++) {
            apps.add(FlyApp.fromJson(arr.getJsonObject(i)));
          }
          return apps;
        });
  }

  public Future<Void> createApp(CreateAppRequest request) {
    return send(FlyOperation.APPS_CREATE, HttpMethod.POST, "/apps", null, null, request.toJson(), FlyClient::none);
  }

  /**
   * Readiness: the API answers and takes the token. Asks for an app that need not exist, so a 404
   * is a good answer; no answer, a 401/403 or a 5xx is not.
   */
  public Future<Void> ping() {
    return getApp("flightdeck-readiness-probe").<Void>mapEmpty().recover(e -> {
      if (e instanceof FlyApiException f && f.status() == 404) {
        return Future.succeededFuture();
      }
      if (e instanceof FlyApiException f && (f.status() == 401 || f.status() == 403)) {
        return Future.failedFuture("the Machines API rejected the token (" + f.status() + ")");
      }
      return Future.failedFuture(e instanceof FlyApiException f && f.status() == 0 ? "no answer from the Machines "
          + "API: " + e.getMessage() : e.getMessage());
    });
  }

  public Future<FlyApp> getApp(String app) {
    return send(FlyOperation.APPS_SHOW, HttpMethod.GET, "/apps/" + seg(app), null, null, null, res -> FlyApp.fromJson(res.bodyAsJsonObject()));
  }

  public Future<Void> deleteApp(String app) {
    return send(FlyOperation.APPS_DELETE, HttpMethod.DELETE, "/apps/" + seg(app), null, null, null, FlyClient::none);
  }

  // ---- machines ----

  public Future<List<Machine>> listMachines(String app, ListMachinesQuery q) {
    return send(FlyOperation.MACHINES_LIST, HttpMethod.GET, machines(app), null, r -> {
      if (q.includeDeleted()) {
        r.addQueryParam("include_deleted", "true");
      }
      if (q.includeLeases()) {
        r.addQueryParam("include_leases", "true");
      }
      if (q.region() != null) {
        r.addQueryParam("region", q.region());
      }
      if (!q.states().isEmpty()) {
        r.addQueryParam("state", String.join(",", q.states()));
      }
      if (q.summary()) {
        r.addQueryParam("summary", "true");
      }
      for (Map.Entry<String, String> e : q.metadata().entrySet()) {
        r.addQueryParam("metadata." + e.getKey(), e.getValue());
      }
    }, null, res -> {
      JsonArray arr = res.bodyAsJsonArray();
      List<Machine> out = new ArrayList<>(arr.size());
      for (int i = 0; i < arr.size(); i++) {
        out.add(Machine.fromJson(arr.getJsonObject(i)));
      }
      return out;
    });
  }

  public Future<Machine> createMachine(String app, CreateMachineRequest request) {
    return send(FlyOperation.MACHINES_CREATE, HttpMethod.POST, machines(app), null, null, request.toJson(), res -> Machine.fromJson(res.bodyAsJsonObject()));
  }

  public Future<Machine> getMachine(String app, String id) {
    return getMachine(app, id, false);
  }

  public Future<Machine> getMachine(String app, String id, boolean includeLeases) {
    return send(FlyOperation.MACHINES_SHOW, HttpMethod.GET, machine(app, id), null,
        r -> {
          if (includeLeases) {
            r.addQueryParam("include_leases", "true");
          }
        }, null, res -> Machine.fromJson(res.bodyAsJsonObject()));
  }

  public Future<Machine> updateMachine(String app, String id, UpdateMachineRequest request, String nonce) {
    return send(FlyOperation.MACHINES_UPDATE, HttpMethod.POST, machine(app, id), nonce, null, request.toJson(), res -> Machine.fromJson(res.bodyAsJsonObject()));
  }

  public Future<StartResult> startMachine(String app, String id, String nonce) {
    return send(FlyOperation.MACHINES_START, HttpMethod.POST, machine(app, id) + "/start", nonce, null, null, res -> StartResult.fromJson(objectOrEmpty(res)));
  }

  public Future<Void> stopMachine(String app, String id, StopOptions options, String nonce) {
    return send(FlyOperation.MACHINES_STOP, HttpMethod.POST, machine(app, id) + "/stop", nonce, null,
        (options == null ? StopOptions.DEFAULT : options).toJson(), FlyClient::none);
  }

  public Future<Void> suspendMachine(String app, String id, String nonce) {
    return send(FlyOperation.MACHINES_SUSPEND, HttpMethod.POST, machine(app, id) + "/suspend", nonce, null, null, FlyClient::none);
  }

  public Future<Void> restartMachine(String app, String id, RestartOptions options, String nonce) {
    RestartOptions o = options == null ? RestartOptions.DEFAULT : options;
    return send(FlyOperation.MACHINES_RESTART, HttpMethod.POST, machine(app, id) + "/restart", nonce, r -> {
      if (o.signal() != null) {
        r.addQueryParam("signal", o.signal());
      }
      if (o.timeout() != null) {
        r.addQueryParam("timeout", o.timeout());
      }
      if (o.forceStop()) {
        r.addQueryParam("force_stop", "true");
      }
    }, null, FlyClient::none);
  }

  public Future<Void> deleteMachine(String app, String id, boolean force, String nonce) {
    return send(FlyOperation.MACHINES_DELETE, HttpMethod.DELETE, machine(app, id), nonce, r -> {
      if (force) {
        r.addQueryParam("force", "true");
      }
    }, null, FlyClient::none);
  }

  /** One wait call (at most 60 s); callers loop for longer waits. A timeout fails as WAIT_TIMEOUT. */
  public Future<WaitResult> waitMachine(String app, String id, WaitOptions options) {
    return send(FlyOperation.MACHINES_WAIT, HttpMethod.GET, machine(app, id) + "/wait", null, r -> {
      r.addQueryParam("state", String.join(",", options.states()));
      r.addQueryParam("timeout", Integer.toString(options.timeoutSeconds()));
      if (options.version() != null) {
        r.addQueryParam("version", options.version());
      }
      if (options.fromEventId() != null) {
        r.addQueryParam("from_event_id", options.fromEventId());
      }
      r.timeout(options.timeoutSeconds() * 1000L + requestTimeoutMs);
    }, null, res -> WaitResult.fromJson(objectOrEmpty(res)));
  }

  public Future<Void> cordonMachine(String app, String id, String nonce) {
    return send(FlyOperation.MACHINES_CORDON, HttpMethod.POST, machine(app, id) + "/cordon", nonce, null, null, FlyClient::none);
  }

  public Future<Void> uncordonMachine(String app, String id, String nonce) {
    return send(FlyOperation.MACHINES_UNCORDON, HttpMethod.POST, machine(app, id) + "/uncordon", nonce, null, null, FlyClient::none);
  }

  public Future<Void> signalMachine(String app, String id, String signal) {
    return send(FlyOperation.MACHINES_SIGNAL, HttpMethod.POST, machine(app, id) + "/signal", null, null,
        new JsonObject().put("signal", signal), FlyClient::none);
  }

  public Future<List<MachineEvent>> listEvents(String app, String id, int limit) {
    return send(FlyOperation.MACHINES_EVENTS, HttpMethod.GET, machine(app, id) + "/events", null,
        r -> r.addQueryParam("limit", Integer.toString(limit)), null, res -> {
          JsonArray arr = res.bodyAsJsonArray();
          List<MachineEvent> out = new ArrayList<>(arr.size());
          for (int i = 0; i < arr.size(); i++) {
            out.add(MachineEvent.fromJson(arr.getJsonObject(i)));
          }
          return out;
        });
  }

  // ---- metadata ----

  public Future<Map<String, String>> getMetadata(String app, String id) {
    return send(FlyOperation.METADATA_SHOW, HttpMethod.GET, machine(app, id) + "/metadata", null, null, null, res -> Json.stringMap(objectOrEmpty(res)));
  }

  public Future<String> getMetadataKey(String app, String id, String key) {
    return send(FlyOperation.METADATA_GET_KEY, HttpMethod.GET, machine(app, id) + "/metadata/" + seg(key), null, null, null, res -> Json.str(objectOrEmpty(res), "value"));
  }

  public Future<Void> setMetadata(String app, String id, String key, String value) {
    return send(FlyOperation.METADATA_UPSERT, HttpMethod.POST, machine(app, id) + "/metadata/" + seg(key), null, null,
        new JsonObject().put("value", value), FlyClient::none);
  }

  public Future<Void> deleteMetadata(String app, String id, String key) {
    return send(FlyOperation.METADATA_DELETE, HttpMethod.DELETE, machine(app, id) + "/metadata/" + seg(key), null, null,
        null, FlyClient::none);
  }

  /**
   * Sets several keys at once (null deletes a key). With {@code machineVersion}, the API refuses
   * with 412 if the machine changed since that version.
   */
  public Future<Void> updateMetadata(String app, String id, Map<String, String> changes, String machineVersion) {
    JsonObject md = new JsonObject();
    changes.forEach(md::put);
    JsonObject body = new JsonObject().put("metadata", md);
    if (machineVersion != null) {
      body.put("machine_version", machineVersion);
    }
    return send(FlyOperation.METADATA_UPDATE, HttpMethod.PUT, machine(app, id) + "/metadata", null, null, body, FlyClient::none);
  }

  // ---- leases ----

  public Future<Lease> acquireLease(String app, String id, int ttlSeconds, String description) {
    JsonObject body = new JsonObject().put("ttl", ttlSeconds);
    if (description != null) {
      body.put("description", description);
    }
    return send(FlyOperation.LEASE_ACQUIRE, HttpMethod.POST, machine(app, id) + "/lease", null, null, body, res -> Lease.fromEnvelope(res.bodyAsJsonObject()));
  }

  /** Extends a held lease; the API answers with the same nonce. */
  public Future<Lease> refreshLease(String app, String id, String nonce, int ttlSeconds) {
    return send(FlyOperation.LEASE_REFRESH, HttpMethod.POST, machine(app, id) + "/lease", nonce, null,
        new JsonObject().put("ttl", ttlSeconds), res -> Lease.fromEnvelope(res.bodyAsJsonObject()));
  }

  public Future<Lease> getLease(String app, String id) {
    return send(FlyOperation.LEASE_SHOW, HttpMethod.GET, machine(app, id) + "/lease", null, null, null, res -> Lease.fromEnvelope(res.bodyAsJsonObject()));
  }

  public Future<Void> releaseLease(String app, String id, String nonce) {
    return send(FlyOperation.LEASE_RELEASE, HttpMethod.DELETE, machine(app, id) + "/lease", nonce, null, null, FlyClient::none);
  }

  @Override
  public void close() {
    web.close();
    longPolls.close();
  }

  // ---- plumbing ----

  private interface Customizer {
    void apply(HttpRequest<Buffer> request);
  }

  private <T> Future<T> send(
      FlyOperation op, HttpMethod method, String path, String nonce, Customizer customizer, JsonObject body,
      Function<HttpResponse<Buffer>, T> parser) {
    HttpRequest<Buffer> req = (op == FlyOperation.MACHINES_WAIT ? longPolls : web).request(method, basePath + path)
        .timeout(requestTimeoutMs);
    if (authorization != null) {
      req.putHeader("Authorization", authorization);
    }
    if (nonce != null) {
      req.putHeader(NONCE_HEADER, nonce);
    }
    if (customizer != null) {
      customizer.apply(req);
    }
    long t0 = System.nanoTime();
    boolean counted = op != FlyOperation.MACHINES_WAIT;
    if (counted) {
      inFlight.incrementAndGet();
    }
    Future<HttpResponse<Buffer>> sent = (body == null ? req.send() : req.sendJsonObject(body))
        .andThen(ar -> {
          if (counted) {
            inFlight.decrementAndGet();
          }
          observer.observe(op, ar.succeeded() ? ar.result().statusCode() : -1, System.nanoTime() - t0);
        });
    return sent.recover(err -> Future.failedFuture(FlyApiException.fromTransport(op, err, maybeSent(err))))
        .compose(res -> {
          int status = res.statusCode();
          String requestId = res.getHeader(REQUEST_ID_HEADER);
          if (status < 200 || status >= 300) {
            return Future.failedFuture(FlyApiException.fromResponse(op, status, res.bodyAsString(), requestId));
          }
          try {
            return Future.succeededFuture(parser.apply(res));
          } catch (RuntimeException e) {
            // a 2xx we cannot read: the call did happen, so treat it like a 5xx
            return Future.failedFuture(new FlyApiException(op, status, "unreadable answer: " + e.getMessage(), null,
                requestId, op.idempotent() ? ErrorClass.RETRYABLE : ErrorClass.AMBIGUOUS, e));
          }
        });
  }

  private static <T> T none(HttpResponse<Buffer> res) {
    return null;
  }

  /** False only when the failure proves the request never left: refused, unresolvable, no pool slot. */
  static boolean maybeSent(Throwable err) {
    if (err instanceof ConnectException || err instanceof ConnectTimeoutException
        || err instanceof UnknownHostException || err instanceof SSLException) {
      return false;
    }
    String msg = err.getMessage();
    return msg == null || !msg.contains("getting a connection");
  }

  private static JsonObject objectOrEmpty(HttpResponse<Buffer> res) {
    Buffer b = res.body();
    if (b == null || b.length() == 0) {
      return new JsonObject();
    }
    String s = b.toString().trim();
    return s.startsWith("{") ? new JsonObject(s) : new JsonObject();
  }

  private static String machines(String app) {
    return "/apps/" + seg(app) + "/machines";
  }

  private static String machine(String app, String id) {
    return machines(app) + "/" + seg(id);
  }

  private static String seg(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
