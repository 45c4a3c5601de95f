package dev.flightdeck.store;

import java.util.List;

/**
 * Which jobs to list. {@code appPatterns}: apps the caller may see, as globs ({@code *} any run
 * of characters); empty means none. Null fields do not filter.
 */
public record JobFilter(List<String> appPatterns, String app, String state, String kind, Long createdAfter,
    Long createdBefore) {

  public JobFilter {
    appPatterns = appPatterns == null ? List.of() : List.copyOf(appPatterns);
  }
}
