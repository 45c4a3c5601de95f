package dev.flightdeck.store;

import java.util.List;
import java.util.Map;

/**
 * What one claim took: the jobs, and for those taken from an instance that stopped heart-beating,
 * that instance's id. A job given back by its owner (shutdown, orphan hand-back) is not a takeover.
 */
public record Claimed(List<JobRecord> jobs, Map<String, String> takenOverFrom) {

  public Claimed {
    jobs = List.copyOf(jobs);
    takenOverFrom = Map.copyOf(takenOverFrom);
  }

  public static final Claimed NONE = new Claimed(List.of(), Map.of());
}
