package dev.flightdeck.autoscale;

import dev.flightdeck.api.Authenticator;
import dev.flightdeck.api.TokenFile;
import dev.flightdeck.config.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * The Alertmanager receiver's own credentials, separate from API tokens: a bearer token (what
 * {@code http_config.authorization} sends) and/or basic auth. Compared by SHA-256 in constant
 * time. With none configured, a token is generated into the data directory at first start.
 */
public final class WebhookAuth {

  private final String tokenHash;
  private final String username;
  private final String passwordHash;
  private final Secret generated;

  private WebhookAuth(String tokenHash, String username, String passwordHash, Secret generated) {
    this.tokenHash = tokenHash;
    this.username = username;
    this.passwordHash = passwordHash;
    this.generated = generated;
  }

  public static WebhookAuth load(AutoscaleConfig.Webhook c, Path dataDir) {
    String tokenHash = !c.tokenSha256().isEmpty() ? c.tokenSha256()
        : c.token().isEmpty() ? "" : Authenticator.sha256(c.token().reveal());
    String pwHash = !c.passwordSha256().isEmpty() ? c.passwordSha256()
        : c.password().isEmpty() ? "" : Authenticator.sha256(c.password().reveal());
    Secret generated = null;
    if (tokenHash.isEmpty() && c.username().isEmpty()) {
      TokenFile t = TokenFile.readOrCreate(dataDir.resolve(c.tokenFile()), "fda_");
      generated = t.created() ? Secret.of(t.token()) : null;
      tokenHash = Authenticator.sha256(t.token());
    }
    return new WebhookAuth(tokenHash, c.username(), pwHash, generated);
  }

  /** The token generated at this start, else null. */
  public Secret generatedToken() {
    return generated;
  }

  /** Whether an {@code Authorization} header carries the receiver's token or basic credentials. */
  public boolean accepts(String header) {
    if (header == null) {
      return false;
    }
    if (header.regionMatches(true, 0, "Bearer ", 0, 7) && !tokenHash.isEmpty()) {
      return same(Authenticator.sha256(header.substring(7).trim()), tokenHash);
    }
    if (header.regionMatches(true, 0, "Basic ", 0, 6) && !username.isEmpty()) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return false;
      }
      int i = decoded.indexOf(':');
      if (i < 0) {
        return false;
      }
      boolean user = same(decoded.substring(0, i), username);
      boolean pw = same(Authenticator.sha256(decoded.substring(i + 1)), passwordHash);
      return user & pw;
    }
    return false;
  }

  private static boolean same(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
