package dev.flightdeck.sim;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The Machines API's routes, matched by path segments in one map lookup. Every path has the shape
 * {@code /v1/apps/{app}/machines/{id}/{verb}/{key}} (or a prefix of it), so the parameters sit at
 * fixed positions. vertx-web's router tried each route's regular expression in turn, and that was
 * a quarter of the simulator's CPU under load.
 */
final class SimRoutes {

  record Route(String operationId, SimulatorVerticle.Limit limit, boolean mutation,
      Function<SimulatorVerticle.Call, Future<SimResult>> handler) {}

  record Match(Route route, String app, String id, String key) {}

  /** Segment positions that hold a parameter, and the parameter each one is. */
  private static final Map<Integer, String> PARAMS = Map.of(2, ":app", 4, ":id", 6, ":key");

  private final Map<String, Route> routes = new HashMap<>();

  /** {@code template} like {@code /v1/apps/:app/machines/:id/lease}. */
  void add(HttpMethod method, String template, Route route) {
    String[] segments = template.substring(1).split("/");
    for (int i = 0; i < segments.length; i++) {
      boolean param = segments[i].startsWith(":");
      if (param != PARAMS.containsKey(i) || param && !segments[i].equals(PARAMS.get(i))) {
        throw new IllegalArgumentException("unexpected route shape: " + template);
      }
    }
    if (routes.put(key(method, segments), route) != null) {
      throw new IllegalArgumentException("route added twice: " + method + " " + template);
    }
  }

  /** The route for a request path, with its parameters decoded; null when none fits. */
  Match match(HttpMethod method, String path) {
    if (path == null || !path.startsWith("/")) {
      return null;
    }
    String p = path.length() > 1 && path.endsWith("/") ? path.substring(1, path.length() - 1) : path.substring(1);
    String[] segments = p.split("/", -1);
    if (segments.length > 7) {
      return null;
    }
    for (int i = 0; i < segments.length; i++) {
      if (segments[i].isEmpty()) {
        return null;
      }
    }
    Route route = routes.get(key(method, segments));
    if (route == null) {
      return null;
    }
    return new Match(route, param(segments, 2), param(segments, 4), param(segments, 6));
  }

  private static String key(HttpMethod method, String[] segments) {
    StringBuilder b = new StringBuilder(64).append(method.name());
    for (int i = 0; i < segments.length; i++) {
      b.append('/').append(PARAMS.containsKey(i) ? "*" : segments[i]);
    }
    return b.toString();
  }

  private static String param(String[] segments, int i) {
    if (i >= segments.length) {
      return null;
    }
    String s = segments[i];
    if (s.indexOf('%') < 0) {
      return s;
    }
    try {
      // '+' is a plain character in a path, not a space
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException malformed) {
      return s;
    }
  }
}
