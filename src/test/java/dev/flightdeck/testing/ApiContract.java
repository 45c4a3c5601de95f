package dev.flightdeck.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Validates the job API's own answers against src/main/resources/openapi.yaml. */
public final class ApiContract {

  private static Vertx vertx;
  private static OpenAPIContract contract;
  private static ResponseValidator validator;

  private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
  private int checked;

  private static synchronized void load() {
    if (contract == null) {
      vertx = Vertx.vertx();
      contract = OpenAPIContract.from(vertx, loadYaml()).await();
      validator = ResponseValidator.create(vertx, contract);
    }
  }

  /**
   * openapi.yaml as JSON. vertx-openapi does not know the {@code text/event-stream} media type of
   * the SSE endpoint, so for validation only it is read as {@code text/plain}.
   */
  @SuppressWarnings("unchecked")
  static io.vertx.core.json.JsonObject loadYaml() {
    try {
      String text = java.nio.file.Files.readString(java.nio.file.Path.of("src/main/resources/openapi.yaml"));
      java.util.Map<String, Object> map = new org.yaml.snakeyaml.Yaml().load(text);
      io.vertx.core.json.JsonObject json = new io.vertx.core.json.JsonObject(
          io.vertx.core.json.Json.encode(map));
      io.vertx.core.json.JsonObject ok = json.getJsonObject("paths").getJsonObject("/v1/jobs/{id}/events")
          .getJsonObject("get").getJsonObject("responses").getJsonObject("200").getJsonObject("content");
      ok.put("text/plain", ok.remove("text/event-stream"));
      return json;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public static OpenAPIContract contract() {
    load();
    return contract;
  }

  /** Checks one answer; SSE streams and unknown paths are skipped. */
  public void check(HttpMethod method, String path, int status, String contentType, Buffer body) {
    load();
    String p = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    Operation op = contract.findOperation(p, method);
    if (op == null || contentType == null || !contentType.startsWith("application/json")) {
      return;
    }
    checked++;
    try {
      validator.validate(ValidatableResponse.create(status, body, "application/json"), op.getOperationId()).await();
    } catch (Exception e) {
      violations.add(method + " " + path + " -> " + status + ": " + e.getMessage() + " body=" + body);
    }
  }

  public List<String> violations() {
    return List.copyOf(violations);
  }

  public int checked() {
    return checked;
  }
}
