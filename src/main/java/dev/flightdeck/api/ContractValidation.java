package dev.flightdeck.api;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestValidatorImpl;
import io.vertx.openapi.validation.impl.ValidatedRequestImpl;
import java.util.HashMap;
import java.util.Map;

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
      ctx.put(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST, validate(op, RequestExtraction.extract(ctx, op)));
    } catch (ValidatorException e) {
      ctx.fail(400, e);
      return;
    }
    ctx.next();
  }

  private ValidatedRequestImpl validate(Operation op, ValidatableRequest request) {
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
    RequestParameter body = validator.validateBody(op.getRequestBody(), request);
    return new ValidatedRequestImpl(Map.of(), headers, path, query, body);
  }
}
