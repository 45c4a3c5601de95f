package dev.flightdeck.fly;

import java.util.List;

/**
 * Parameters of {@code GET …/wait}: one or more states ({@code started}, {@code stopped},
 * {@code suspended}, {@code destroyed}, {@code failed}, {@code settled}), the version
 * (instance_id) to wait on, and a timeout of 1–60 s (the API's maximum for one call).
 */
public record WaitOptions(List<String> states, String version, int timeoutSeconds, String fromEventId) {

  public WaitOptions {
    states = states == null || states.isEmpty() ? List.of("started") : List.copyOf(states);
    timeoutSeconds = Math.max(1, Math.min(60, timeoutSeconds));
  }

  public static WaitOptions forState(String state, int timeoutSeconds) {
    return new WaitOptions(List.of(state), null, timeoutSeconds, null);
  }

  public WaitOptions withVersion(String v) {
    return new WaitOptions(states, v, timeoutSeconds, fromEventId);
  }
}
