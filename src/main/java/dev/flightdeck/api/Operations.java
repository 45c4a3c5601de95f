package dev.flightdeck.api;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/**
 * A feature's endpoints, bound to openapi.yaml's operations by id: the contract says where they are
 * and what a valid request is; the code only says what they do.
 */
@FunctionalInterface
public interface Operations {

  void mount(RouterBuilder api);

  /** Binds {@code handler} to the operation; an id the contract does not have fails at start. */
  static void on(RouterBuilder api, String operationId, Handler<RoutingContext> handler) {
    OpenAPIRoute route = api.getRoute(operationId);
    if (route == null) {
      throw new IllegalStateException("openapi.yaml has no operation " + operationId);
    }
    route.addHandler(handler);
  }
}
