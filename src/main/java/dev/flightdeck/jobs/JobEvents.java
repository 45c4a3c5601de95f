package dev.flightdeck.jobs;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * In-process progress notifications of the jobs this instance runs, for the SSE stream. Each
 * listener is called on the context it subscribed from. (Progress of jobs run by another instance
 * reaches the stream by polling the store.)
 */
public final class JobEvents {

  private record Listener(Context context, Consumer<JsonObject> consumer) {}

  private final Map<String, List<Listener>> listeners = new ConcurrentHashMap<>();

  /** Subscribes to {@code jobId}; run the returned Runnable to unsubscribe. */
  public Runnable subscribe(String jobId, Consumer<JsonObject> consumer) {
    Listener l = new Listener(Vertx.currentContext(), consumer);
    listeners.computeIfAbsent(jobId, k -> new CopyOnWriteArrayList<>()).add(l);
    return () -> listeners.computeIfPresent(jobId, (k, list) -> {
      list.remove(l);
      return list.isEmpty() ? null : list;
    });
  }

  /** Whether anyone follows {@code jobId} here: events nobody reads are not built. */
  public boolean watched(String jobId) {
    return listeners.containsKey(jobId);
  }

  public void publish(String jobId, JsonObject event) {
    List<Listener> list = listeners.get(jobId);
    if (list == null) {
      return;
    }
    for (Listener l : list) {
      if (l.context() == null) {
        l.consumer().accept(event);
      } else {
        l.context().runOnContext(v -> l.consumer().accept(event));
      }
    }
  }
}
