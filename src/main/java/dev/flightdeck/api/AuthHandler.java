package dev.flightdeck.api;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/** Requires a valid bearer token on the API; the caller is put in the context for the routes. */
public final class AuthHandler implements Handler<RoutingContext> {

  public static final String PRINCIPAL = "principal";

  private final Authenticator auth;

  public AuthHandler(Authenticator auth) {
    this.auth = auth;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Principal p = auth.authenticate(ctx.request().getHeader("Authorization"));
    if (p == null) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"flightdeck\"");
      ApiErrors.send(ctx, 401, "unauthorized", ctx.request().getHeader("Authorization") == null
          ? "an API token is required: Authorization: Bearer <token>" : "the API token is not valid", null);
      return;
    }
    ctx.put(PRINCIPAL, p);
    ctx.next();
  }

  public static Principal principal(RoutingContext ctx) {
    return ctx.get(PRINCIPAL);
  }

  /** Sends 403 and returns false unless the caller may read {@code app}. */
  public static boolean mayRead(RoutingContext ctx, String app) {
    Principal p = principal(ctx);
    if (p.allows(app)) {
      return true;
    }
    ApiErrors.send(ctx, 403, "forbidden", "token '" + p.name() + "' may not access app " + app, "app");
    return false;
  }

  /** Sends 403 and returns false unless the caller may change {@code app}. */
  public static boolean mayWrite(RoutingContext ctx, String app) {
    Principal p = principal(ctx);
    if (!p.canWrite()) {
      ApiErrors.send(ctx, 403, "forbidden", "token '" + p.name() + "' has the read role; this needs write", null);
      return false;
    }
    return mayRead(ctx, app);
  }
}
