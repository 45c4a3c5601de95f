package dev.flightdeck.api;

import dev.flightdeck.config.Checks;

/** The management listener ({@code management.*}): /health, /ready and /metrics, no token. */
public record ManagementConfig(String host, int port) {
  public ManagementConfig {
    Checks.notBlank("management.host", host);
    Checks.port("management.port", port);
  }
}
