package dev.flightdeck.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Labelled gauges refreshed as a whole: a scrape between two refreshes never misses a row that stayed. */
class MetricsRowsTest {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Metrics metrics = new Metrics(registry, 10);

  private Gauge gauge(String app) {
    return registry.find("flightdeck.test.machines").tag("app", app).gauge();
  }

  private static Metrics.Row row(String app, double value) {
    return new Metrics.Row(Tags.of("app", app), value);
  }

  @Test
  void a_row_that_stays_keeps_its_registered_gauge_and_shows_the_new_value() {
    metrics.setRows("flightdeck.test.machines", "machines", List.of(row("web", 1), row("api", 2)));
    Gauge web = gauge("web");

    metrics.setRows("flightdeck.test.machines", "machines", List.of(row("web", 5), row("api", 2)));

    assertThat(gauge("web")).as("never removed and registered again").isSameAs(web);
    assertThat(web.value()).isEqualTo(5.0);
    assertThat(registry.scrape()).contains("flightdeck_test_machines{app=\"web\"} 5.0")
        .contains("flightdeck_test_machines{app=\"api\"} 2.0");
  }

  @Test
  void rows_that_vanish_go_and_new_rows_appear() {
    metrics.setRows("flightdeck.test.machines", "machines", List.of(row("web", 1), row("api", 2)));
    Gauge api = gauge("api");

    metrics.setRows("flightdeck.test.machines", "machines", List.of(row("api", 3), row("worker", 4)));

    assertThat(gauge("web")).isNull();
    assertThat(gauge("api")).isSameAs(api);
    assertThat(gauge("worker").value()).isEqualTo(4.0);
    assertThat(registry.scrape()).doesNotContain("app=\"web\"").contains("flightdeck_test_machines{app=\"worker\"} 4.0");

    metrics.setRows("flightdeck.test.machines", "machines", List.of());
    assertThat(registry.find("flightdeck.test.machines").gauges()).isEmpty();
  }
}
