package dev.flightdeck.api;

import dev.flightdeck.config.Checks;

/** The job API listener ({@code api.*}). */
public record ApiConfig(String host, int port, long maxBodyBytes) {
  public ApiConfig {
    Checks.notBlank("api.host", host);
    Checks.port("api.port", port);
    Checks.atLeast("api.max_body_bytes", maxBodyBytes, 1024);
  }
}
