package dev.flightdeck.api;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.RequestValidatorImpl;
import io.vertx.openapi.validation.impl.ValidatedRequestImpl;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Validates every request to an operation of openapi.yaml with vertx-openapi's validator, on the
 * event loop. The router builder's own validation step runs each request through an ordered
 * {@code executeBlocking}: two thread hops per request, all of one listener's requests in single file.
 * Checking a request is microseconds of CPU, as parsing its JSON is, so it is done where the request is.
 * A refusal fails the request with the {@link ValidatorException}; the failure handler explains it.
 */
final class ContractValidation implements Handler<RoutingContext> {

  /** The operation of the request, for the failure handler to name what was wrong. */
  static final String OPERATION = "flightdeck.operation";
  /** The schema check of a body left to its route ({@link #refusedByContract}). */
  private static final String BODY_CHECK = "flightdeck.body-check";
  /**
   * Operations whose route parses the body with a parser stricter than openapi.yaml for any body
   * without a null in it (JobBodyContractTest checks this for {@code JobSpec.parse}): such a body's
   * schema walk runs only if that parser refuses it, so that the contract's refusal is still the
   * answer. The walk was about half of the API event loop's profile samples for a job submit.
   */
  private static final Set<String> PARSED_BY_ROUTE = Set.of("submitJob");

  private final OpenAPIContract contract;
  private final RequestValidatorImpl validator;

  ContractValidation(Vertx vertx, OpenAPIContract contract) {
    this.contract = contract;
    this.validator = new RequestValidatorImpl(vertx, new PrebuiltValidators(contract));
  }

  @Override
  public void handle(RoutingContext ctx) {
    Operation op = contract.findOperation(ctx.request().path(), ctx.request().method());
    if (op == null) { // the dashboard's files, /openapi.yaml, or a 404 to come
      ctx.next();
      return;
    }
    ctx.put(OPERATION, op);
    try {
      ctx.put(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST, validate(ctx, op, RequestExtraction.extract(ctx, op)));
    } catch (ValidatorException e) {
      ctx.fail(400, e);
      return;
    }
    ctx.next();
  }

  private ValidatedRequestImpl validate(RoutingContext ctx, Operation op, ValidatableRequest request) {
    Map<String, RequestParameter> headers = new HashMap<>();
    Map<String, RequestParameter> path = new HashMap<>();
    Map<String, RequestParameter> query = new HashMap<>();
    for (Parameter p : op.getParameters()) {
      switch (p.getIn()) {
        case HEADER -> headers.put(p.getName(), validator.validateParameter(p, request.getHeaders().get(p.getName())));
        case PATH -> path.put(p.getName(), validator.validateParameter(p, request.getPathParameters().get(p.getName())));
        case QUERY -> query.put(p.getName(), validator.validateParameter(p, request.getQuery().get(p.getName())));
        case COOKIE -> { }
      }
    }
    RequestParameter body = leftToRoute(ctx, op, request);
    if (body == null) {
      body = validator.validateBody(op.getRequestBody(), request);
    }
    return new ValidatedRequestImpl(Map.of(), headers, path, query, body);
  }

  /**
   * The body decoded without the schema walk, if its route parses it strictly enough (a JSON object
   * without nulls, as application/json); null if it is to be validated here.
   */
  private RequestParameter leftToRoute(RoutingContext ctx, Operation op, ValidatableRequest request) {
    if (!PARSED_BY_ROUTE.contains(op.getOperationId()) || !"application/json".equalsIgnoreCase(request.getContentType())
        || request.getBody() == null || request.getBody().isEmpty()) {
      return null;
    }
    Object decoded;
    try {
      decoded = Json.decodeValue(request.getBody().getBuffer());
    } catch (DecodeException malformed) {
      return null; // refused here, in the contract's words
    }
    if (!(decoded instanceof JsonObject json) || hasNull(json)) {
      return null;
    }
    ctx.put(BODY_CHECK, (Runnable) () -> validator.validateBody(op.getRequestBody(), request));
    return new RequestParameterImpl(json);
  }

  /** Whether a null appears anywhere in {@code value}: the route's parser reads one as absent, the schema does not. */
  static boolean hasNull(Object value) {
    if (value == null) {
      return true;
    }
    if (value instanceof JsonObject o) {
      for (Map.Entry<String, Object> e : o) {
        if (hasNull(e.getValue())) {
          return true;
        }
      }
    } else if (value instanceof JsonArray a) {
      for (Object x : a) {
        if (hasNull(x)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * For a body its route's parser refused: fails the request with the contract's own refusal, as
   * for any other operation, and answers true; false if the contract accepts the body (the route's
   * refusal is then the answer) or checked it already.
   */
  static boolean refusedByContract(RoutingContext ctx) {
    Runnable check = ctx.get(BODY_CHECK);
    if (check == null) {
      return false;
    }
    try {
      check.run();
      return false;
    } catch (ValidatorException e) {
      ctx.fail(400, e);
      return true;
    }
  }
}
