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

  /** openapi.yaml as JSON, as the server reads it. */
  static io.vertx.core.json.JsonObject loadYaml() {
    return dev.flightdeck.api.OpenApiSpec.json();
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
