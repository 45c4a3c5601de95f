package dev.flightdeck.dispatch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * At most one item per key at a time (one operation per machine): an item whose key is busy waits,
 * in arrival order, until the key is left. Not thread-safe: the dispatcher's context only.
 */
final class SerialKeys<T> {

  private final Map<String, T> running = new HashMap<>();
  private final Map<String, ArrayDeque<T>> waiting = new HashMap<>();
  private int waitingCount;

  boolean busy(String key) {
    return running.containsKey(key);
  }

  /** {@code item} runs under {@code key}, which must be free. */
  void enter(String key, T item) {
    if (running.putIfAbsent(key, item) != null) {
      throw new IllegalStateException(key + " is busy");
    }
  }

  /** {@code item} waits for {@code key}, behind those already waiting. */
  void park(String key, T item) {
    waiting.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(item);
    waitingCount++;
  }

  /** The item running under {@code key} is done: returns the first one waiting for it (no longer waiting), or null. */
  T leave(String key) {
    running.remove(key);
    ArrayDeque<T> q = waiting.get(key);
    if (q == null) {
      return null;
    }
    T next = q.pollFirst();
    if (q.isEmpty()) {
      waiting.remove(key);
    }
    if (next != null) {
      waitingCount--;
    }
    return next;
  }

  /** The items running now. */
  Iterable<T> running() {
    return running.values();
  }

  /** Removes and returns the waiting items that match. */
  List<T> removeWaiting(Predicate<T> which) {
    List<T> out = new ArrayList<>();
    Iterator<ArrayDeque<T>> queues = waiting.values().iterator();
    while (queues.hasNext()) {
      ArrayDeque<T> q = queues.next();
      q.removeIf(item -> which.test(item) && out.add(item));
      if (q.isEmpty()) {
        queues.remove();
      }
    }
    waitingCount -= out.size();
    return out;
  }

  /** How many items wait for a key. */
  int waiting() {
    return waitingCount;
  }
}
