package dev.flightdeck.api;

import dev.flightdeck.config.Checks;
import dev.flightdeck.config.ConfigException;
import dev.flightdeck.config.Secret;
import java.util.List;
import java.util.Set;

/**
 * API tokens ({@code auth.*}). Each has a name, a role ({@code read}, {@code write} or
 * {@code admin}) and the apps it may touch (exact names or globs such as {@code web-*} or
 * {@code *}). Give the token's SHA-256 ({@code token_sha256}, hex) so the config holds no secret,
 * or the token itself ({@code token}). With no tokens, {@code serve} generates one into
 * {@code token_file} under the data directory.
 */
public record AuthConfig(List<TokenEntry> tokens, String tokenFile) {

  public AuthConfig {
    tokens = Checks.list("auth.tokens", tokens);
    Checks.notBlank("auth.token_file", tokenFile);
    Set<String> names = new java.util.HashSet<>();
    for (TokenEntry t : tokens) {
      if (!names.add(t.name())) {
        throw new ConfigException("auth.tokens: the name '" + t.name() + "' is used twice");
      }
    }
  }

  public record TokenEntry(String name, Secret token, String tokenSha256, String role, List<String> apps) {
    public TokenEntry {
      Checks.notBlank("auth.tokens[].name", name);
      token = token == null ? Secret.empty() : token;
      tokenSha256 = tokenSha256 == null ? "" : tokenSha256.trim().toLowerCase(java.util.Locale.ROOT);
      if (token.isEmpty() == tokenSha256.isEmpty()) {
        throw new ConfigException("auth.tokens[" + name + "] needs exactly one of token and token_sha256");
      }
      if (!tokenSha256.isEmpty() && !tokenSha256.matches("[0-9a-f]{64}")) {
        throw new ConfigException("auth.tokens[" + name + "].token_sha256 must be 64 hex digits");
      }
      if (!Set.of("read", "write", "admin").contains(role)) {
        throw new ConfigException("auth.tokens[" + name + "].role must be read, write or admin, got '" + role + "'");
      }
      apps = Checks.list("auth.tokens[].apps", apps);
      if (apps.isEmpty()) {
        throw new ConfigException("auth.tokens[" + name + "].apps must name at least one app or glob (\"*\" for all)");
      }
    }
  }
}
