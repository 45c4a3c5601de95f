package dev.flightdeck.config;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * This instance's identity ({@code instance.id}): who owns a job claim and whose leases are whose.
 * Empty means "derive one": {@code FLY_MACHINE_ID} on Fly, else host name plus a random suffix.
 */
public record InstanceConfig(String id) {

  public InstanceConfig {
    id = id == null ? "" : id.trim();
    if (!id.isEmpty() && !id.matches("[A-Za-z0-9._:-]{1,64}")) {
      throw new ConfigException("instance.id may only hold letters, digits and . _ : - (at most 64), got '" + id + "'");
    }
  }

  public String resolve() {
    if (!id.isEmpty()) {
      return id;
    }
    String fly = System.getenv("FLY_MACHINE_ID");
    if (fly != null && !fly.isBlank()) {
      return fly;
    }
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9.-]", "");
    } catch (Exception e) {
      host = "flightdeck";
    }
    byte[] b = new byte[3];
    new SecureRandom().nextBytes(b);
    return (host.length() > 40 ? host.substring(0, 40) : host) + "-" + HexFormat.of().formatHex(b);
  }
}
