package dev.flightdeck.api;

import dev.flightdeck.config.Checks;

/**
 * The management listener ({@code management.*}): /health, /ready and /metrics, no token.
 * {@code metricsMaxApps}: app names used as metric labels before the rest are counted as
 * {@code other}; {@code metricsRefreshMs}: how often gauges read from the store and the fleet
 * cache are refreshed; {@code readyCheckMs}: how often readiness re-checks the store and the API.
 */
public record ManagementConfig(String host, int port, int metricsMaxApps, long metricsRefreshMs, long readyCheckMs) {
  public ManagementConfig {
    Checks.notBlank("management.host", host);
    Checks.port("management.port", port);
    Checks.atLeast("management.metrics_max_apps", metricsMaxApps, 1);
    Checks.atLeast("management.metrics_refresh_ms", metricsRefreshMs, 10);
    Checks.atLeast("management.ready_check_ms", readyCheckMs, 10);
  }
}
