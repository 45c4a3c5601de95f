package dev.flightdeck.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.FlightdeckServer;
import dev.flightdeck.config.FlightdeckConfig;
import dev.flightdeck.time.TimeSource;
import dev.flightdeck.time.VertxTimeSource;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;

/** The whole service in-process on free ports with its embedded simulator (answers checked against the spec). */
public final class ServerFixture implements AutoCloseable {

  public final Vertx vertx;
  public final FlightdeckServer server;
  public final SpecConformance conformance = new SpecConformance();
  public final WebClient http;

  private ServerFixture(Vertx vertx, FlightdeckConfig config, TimeSource time) {
    this.vertx = vertx;
    this.server = FlightdeckServer.start(vertx, config, time, conformance).await();
    this.http = WebClient.create(vertx);
  }

  public static ServerFixture start(Vertx vertx) {
    return new ServerFixture(vertx, TestConfigs.serve(), new VertxTimeSource(vertx));
  }

  public static ServerFixture start(Vertx vertx, FlightdeckConfig config, TimeSource time) {
    return new ServerFixture(vertx, config, time);
  }

  public HttpRequest<Buffer> api(HttpMethod method, String path) {
    return http.request(method, server.apiPort(), "127.0.0.1", path);
  }

  public HttpRequest<Buffer> management(HttpMethod method, String path) {
    return http.request(method, server.managementPort(), "127.0.0.1", path);
  }

  @Override
  public void close() {
    http.close();
    server.stop().await();
    assertThat(conformance.violations()).as("simulator answers that do not match machines-openapi.json").isEmpty();
  }
}
