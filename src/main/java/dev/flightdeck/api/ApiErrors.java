package dev.flightdeck.api;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The job API's single error shape: {@code {"error": {"code", "message", "field"}}}. */
public final class ApiErrors {

  private ApiErrors() {}

  public static JsonObject body(String code, String message, String field) {
    JsonObject err = new JsonObject().put("code", code).put("message", message);
    if (field != null) {
      err.put("field", field);
    }
    return new JsonObject().put("error", err);
  }

  public static void send(RoutingContext ctx, int status, String code, String message, String field) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("content-type", "application/json")
        .end(body(code, message, field).toBuffer());
  }
}
