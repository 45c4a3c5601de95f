package dev.flightdeck.fly;

import dev.flightdeck.config.ConfigException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the Machines API lives. Parsed by hand because java.net.URI rejects the underscore of
 * Fly's private address {@code http://_api.internal:4280}.
 */
public record ApiEndpoint(boolean https, String host, int port, String path) {

  private static final Pattern URL = Pattern.compile("^(https?)://([A-Za-z0-9_.\\-]+|\\[[0-9a-fA-F:]+])(?::(\\d{1,5}))?(/.*)?$");

  /** Parses {@code value}; {@code setting} names the config key in the error. */
  public static ApiEndpoint parse(String setting, String value) {
    String v = value == null ? "" : value.trim();
    if (!v.contains("://")) {
      v = "https://" + v;
    }
    Matcher m = URL.matcher(v);
    if (value == null || value.isBlank() || !m.matches()) {
      throw new ConfigException(setting + " must be an http(s) URL such as https://api.machines.dev, got '" + value + "'");
    }
    boolean https = m.group(1).equals("https");
    int port = m.group(3) == null ? (https ? 443 : 80) : Integer.parseInt(m.group(3));
    if (port < 1 || port > 65535) {
      throw new ConfigException(setting + " has an invalid port: '" + value + "'");
    }
    String path = m.group(4) == null ? "" : m.group(4).replaceAll("/+$", "");
    return new ApiEndpoint(https, m.group(2), port, path);
  }

  @Override
  public String toString() {
    boolean defaultPort = https ? port == 443 : port == 80;
    return (https ? "https://" : "http://") + host + (defaultPort ? "" : ":" + port) + path;
  }
}
