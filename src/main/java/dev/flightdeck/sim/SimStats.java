package dev.flightdeck.sim;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;

/** Counters the bench and tests read through {@code GET /sim/stats}. */
final class SimStats {

  final Map<String, Long> requestsByOperation = new TreeMap<>();
  final Map<Integer, Long> responsesByStatus = new TreeMap<>();
  long rateLimited;
  long injectedErrors;
  long injectedThrottles;
  long injectedSlow;
  long droppedBefore;
  long droppedAfter;

  void request(String operationId) {
    requestsByOperation.merge(operationId, 1L, Long::sum);
  }

  void response(int status) {
    responsesByStatus.merge(status, 1L, Long::sum);
  }

  long totalRequests() {
    return requestsByOperation.values().stream().mapToLong(Long::longValue).sum();
  }

  JsonObject toJson() {
    JsonObject byOp = new JsonObject();
    requestsByOperation.forEach(byOp::put);
    JsonObject byStatus = new JsonObject();
    responsesByStatus.forEach((k, v) -> byStatus.put(Integer.toString(k), v));
    return new JsonObject()
        .put("requests", totalRequests())
        .put("requests_by_operation", byOp)
        .put("responses_by_status", byStatus)
        .put("rate_limited", rateLimited)
        .put("injected_errors", injectedErrors)
        .put("injected_throttles", injectedThrottles)
        .put("injected_slow", injectedSlow)
        .put("dropped_before", droppedBefore)
        .put("dropped_after", droppedAfter);
  }

  void clear() {
    requestsByOperation.clear();
    responsesByStatus.clear();
    rateLimited = injectedErrors = injectedThrottles = injectedSlow = droppedBefore = droppedAfter = 0;
  }
}
