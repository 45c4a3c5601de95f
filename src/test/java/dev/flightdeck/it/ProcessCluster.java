package dev.flightdeck.it;

import dev.flightdeck.testing.ChildProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A simulator and Flightdeck instances as separate processes, the way they run in production:
 * the simulator outlives the instances a test kills.
 */
final class ProcessCluster implements AutoCloseable {

  static final String API_TOKEN = "it-admin-token";
  static final String SIM_TOKEN = "flightdeck-sim-token";
  private static final Duration START = Duration.ofSeconds(40);

  private final Path dir;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build(); // no h2c upgrade: one such request hung a test run
  private final List<ChildProcess> children = new ArrayList<>();
  final int simPort = ChildProcess.freePort();
  ChildProcess sim;

  ProcessCluster(Path dir) {
    this.dir = dir;
  }

  /** The simulator with the demo app (40 stopped machines) and the given extra flags. */
  void startSim(String... flags) {
    List<String> args = new ArrayList<>(List.of("sim", "--sim.port=" + simPort, "--sim.latency.response_ms=5"));
    args.addAll(List.of(flags));
    sim = ChildProcess.start(dir, Map.of(), args.toArray(String[]::new));
    children.add(sim);
    sim.awaitLine("simulator ready", START);
  }

  /** A Flightdeck instance driving the simulator as if it were the real API. */
  Instance startInstance(String name, JsonObject overrides) throws Exception {
    return startInstance(name, overrides, Map.of());
  }

  /** As {@link #startInstance(String, JsonObject)}, with extra environment variables (settings among them). */
  Instance startInstance(String name, JsonObject overrides, Map<String, String> env) throws Exception {
    return startInstance(name, overrides, env, true);
  }

  private Instance startInstance(String name, JsonObject overrides, Map<String, String> env, boolean awaitReady)
      throws Exception {
    int api = ChildProcess.freePort();
    int mgmt = ChildProcess.freePort();
    JsonObject cfg = new JsonObject()
        .put("instance", new JsonObject().put("id", name))
        .put("api", new JsonObject().put("host", "127.0.0.1").put("port", api))
        .put("management", new JsonObject().put("host", "127.0.0.1").put("port", mgmt))
        .put("auth", new JsonObject().put("tokens", new JsonArray().add(new JsonObject().put("name", "it")
            .put("token", API_TOKEN).put("role", "admin").put("apps", new JsonArray().add("*")))))
        .put("store", new JsonObject().put("data_dir", dir.resolve("data").toString()))
        .put("jobs", new JsonObject().put("poll_interval_ms", 100).put("heartbeat_interval_ms", 200)
            .put("heartbeat_timeout_ms", 1500))
        .put("dispatch", new JsonObject().put("max_in_flight", 4));
    merge(cfg, overrides);
    Path file = dir.resolve(name + ".json");
    Files.writeString(file, cfg.encodePrettily());
    Map<String, String> vars = new java.util.HashMap<>(env);
    vars.put("FLY_API_TOKEN", SIM_TOKEN);
    vars.put("FLY_API_HOSTNAME", "http://127.0.0.1:" + simPort);
    ChildProcess p = ChildProcess.start(dir, vars, "serve", "--config", file.toString());
    children.add(p);
    if (awaitReady) {
      p.awaitLine("Flightdeck ready", START);
    }
    return new Instance(name, p, api, mgmt);
  }

  /** Starts an instance without waiting for it to be ready (to signal it while it starts). */
  Instance launchInstance(String name, JsonObject overrides) throws Exception {
    return startInstance(name, overrides, Map.of(), false);
  }

  private static void merge(JsonObject target, JsonObject patch) {
    for (String k : patch.fieldNames()) {
      Object v = patch.getValue(k);
      if (v instanceof JsonObject p && target.getValue(k) instanceof JsonObject t) {
        merge(t, p);
      } else {
        target.put(k, v);
      }
    }
  }

  record Instance(String name, ChildProcess process, int apiPort, int managementPort) {}

  /** A counter or gauge from an instance's /metrics (summed over its label sets); 0 if absent. */
  double metric(Instance i, String name) throws Exception {
    HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + i.managementPort()
        + "/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    double sum = 0;
    for (String line : res.body().split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  JsonObject api(Instance i, String method, String path, JsonObject body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + i.apiPort() + path))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + API_TOKEN);
    if (body != null) {
      b.header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new JsonObject(res.body()).put("_status", res.statusCode());
  }

  JsonObject simAdmin(String path) throws Exception {
    HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + simPort + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    return new JsonObject(res.body());
  }

  /** POST/PUT to the simulator's admin API. */
  JsonObject simSend(String method, String path, JsonObject body) throws Exception {
    HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + simPort + path))
        .timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
    if (res.statusCode() >= 300) {
      throw new IllegalStateException(method + " " + path + " → " + res.statusCode() + " " + res.body());
    }
    return new JsonObject(res.body());
  }

  /** A raw call to an instance's API with any token and headers; the body's JSON plus _status. */
  JsonObject call(Instance i, String method, String path, JsonObject body, String token, java.util.Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + i.apiPort() + path))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token);
    headers.forEach(b::header);
    if (body != null) {
      b.header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonObject out = res.body().isBlank() ? new JsonObject() : new JsonObject(res.body());
    return out.put("_status", res.statusCode());
  }

  JsonArray simMachines(String app) throws Exception {
    HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + simPort
            + "/v1/apps/" + app + "/machines")).header("Authorization", "Bearer " + SIM_TOKEN)
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    return new JsonArray(res.body());
  }

  List<JsonObject> journal(String app) throws Exception {
    JsonArray arr = simAdmin(app == null ? "/sim/journal" : "/sim/journal?app=" + app).getJsonArray("entries");
    List<JsonObject> out = new ArrayList<>();
    arr.forEach(o -> out.add((JsonObject) o));
    return out;
  }

  long count(String app, String action) throws Exception {
    return journal(app).stream().filter(e -> action.equals(e.getString("action"))).count();
  }

  /** Polls {@code condition} every 25 ms until it holds. */
  /** Polls {@code condition} until it holds; a condition that throws (a process not up yet) does not hold. */
  static void await(java.util.concurrent.Callable<Boolean> condition, Duration timeout, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!holds(condition)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(25); // polling a separate process; there is nothing to wait on in-process
    }
  }

  private static boolean holds(java.util.concurrent.Callable<Boolean> condition) {
    try {
      return condition.call();
    } catch (Exception e) {
      return false;
    }
  }

  /** Waits until the simulator's journal holds at least {@code n} {@code action} entries for {@code app}. */
  void awaitActions(String app, String action, int n, Duration timeout) throws InterruptedException {
    await(() -> count(app, action) >= n, timeout, n + " " + action + " calls on " + app);
  }

  /** Waits until the simulator holds no lease at all. */
  void awaitNoLeases(Duration timeout) throws InterruptedException {
    await(() -> simAdmin("/sim/leases").getJsonArray("leases").isEmpty(), timeout, "no lease left held");
  }

  @Override
  public void close() {
    for (ChildProcess c : children) {
      c.close();
    }
  }
}
