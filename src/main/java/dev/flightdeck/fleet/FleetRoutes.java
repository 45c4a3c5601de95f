package dev.flightdeck.fleet;

import dev.flightdeck.api.ApiErrors;
import dev.flightdeck.api.ApiFailures;
import dev.flightdeck.api.AuthHandler;
import dev.flightdeck.time.TimeSource;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import dev.flightdeck.api.Operations;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fleet cache, read-only over HTTP: {@code GET /v1/fleet/apps} and
 * {@code GET /v1/fleet/apps/{app}/machines?state=&region=&process_group=&metadata.KEY=&id=&max_age_ms=}.
 */
public final class FleetRoutes {

  private FleetRoutes() {}

  public static void mount(RouterBuilder api, FleetCache fleet, TimeSource time) {
    Operations.on(api, "listFleetApps", ctx -> fleet.apps().onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      JsonArray arr = new JsonArray();
      ar.result().stream().filter(v -> AuthHandler.principal(ctx).allows(v.app())).forEach(v -> arr.add(view(v)));
      ApiFailures.json(ctx, 200, new JsonObject().put("apps", arr));
    }));
    Operations.on(api, "listFleetMachines", ctx -> machines(ctx, fleet, time));
  }

  private static void machines(RoutingContext ctx, FleetCache fleet, TimeSource time) {
    String app = ctx.pathParam("app");
    if (!AuthHandler.mayRead(ctx, app)) {
      return;
    }
    MultiMap q = ctx.queryParams();
    Selector sel;
    long maxAge;
    try {
      sel = selector(q);
      maxAge = q.get("max_age_ms") == null ? Long.MAX_VALUE : Long.parseLong(q.get("max_age_ms"));
      if (maxAge < 0) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      ApiErrors.send(ctx, 400, "invalid_parameter", "max_age_ms must be a whole number of milliseconds", "max_age_ms");
      return;
    }
    if ("true".equalsIgnoreCase(q.get("fresh"))) {
      maxAge = 0;
    }
    // the view first: its numbers say whether the caller's copy (If-None-Match) is still the answer,
    // and then the machines are neither walked into JSON nor sent
    fleet.app(app, maxAge).compose(v -> {
      String etag = etag(v, ctx.request().query());
      ctx.response().putHeader("ETag", etag).putHeader("Cache-Control", "no-cache");
      if (matches(ctx.request().getHeader("If-None-Match"), etag)) {
        return Future.succeededFuture((JsonObject) null);
      }
      return fleet.machines(app, sel, Long.MAX_VALUE).map(list -> {
        long now = time.millis();
        JsonArray arr = new JsonArray();
        list.forEach(m -> arr.add(m.toJson(now)));
        return view(v).put("count", list.size()).put("machines", arr);
      });
    }).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (ar.result() == null) {
        ctx.response().setStatusCode(304).end();
      } else {
        ApiFailures.json(ctx, 200, ar.result());
      }
    });
  }

  /**
   * A weak tag of everything the answer says except {@code age_ms}: the app's change count, when it was
   * listed, staleness, refresh errors, leases held now, and the filters asked for. A copy with this tag
   * differs from a fresh answer only in {@code age_ms} (it grows by the time since that copy came).
   */
  static String etag(FleetCache.AppView v, String query) {
    java.util.zip.CRC32C filters = new java.util.zip.CRC32C();
    filters.update((query == null ? "" : query).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return "W/\"" + v.changes() + "." + v.refreshedAt() + "." + (v.stale() ? 1 : 0) + "." + v.refreshErrors() + "."
        + v.leases() + "." + Long.toHexString(filters.getValue()) + "\"";
  }

  /** If-None-Match: one tag, a list, or {@code *}; weak comparison (RFC 9110 §13.1.2). */
  static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    String opaque = etag.substring(2);
    for (String tag : ifNoneMatch.split(",")) {
      String t = tag.trim();
      if (t.equals("*") || (t.startsWith("W/") ? t.substring(2) : t).equals(opaque)) {
        return true;
      }
    }
    return false;
  }

  static Selector selector(MultiMap q) {
    Map<String, String> md = new HashMap<>();
    for (Map.Entry<String, String> e : q.entries()) {
      if (e.getKey().startsWith("metadata.")) {
        md.put(e.getKey().substring("metadata.".length()), e.getValue());
      }
    }
    return new Selector(csv(q.getAll("state")), csv(q.getAll("region")), csv(q.getAll("process_group")), md,
        csv(q.getAll("id")));
  }

  private static Set<String> csv(List<String> values) {
    Set<String> out = new HashSet<>();
    for (String v : values) {
      for (String part : v.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return out;
  }

  private static JsonObject view(FleetCache.AppView v) {
    JsonObject byState = new JsonObject();
    v.byState().forEach(byState::put);
    return new JsonObject()
        .put("app", v.app())
        .put("machines_cached", v.machines())
        .put("by_state", byState)
        .put("refreshed_at", v.refreshedAt() < 0 ? null : Instant.ofEpochMilli(v.refreshedAt()).toString())
        .put("age_ms", v.ageMs())
        .put("stale", v.stale())
        .put("refresh_errors", v.refreshErrors())
        .put("last_error", v.lastError());
  }


}
