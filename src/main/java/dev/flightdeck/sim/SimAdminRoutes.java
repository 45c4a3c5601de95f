package dev.flightdeck.sim;

import dev.flightdeck.config.ConfigException;
import dev.flightdeck.config.ConfigLoader;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The simulator's admin endpoints under {@code /sim} (no token, not part of the Machines API):
 * the journal, counters, fault injection, rate limits, latency, seeding and foreign leases.
 */
final class SimAdminRoutes {

  private SimAdminRoutes() {}

  static void mount(Router r, SimulatorVerticle sim) {
    SimWorld w = sim.world;
    get(r, "/sim/health", ctx -> new JsonObject().put("ok", true).put("apps", w.apps.size())
        .put("machines", w.machineCount()));
    get(r, "/sim/journal", ctx -> {
      String after = ctx.queryParams().get("after_seq");
      String limit = ctx.queryParams().get("limit");
      return w.journal.toJson(ctx.queryParams().get("app"), ctx.queryParams().get("machine_id"),
          after == null ? 0 : Long.parseLong(after), limit == null ? Integer.MAX_VALUE : Integer.parseInt(limit));
    });
    r.delete("/sim/journal").handler(ctx -> {
      w.journal.clear();
      json(ctx, 200, new JsonObject().put("ok", true));
    });
    get(r, "/sim/stats", ctx -> sim.stats.toJson()
        .put("machines", w.machineCount())
        .put("apps", w.apps.size())
        .put("waiters", w.waiterCount())
        .put("leases_held", w.liveLeases(null).size()));
    r.delete("/sim/stats").handler(ctx -> {
      sim.stats.clear();
      json(ctx, 200, new JsonObject().put("ok", true));
    });
    get(r, "/sim/faults", ctx -> ConfigLoader.toJson(sim.faults()));
    put(r, "/sim/faults", (ctx, body) -> {
      SimConfig.Faults f = merge(ConfigLoader.toJson(sim.faults()), body, SimConfig.Faults.class, "faults");
      sim.setFaults(f);
      return ConfigLoader.toJson(f);
    });
    get(r, "/sim/rate-limits", ctx -> ConfigLoader.toJson(sim.rateLimits()));
    put(r, "/sim/rate-limits", (ctx, body) -> {
      SimConfig.RateLimits l = merge(ConfigLoader.toJson(sim.rateLimits()), body, SimConfig.RateLimits.class,
          "rate_limits");
      sim.setRateLimits(l);
      return ConfigLoader.toJson(l);
    });
    get(r, "/sim/latency", ctx -> ConfigLoader.toJson(w.latency()));
    put(r, "/sim/latency", (ctx, body) -> {
      SimConfig.Latency l = merge(ConfigLoader.toJson(w.latency()), body, SimConfig.Latency.class, "latency");
      w.setLatency(l);
      return ConfigLoader.toJson(l);
    });
    post(r, "/sim/apps", (ctx, body) -> {
      JsonObject defaults = new JsonObject().put("machines", 0).put("regions", new JsonArray().add("ord"))
          .put("process_groups", new JsonArray().add("app")).put("image", "registry.fly.io/app:seed")
          .put("state", "stopped");
      return w.seed(merge(defaults, body, SimConfig.SeedApp.class, "seed_app"));
    });
    post(r, "/sim/foreign-leases", (ctx, body) -> {
      String app = body.getString("app");
      if (app == null) {
        throw new ConfigException("app is required");
      }
      List<String> ids = new ArrayList<>();
      for (Object o : body.getJsonArray("machine_ids", new JsonArray())) {
        ids.add(String.valueOf(o));
      }
      return w.foreignLeases(app, ids, body.getString("owner", "deploy@fly.io"), body.getLong("ttl_seconds", 60L));
    });
    r.delete("/sim/foreign-leases").handler(ctx -> guarded(ctx, () -> new JsonObject().put("released",
        w.releaseLeasesOf(ctx.queryParams().get("app"), ctx.queryParams().get("owner") == null ? "deploy@fly.io"
            : ctx.queryParams().get("owner")))));
    get(r, "/sim/leases", ctx -> new JsonObject().put("leases", w.liveLeases(ctx.queryParams().get("app"))));
  }

  private static <T> T merge(JsonObject current, JsonObject patch, Class<T> type, String prefix) {
    JsonObject merged = current.copy();
    patch.forEach(e -> merged.put(e.getKey(), e.getValue()));
    return ConfigLoader.bind(merged, type, prefix);
  }

  private interface BodyHandler {
    JsonObject apply(RoutingContext ctx, JsonObject body);
  }

  private static void get(Router r, String path, Function<RoutingContext, JsonObject> h) {
    r.get(path).handler(ctx -> guarded(ctx, () -> h.apply(ctx)));
  }

  private static void put(Router r, String path, BodyHandler h) {
    r.put(path).handler(ctx -> guarded(ctx, () -> h.apply(ctx, body(ctx))));
  }

  private static void post(Router r, String path, BodyHandler h) {
    r.post(path).handler(ctx -> guarded(ctx, () -> h.apply(ctx, body(ctx))));
  }

  private static JsonObject body(RoutingContext ctx) {
    String s = ctx.body().asString();
    return s == null || s.isBlank() ? new JsonObject() : new JsonObject(s);
  }

  private static void guarded(RoutingContext ctx, java.util.function.Supplier<JsonObject> work) {
    try {
      json(ctx, 200, work.get());
    } catch (SimError e) {
      json(ctx, e.status, e.body);
    } catch (ConfigException | DecodeException | NumberFormatException e) {
      json(ctx, 400, new JsonObject().put("error", e.getMessage()));
    }
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.toBuffer());
  }
}
