package dev.flightdeck.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/** A generated credential kept in a file only its owner can read: read it, or create it on first start. */
public record TokenFile(String token, boolean created) {

  /** Reads {@code file}, or writes a new random token {@code prefix + 48 hex digits} into it. */
  public static TokenFile readOrCreate(Path file, String prefix) {
    try {
      if (Files.isRegularFile(file)) {
        return new TokenFile(Files.readString(file, StandardCharsets.UTF_8).trim(), false);
      }
      Files.createDirectories(file.toAbsolutePath().getParent());
      byte[] b = new byte[24];
      new SecureRandom().nextBytes(b);
      String token = prefix + HexFormat.of().formatHex(b);
      Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system
      }
      return new TokenFile(token, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the token file " + file, e);
    }
  }
}
