package dev.flightdeck.api;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.ValidatedRequest;

/** What a handler reads of a request the contract has already validated. */
public final class ApiRequests {

  public static final int DEFAULT_LIMIT = 50;

  private ApiRequests() {}

  /** The body, parsed once by the validator; every operation with a body declares a JSON object. */
  public static JsonObject body(RoutingContext ctx) {
    ValidatedRequest v = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    return v.getBody().getJsonObject();
  }

  /**
   * For a body the route's own parser refused: true if the contract refuses it too, and the request
   * has been failed with the contract's refusal (the answer every other operation gives); false if the
   * route's refusal is the answer.
   */
  public static boolean refusedByContract(RoutingContext ctx) {
    return ContractValidation.refusedByContract(ctx);
  }

  /** The {@code limit} query parameter (1 to 500 by the contract), 50 when absent. */
  public static int limit(RoutingContext ctx) {
    String limit = ctx.queryParams().get("limit");
    return limit == null ? DEFAULT_LIMIT : Integer.parseInt(limit);
  }
}
