package dev.flightdeck.api;

import dev.flightdeck.config.Checks;

/**
 * The job API listener ({@code api.*}). {@code idleTimeoutSeconds}: a connection that sends and
 * receives nothing for this long is closed (event streams send a comment often enough to stay).
 */
public record ApiConfig(String host, int port, long maxBodyBytes, int idleTimeoutSeconds) {
  public ApiConfig {
    Checks.notBlank("api.host", host);
    Checks.port("api.port", port);
    Checks.atLeast("api.max_body_bytes", maxBodyBytes, 1024);
    Checks.atLeast("api.idle_timeout_seconds", idleTimeoutSeconds, 5);
  }
}
