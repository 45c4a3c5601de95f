package dev.flightdeck.testing;

import dev.flightdeck.sim.ExchangeListener;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records every answer a simulator sends and validates it against Fly's own OpenAPI document
 * (../shared/fly/machines-openapi.json, copied to src/test/resources/fly/). Known, documented
 * differences of the real API are handled in {@link SpecDeviations}, and only there.
 */
public final class SpecConformance implements ExchangeListener {

  public record Exchange(String operationId, String method, String path, int status, String contentType, Buffer body) {}

  private static final AtomicLong CHECKED = new AtomicLong();
  private static Vertx vertx;
  private static ResponseValidator validator;
  private static OpenAPIContract contract;

  private final List<Exchange> exchanges = Collections.synchronizedList(new ArrayList<>());

  @Override
  public void onExchange(String operationId, String method, String path, int status, String contentType, Buffer body) {
    exchanges.add(new Exchange(operationId, method, path, status, contentType, body == null ? null : body.copy()));
  }

  public List<Exchange> exchanges() {
    synchronized (exchanges) {
      return List.copyOf(exchanges);
    }
  }

  /** Total answers validated in this JVM, for the suite's summary. */
  public static long checkedSoFar() {
    return CHECKED.get();
  }

  /** Validates every recorded answer; returns one line per mismatch (empty when all conform). */
  public List<String> violations() {
    List<String> out = new ArrayList<>();
    for (Exchange e : exchanges()) {
      String v = SpecDeviations.check(e, SpecConformance::validate);
      CHECKED.incrementAndGet();
      if (v != null) {
        out.add(e.method() + " " + e.path() + " -> " + e.status() + " (" + e.operationId() + "): " + v
            + (e.body() == null ? "" : " body=" + abbreviate(e.body().toString())));
      }
    }
    return out;
  }

  /** Validates {@code body} as the {@code status} answer of {@code operationId}; null when it conforms. */
  static String validate(String operationId, int status, Buffer body) {
    ResponseValidator v = validator();
    ValidatableResponse r = body == null
        ? ValidatableResponse.create(status)
        : ValidatableResponse.create(status, body, "application/json");
    try {
      v.validate(r, operationId).await();
      return null;
    } catch (Exception e) {
      return e.getMessage();
    }
  }

  /** Whether the spec lists {@code status} for {@code operationId}. */
  static boolean declares(String operationId, int status) {
    validator();
    return contract.operation(operationId).getResponse(status) != null;
  }

  /** Whether the spec gives {@code status} of {@code operationId} a JSON body schema. */
  static boolean declaresBody(String operationId, int status) {
    validator();
    var resp = contract.operation(operationId).getResponse(status);
    return resp != null && !resp.getContent().isEmpty();
  }

  private static synchronized ResponseValidator validator() {
    if (validator == null) {
      try {
        vertx = Vertx.vertx();
        JsonObject spec = new JsonObject(Files.readString(Path.of("src/test/resources/fly/machines-openapi.json")));
        SpecDeviations.prepareContract(spec);
        contract = OpenAPIContract.from(vertx, spec).await();
        validator = ResponseValidator.create(vertx, contract);
      } catch (Exception e) {
        throw new IllegalStateException("cannot load the Machines API spec: " + e, e);
      }
    }
    return validator;
  }

  private static String abbreviate(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }

  static Future<Void> unused() {
    return Future.succeededFuture();
  }
}
