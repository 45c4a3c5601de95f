package dev.flightdeck.fleet;

import java.util.HashMap;
import java.util.Map;

/**
 * Shares equal strings and metadata maps between cached machines: regions, states, images and
 * process groups repeat across thousands of machines, which keeps the cache near a few hundred
 * bytes per machine.
 */
final class Interner {

  private final Map<String, String> strings = new HashMap<>();
  private final Map<Map<String, String>, Map<String, String>> maps = new HashMap<>();

  String intern(String s) {
    if (s == null) {
      return null;
    }
    String known = strings.putIfAbsent(s, s);
    return known == null ? s : known;
  }

  Map<String, String> map(Map<String, String> m) {
    if (m.isEmpty()) {
      return Map.of();
    }
    Map<String, String> known = maps.get(m);
    if (known != null) {
      return known;
    }
    Map<String, String> copy = new HashMap<>(m.size() * 2);
    m.forEach((k, v) -> copy.put(intern(k), intern(v)));
    Map<String, String> frozen = Map.copyOf(copy);
    if (maps.size() < 100_000) {
      maps.put(frozen, frozen);
    }
    return frozen;
  }
}
