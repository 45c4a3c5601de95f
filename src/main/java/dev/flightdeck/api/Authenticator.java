package dev.flightdeck.api;

import dev.flightdeck.config.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks API tokens. Tokens are compared by SHA-256, so the config may hold hashes only. With none
 * configured, a token is generated into the data directory at first start (and reused after), so
 * the API is never open.
 */
public final class Authenticator {

  private final Map<String, Principal> byHash;
  private final String generated;

  private Authenticator(Map<String, Principal> byHash, String generated) {
    this.byHash = byHash;
    this.generated = generated;
  }

  /**
   * Builds the token table from {@code config}; with no tokens there, reads or creates
   * {@code dataDir/token_file}.
   */
  public static Authenticator load(AuthConfig config, Path dataDir) {
    Map<String, Principal> byHash = new HashMap<>();
    for (AuthConfig.TokenEntry t : config.tokens()) {
      String hash = t.tokenSha256().isEmpty() ? sha256(t.token().reveal()) : t.tokenSha256();
      byHash.put(hash, new Principal(t.name(), t.role(), t.apps()));
    }
    String generated = null;
    if (byHash.isEmpty()) {
      TokenFile t = TokenFile.readOrCreate(dataDir.resolve(config.tokenFile()), "fd_");
      generated = t.created() ? t.token() : null;
      byHash.put(sha256(t.token()), new Principal("generated-admin", "admin", List.of("*")));
    }
    return new Authenticator(Map.copyOf(byHash), generated);
  }

  /** The token generated at this start, or null (print it once; it is never logged). */
  public Secret generatedToken() {
    return generated == null ? null : Secret.of(generated);
  }

  /** The caller for an {@code Authorization} header, or null. */
  public Principal authenticate(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = header.substring(7).trim();
    if (token.isEmpty()) {
      return null;
    }
    String hash = sha256(token);
    for (Map.Entry<String, Principal> e : byHash.entrySet()) {
      if (MessageDigest.isEqual(e.getKey().getBytes(StandardCharsets.US_ASCII),
          hash.getBytes(StandardCharsets.US_ASCII))) {
        return e.getValue();
      }
    }
    return null;
  }

  public static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
