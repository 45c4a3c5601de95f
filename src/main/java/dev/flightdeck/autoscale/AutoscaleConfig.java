package dev.flightdeck.autoscale;

import dev.flightdeck.config.Checks;
import dev.flightdeck.config.ConfigException;
import dev.flightdeck.config.Secret;

/**
 * The autoscaler ({@code autoscale.*}): how often firing alerts are re-evaluated (pressure after a
 * cooldown), how long an alert counts without being re-sent, how many decisions are kept per
 * policy, and the Alertmanager receiver's own credentials.
 */
public record AutoscaleConfig(boolean enabled, long evaluateIntervalMs, long alertTtlSeconds, int decisionHistory,
    Webhook webhook) {

  public AutoscaleConfig {
    Checks.atLeast("autoscale.evaluate_interval_ms", evaluateIntervalMs, 10);
    Checks.atLeast("autoscale.alert_ttl_seconds", alertTtlSeconds, 1);
    Checks.atLeast("autoscale.decision_history", decisionHistory, 1);
    Checks.present("autoscale.webhook", webhook);
  }

  /**
   * Credentials Alertmanager presents: a bearer token ({@code token} or its {@code token_sha256}),
   * and/or basic auth ({@code username} with {@code password} or {@code password_sha256}). With
   * neither, a token is generated into {@code token_file} under the data directory.
   */
  public record Webhook(Secret token, String tokenSha256, String username, Secret password, String passwordSha256,
      String tokenFile) {
    public Webhook {
      token = token == null ? Secret.empty() : token;
      password = password == null ? Secret.empty() : password;
      tokenSha256 = hex("autoscale.webhook.token_sha256", tokenSha256);
      passwordSha256 = hex("autoscale.webhook.password_sha256", passwordSha256);
      username = username == null ? "" : username;
      if (!token.isEmpty() && !tokenSha256.isEmpty()) {
        throw new ConfigException("autoscale.webhook: give token or token_sha256, not both");
      }
      boolean pw = !password.isEmpty() || !passwordSha256.isEmpty();
      if (username.isEmpty() == pw) {
        throw new ConfigException("autoscale.webhook: basic auth needs both username and password (or "
            + "password_sha256)");
      }
      if (!password.isEmpty() && !passwordSha256.isEmpty()) {
        throw new ConfigException("autoscale.webhook: give password or password_sha256, not both");
      }
      Checks.notBlank("autoscale.webhook.token_file", tokenFile);
    }

    private static String hex(String name, String v) {
      v = v == null ? "" : v.trim().toLowerCase(java.util.Locale.ROOT);
      if (!v.isEmpty() && !v.matches("[0-9a-f]{64}")) {
        throw new ConfigException(name + " must be 64 hex digits");
      }
      return v;
    }
  }
}
