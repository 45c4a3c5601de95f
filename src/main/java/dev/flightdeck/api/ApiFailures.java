package dev.flightdeck.api;

import dev.flightdeck.fly.ErrorClass;
import dev.flightdeck.fly.FlyApiException;
import dev.flightdeck.store.StoreException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every failure of the job API answered in one place and one shape. Routes hand what went wrong to
 * {@code ctx.fail(t)}; the router's failure handler calls {@link #respond}.
 */
public final class ApiFailures {

  private static final Logger LOG = LoggerFactory.getLogger(ApiFailures.class);

  private ApiFailures() {}

  public static void respond(RoutingContext ctx, Throwable t) {
    if (t instanceof ApiException e) {
      ApiErrors.send(ctx, e.status(), e.code(), e.getMessage(), e.field());
    } else if (t instanceof FlyApiException e && e.errorClass() == ErrorClass.NOT_FOUND) {
      String app = ctx.pathParam("app");
      if (app != null) { // the app is the resource asked for
        ApiErrors.send(ctx, 404, "not_found", "app not found on Fly: " + app, "app");
      } else { // the app is named in the request
        ApiErrors.send(ctx, 422, "app_not_found", "the Machines API does not know this app: " + e.apiError(), "app");
      }
    } else if (t instanceof FlyApiException e) {
      ApiErrors.send(ctx, 502, "upstream_error", "the Machines API failed: " + e.getMessage(), null);
    } else if (t instanceof StoreException e) {
      LOG.warn("store unavailable answering {} {}: {}", ctx.request().method(), ctx.request().path(), e.getMessage());
      ApiErrors.send(ctx, 503, e.diskFull() ? "store_full" : "store_unavailable", e.diskFull()
          ? "the store's disk is full; nothing was changed (free space, then retry)"
          : "the store is unavailable; nothing was changed", null);
    } else {
      LOG.error("internal error answering {} {}", ctx.request().method(), ctx.request().path(), t);
      ApiErrors.send(ctx, 500, "internal", "internal error", null);
    }
  }

  /** A JSON answer. */
  public static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.toBuffer());
  }
}
