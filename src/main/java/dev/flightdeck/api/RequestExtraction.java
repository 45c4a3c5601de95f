package dev.flightdeck.api;

import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.common.dsl.SchemaType;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import java.util.HashMap;
import java.util.Map;

/**
 * Hands a request to the contract's validator as the handlers will read it. vertx-openapi's own
 * extractor URL-decodes values Vert.x has already decoded (a {@code %} in an Idempotency-Key failed)
 * and reads a string that looks like JSON as JSON (an Idempotency-Key {@code 1.5} became a number and
 * was refused); here values are taken once-decoded and string-typed ones are quoted. A body without a
 * content type is read as JSON, as the API always has.
 */
final class RequestExtraction {

  private static final String JSON = "application/json";

  private RequestExtraction() {}

  static ValidatableRequest extract(RoutingContext ctx, Operation operation) {
    Map<String, RequestParameter> headers = new HashMap<>();
    Map<String, RequestParameter> path = new HashMap<>();
    Map<String, RequestParameter> query = new HashMap<>();
    for (Parameter p : operation.getParameters()) {
      switch (p.getIn()) {
        case HEADER -> headers.put(p.getName(), value(p, ctx.request().getHeader(p.getName())));
        case PATH -> path.put(p.getName(), value(p, pathParam(ctx, operation, p.getName())));
        case QUERY -> query.put(p.getName(), value(p, ctx.queryParams().get(p.getName())));
        case COOKIE -> throw new IllegalStateException("openapi.yaml declares a cookie parameter; the API reads none");
      }
    }
    if (operation.getRequestBody() == null) {
      return new ValidatableRequestImpl(Map.of(), headers, path, query);
    }
    String contentType = ctx.request().getHeader("content-type");
    RequestParameter body = new RequestParameterImpl(ctx.body() == null ? null : ctx.body().buffer());
    return new ValidatableRequestImpl(Map.of(), headers, path, query, body, contentType == null ? JSON : contentType);
  }

  /**
   * Validation runs before the operation's route has matched, so its path parameters are read here:
   * the segment at the template's {@code {name}}, decoded once.
   */
  private static String pathParam(RoutingContext ctx, Operation operation, String name) {
    String[] template = operation.getAbsoluteOpenAPIPath().split("/");
    String[] actual = ctx.request().path().split("/");
    for (int i = 0; i < template.length && i < actual.length; i++) {
      if (template[i].equals("{" + name + "}")) {
        return java.net.URLDecoder.decode(actual[i].replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static RequestParameter value(Parameter p, String raw) {
    if (raw != null && p.getSchemaType() == SchemaType.STRING && !raw.matches("\\w+")) {
      // the validator parses anything else as JSON first; quoted, it stays the string it is
      raw = Json.encode(raw);
    }
    return new RequestParameterImpl(raw);
  }
}
