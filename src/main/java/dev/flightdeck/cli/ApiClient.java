package dev.flightdeck.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The CLI's HTTP side: one call, one JSON answer or one {@link Failure} with a one-line message.
 * Server from {@code --server} or {@code FLIGHTDECK_URL} (default http://127.0.0.1:8080); token
 * from {@code --token}, {@code FLIGHTDECK_TOKEN}, or {@code data/api-token}.
 */
final class ApiClient {

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build(); // no h2c upgrade: one such request hung a test run
  final String server;
  private final String token;

  ApiClient(String serverFlag, String tokenFlag, Map<String, String> env) {
    this.server = (serverFlag != null ? serverFlag : env.getOrDefault("FLIGHTDECK_URL", "http://127.0.0.1:8080"))
        .replaceAll("/+$", "");
    String t = tokenFlag != null ? tokenFlag : env.get("FLIGHTDECK_TOKEN");
    if (t == null && Files.isRegularFile(Path.of("data", "api-token"))) {
      try {
        t = Files.readString(Path.of("data", "api-token")).trim();
      } catch (IOException e) {
        throw new CliFailure(1, "cannot read data/api-token: " + e.getMessage());
      }
    }
    this.token = t;
  }

  HttpRequest.Builder request(String method, String path, JsonObject body) {
    if (token == null) {
      throw new CliFailure(1, "no API token: pass --token, set FLIGHTDECK_TOKEN, or run where data/api-token is");
    }
    URI uri;
    try {
      uri = URI.create(server + path);
    } catch (IllegalArgumentException e) {
      throw new CliFailure(2, "not a URL: " + server);
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token);
    if (body != null) {
      b.header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return b;
  }

  JsonObject call(String method, String path, JsonObject body) {
    HttpResponse<String> res;
    try {
      res = http.send(request(method, path, body).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliFailure(1, "interrupted");
    }
    if (res.statusCode() >= 300) {
      throw new CliFailure(1, apiError(res.statusCode(), res.body()));
    }
    return res.body().isBlank() ? new JsonObject() : new JsonObject(res.body());
  }

  /** Opens a Server-Sent Events stream; its lines, or a failure (the server's error, or unreachable). */
  Stream<String> stream(String path) throws IOException {
    HttpRequest req = request("GET", path, null).timeout(Duration.ofHours(24)).build();
    HttpResponse<Stream<String>> res;
    try {
      res = http.send(req, HttpResponse.BodyHandlers.ofLines());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliFailure(1, "interrupted");
    }
    if (res.statusCode() != 200) {
      throw new CliFailure(1, apiError(res.statusCode(), String.join("\n", res.body().toList())));
    }
    return res.body();
  }

  CliFailure unreachable(IOException e) {
    return new CliFailure(1, "cannot reach " + server + ": " + (e.getMessage() == null ? e.getClass().getSimpleName()
        : e.getMessage()));
  }

  /** A JSON object from a file ({@code -}: stdin). */
  static JsonObject readBody(String file) {
    try {
      String text = file.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
          : Files.readString(Path.of(file));
      return new JsonObject(text);
    } catch (IOException e) {
      throw new CliFailure(1, "cannot read " + file + ": " + e.getMessage());
    } catch (DecodeException | ClassCastException e) {
      throw new CliFailure(1, file + " is not a JSON object: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  /** "422 invalid_field (params.count): params.count must be …" from the API's error shape. */
  static String apiError(int status, String body) {
    try {
      JsonObject e = new JsonObject(body).getJsonObject("error");
      return status + " " + e.getString("code") + (e.getString("field") == null ? "" : " (" + e.getString("field")
          + ")") + ": " + e.getString("message");
    } catch (RuntimeException ex) {
      return status + ": " + (body.length() > 200 ? body.substring(0, 200) : body);
    }
  }
}
