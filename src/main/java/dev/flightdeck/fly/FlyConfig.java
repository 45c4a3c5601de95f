package dev.flightdeck.fly;

import dev.flightdeck.config.Checks;
import dev.flightdeck.config.Secret;

/**
 * How to reach the Machines API ({@code fly.*}). An empty token means "use the embedded
 * simulator" for {@code serve}.
 */
public record FlyConfig(
    String apiHostname,
    Secret token,
    int connectTimeoutMs,
    int requestTimeoutMs,
    int maxConnections,
    String userAgent) {

  public FlyConfig {
    ApiEndpoint.parse("fly.api_hostname", apiHostname);
    token = token == null ? Secret.empty() : token;
    Checks.atLeast("fly.connect_timeout_ms", connectTimeoutMs, 1);
    Checks.atLeast("fly.request_timeout_ms", requestTimeoutMs, 1);
    Checks.atLeast("fly.max_connections", maxConnections, 1);
    Checks.notBlank("fly.user_agent", userAgent);
  }

  public ApiEndpoint endpoint() {
    return ApiEndpoint.parse("fly.api_hostname", apiHostname);
  }

  public FlyConfig withEndpoint(String hostname, Secret newToken) {
    return new FlyConfig(hostname, newToken, connectTimeoutMs, requestTimeoutMs, maxConnections, userAgent);
  }
}
