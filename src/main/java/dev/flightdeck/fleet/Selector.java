package dev.flightdeck.fleet;

import java.util.Map;
import java.util.Set;

/**
 * Which machines of an app: by state, region, process group ({@code metadata.fly_process_group}),
 * metadata key=value pairs (all must match) and ids. Empty sets mean "any".
 */
public record Selector(Set<String> states, Set<String> regions, Set<String> processGroups,
    Map<String, String> metadata, Set<String> ids) {

  public static final Selector ALL = new Selector(Set.of(), Set.of(), Set.of(), Map.of(), Set.of());

  public Selector {
    states = states == null ? Set.of() : Set.copyOf(states);
    regions = regions == null ? Set.of() : Set.copyOf(regions);
    processGroups = processGroups == null ? Set.of() : Set.copyOf(processGroups);
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    ids = ids == null ? Set.of() : Set.copyOf(ids);
  }

  public Selector withStates(Set<String> s) {
    return new Selector(s, regions, processGroups, metadata, ids);
  }

  public Selector withRegions(Set<String> r) {
    return new Selector(states, r, processGroups, metadata, ids);
  }

  public Selector withProcessGroups(Set<String> g) {
    return new Selector(states, regions, g, metadata, ids);
  }

  public Selector withMetadata(Map<String, String> m) {
    return new Selector(states, regions, processGroups, m, ids);
  }

  public Selector withIds(Set<String> i) {
    return new Selector(states, regions, processGroups, metadata, i);
  }

  public boolean matches(CachedMachine m) {
    if (!ids.isEmpty() && !ids.contains(m.id())) {
      return false;
    }
    if (!states.isEmpty() && !states.contains(m.state())) {
      return false;
    }
    if (!regions.isEmpty() && !regions.contains(m.region())) {
      return false;
    }
    if (!processGroups.isEmpty() && !processGroups.contains(m.processGroup())) {
      return false;
    }
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      if (!e.getValue().equals(m.metadata().get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
