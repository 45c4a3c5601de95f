package dev.flightdeck.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The request timers are cached by answer class: two statuses share a timer exactly when they share a label. */
class EngineMetricsStatusTest {

  @Test
  void statuses_share_a_cached_timer_exactly_when_they_share_a_status_label() {
    Map<Integer, String> labelOfClass = new HashMap<>();
    Map<String, Integer> classOfLabel = new HashMap<>();
    for (int s = -1; s < 600; s++) {
      if (s >= 0 && s < 100) {
        continue;
      }
      int c = EngineMetrics.statusClass(s);
      String label = EngineMetrics.status(s);
      assertThat(c).as("status %d", s).isBetween(0, 7);
      assertThat(labelOfClass.computeIfAbsent(c, k -> label)).as("status %d", s).isEqualTo(label);
      assertThat(classOfLabel.computeIfAbsent(label, k -> c)).as("status %d", s).isEqualTo(c);
    }
    assertThat(classOfLabel.keySet()).containsExactlyInAnyOrder("none", "1xx", "2xx", "3xx", "4xx", "409", "429", "5xx");
    assertThat(EngineMetrics.statusClass(600)).as("outside the table: looked up by name each time").isEqualTo(-1);
  }
}
