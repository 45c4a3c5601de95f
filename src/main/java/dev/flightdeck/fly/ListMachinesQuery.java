package dev.flightdeck.fly;

import java.util.List;
import java.util.Map;

/**
 * Filters of {@code GET /v1/apps/{app}/machines}. {@code metadata} entries become
 * {@code metadata.KEY=VALUE} parameters (all must match).
 */
public record ListMachinesQuery(
    boolean includeDeleted, String region, List<String> states, Map<String, String> metadata, boolean summary, boolean includeLeases) {

  public static final ListMachinesQuery ALL = new ListMachinesQuery(false, null, List.of(), Map.of(), false, false);

  public ListMachinesQuery {
    states = states == null ? List.of() : List.copyOf(states);
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  public ListMachinesQuery withIncludeDeleted(boolean v) {
    return new ListMachinesQuery(v, region, states, metadata, summary, includeLeases);
  }

  public ListMachinesQuery withRegion(String v) {
    return new ListMachinesQuery(includeDeleted, v, states, metadata, summary, includeLeases);
  }

  public ListMachinesQuery withStates(List<String> v) {
    return new ListMachinesQuery(includeDeleted, region, v, metadata, summary, includeLeases);
  }

  public ListMachinesQuery withMetadata(Map<String, String> v) {
    return new ListMachinesQuery(includeDeleted, region, states, v, summary, includeLeases);
  }

  public ListMachinesQuery withSummary(boolean v) {
    return new ListMachinesQuery(includeDeleted, region, states, metadata, v, includeLeases);
  }

  public ListMachinesQuery withIncludeLeases(boolean v) {
    return new ListMachinesQuery(includeDeleted, region, states, metadata, summary, v);
  }
}
