package dev.flightdeck.dispatch;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Predicate;

/**
 * Items that may not go before a time (a backoff, an empty rate bucket): they come out once it has
 * passed, earliest first, and in arrival order among equals. Not thread-safe.
 */
final class DelayingQueue<T> {

  private record Entry<T>(long at, long seq, T item) {}

  private final PriorityQueue<Entry<T>> entries = new PriorityQueue<>((a, b) -> a.at != b.at
      ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
  private long seq;

  void add(T item, long notBefore) {
    entries.add(new Entry<>(notBefore, seq++, item));
  }

  /** Removes and returns the first item due at {@code now}, or null. */
  T pollDue(long now) {
    Entry<T> e = entries.peek();
    if (e == null || e.at > now) {
      return null;
    }
    entries.poll();
    return e.item;
  }

  /** When the first item falls due, or {@link Long#MAX_VALUE} when there is none. */
  long nextDue() {
    Entry<T> e = entries.peek();
    return e == null ? Long.MAX_VALUE : e.at;
  }

  /** Removes and returns the items that match, whenever they are due. */
  List<T> removeIf(Predicate<T> which) {
    List<T> out = new ArrayList<>();
    entries.removeIf(e -> which.test(e.item) && out.add(e.item));
    return out;
  }

  int size() {
    return entries.size();
  }
}
