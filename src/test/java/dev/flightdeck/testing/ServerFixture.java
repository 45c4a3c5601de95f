package dev.flightdeck.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.FlightdeckServer;
import dev.flightdeck.config.FlightdeckConfig;
import dev.flightdeck.time.TimeSource;
import dev.flightdeck.time.VertxTimeSource;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The whole service in-process on free ports with its embedded simulator and SQLite in a temp
 * directory. Simulator answers are checked against Fly's spec and API answers against our
 * openapi.yaml when the fixture closes.
 */
public final class ServerFixture implements AutoCloseable {

  /** An answer of the job API. */
  public record Answer(int status, MultiMap headers, Buffer body) {
    public JsonObject json() {
      return body == null || body.length() == 0 ? null : body.toJsonObject();
    }

    public JsonObject error() {
      return json().getJsonObject("error");
    }
  }

  public final Vertx vertx;
  public final FlightdeckServer server;
  public final SpecConformance conformance = new SpecConformance();
  public final ApiContract contract = new ApiContract();
  public final WebClient http;

  private ServerFixture(Vertx vertx, FlightdeckConfig config, TimeSource time) {
    this.vertx = vertx;
    this.server = FlightdeckServer.start(vertx, config, time, conformance).await();
    this.http = WebClient.create(vertx);
  }

  public static ServerFixture start(Vertx vertx, Path dataDir) {
    return new ServerFixture(vertx, TestConfigs.serve(dataDir), new VertxTimeSource(vertx));
  }

  public static ServerFixture start(Vertx vertx, FlightdeckConfig config, TimeSource time) {
    return new ServerFixture(vertx, config, time);
  }

  public HttpRequest<Buffer> api(HttpMethod method, String path) {
    return http.request(method, server.apiPort(), "127.0.0.1", path)
        .putHeader("Authorization", "Bearer " + TestConfigs.ADMIN_TOKEN);
  }

  public HttpRequest<Buffer> management(HttpMethod method, String path) {
    return http.request(method, server.managementPort(), "127.0.0.1", path);
  }

  /** Calls the API with {@code token} (null: none) and checks the answer against openapi.yaml. */
  public Answer call(HttpMethod method, String path, Object body, String token, Map<String, String> headers) {
    HttpRequest<Buffer> req = http.request(method, server.apiPort(), "127.0.0.1", path);
    if (token != null) {
      req.putHeader("Authorization", "Bearer " + token);
    }
    headers.forEach(req::putHeader);
    HttpResponse<Buffer> res;
    if (body == null) {
      res = req.send().await();
    } else if (body instanceof JsonObject o) {
      res = req.sendJsonObject(o).await();
    } else {
      if (!headers.containsKey("content-type")) {
        req.putHeader("content-type", "application/json");
      }
      res = req.sendBuffer(body instanceof Buffer b ? b : Buffer.buffer(body.toString())).await();
    }
    contract.check(method, path, res.statusCode(), res.getHeader("content-type"), res.body());
    return new Answer(res.statusCode(), res.headers(), res.body());
  }

  public Answer post(String path, Object body) {
    return call(HttpMethod.POST, path, body, TestConfigs.ADMIN_TOKEN, Map.of());
  }

  public Answer get(String path) {
    return call(HttpMethod.GET, path, null, TestConfigs.ADMIN_TOKEN, Map.of());
  }

  /** Submits a job and returns its id (asserting 201). */
  public String submit(JsonObject job) {
    Answer a = post("/v1/jobs", job);
    assertThat(a.status()).as(a.body() == null ? "" : a.body().toString()).isEqualTo(201);
    return a.json().getString("id");
  }

  /** Polls the job until it has ended; returns it with its machines. */
  public JsonObject awaitEnd(String id, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JsonObject j = get("/v1/jobs/" + id).json();
      String state = j.getString("state");
      if (state.equals("succeeded") || state.equals("failed") || state.equals("cancelled")) {
        return j;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("job " + id + " still " + state + " after " + timeout + ": " + j.encodePrettily());
      }
      tick();
    }
  }

  /** Waits for a condition, polling on a Vert.x timer. */
  public void eventually(Supplier<Boolean> condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      tick();
    }
  }

  private void tick() {
    io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
    vertx.setTimer(10, t -> p.complete());
    p.future().await();
  }

  @Override
  public void close() {
    http.close();
    server.stop().await();
    assertThat(conformance.violations()).as("simulator answers that do not match machines-openapi.json").isEmpty();
    assertThat(contract.violations()).as("API answers that do not match openapi.yaml").isEmpty();
  }

  public static Duration seconds(long s) {
    return Duration.ofSeconds(s);
  }
}
