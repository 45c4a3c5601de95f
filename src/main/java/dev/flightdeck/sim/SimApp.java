package dev.flightdeck.sim;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** An app and its machines, in creation order. */
final class SimApp {

  final String id;
  final String name;
  final String orgSlug;
  final String network;
  final long internalNumericId;
  final Map<String, SimMachine> machines = new LinkedHashMap<>();
  final Map<String, SimMachine> byName = new HashMap<>();

  SimApp(String id, String name, String orgSlug, String network, long internalNumericId) {
    this.id = id;
    this.name = name;
    this.orgSlug = orgSlug;
    this.network = network;
    this.internalNumericId = internalNumericId;
  }

  int liveMachineCount() {
    int n = 0;
    for (SimMachine m : machines.values()) {
      if (!m.isDestroyed()) {
        n++;
      }
    }
    return n;
  }
}
