package dev.flightdeck.fly;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * A machine's events, read from the answer's array when asked for. A list of machines carries up to
 * {@code max_machine_events} events for each machine, and most readers (the fleet cache) look at the
 * newest one at most: reading them all was the largest part of parsing a list.
 * Entries that are not objects are skipped, as before.
 */
final class MachineEvents extends AbstractList<MachineEvent> implements RandomAccess {

  private final JsonArray array;
  private final int[] objects;
  private final MachineEvent[] read;

  private MachineEvents(JsonArray array, int[] objects) {
    this.array = array;
    this.objects = objects;
    this.read = new MachineEvent[objects.length];
  }

  /** {@code array} must not change afterwards: it comes from an answer nobody else holds. */
  static java.util.List<MachineEvent> of(JsonArray array) {
    int n = array.size();
    int[] objects = new int[n];
    int k = 0;
    for (int i = 0; i < n; i++) {
      if (array.getValue(i) instanceof JsonObject) {
        objects[k++] = i;
      }
    }
    return k == 0 ? java.util.List.of() : new MachineEvents(array, k == n ? objects : java.util.Arrays.copyOf(objects, k));
  }

  @Override
  public MachineEvent get(int index) {
    MachineEvent e = read[index];
    if (e == null) {
      e = MachineEvent.fromJson(array.getJsonObject(objects[index]));
      read[index] = e;
    }
    return e;
  }

  @Override
  public int size() {
    return objects.length;
  }
}
