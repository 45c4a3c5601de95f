package dev.flightdeck.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Versioned SQL migrations, {@code db/<dialect>/V<n>__<name>.sql}, listed in order in
 * {@code db/<dialect>/index.txt}. Each store applies those not yet in {@code schema_migrations}.
 */
final class Migrations {

  record Migration(int version, String name, List<String> statements) {}

  private Migrations() {}

  static List<Migration> load(String dialect) {
    List<Migration> out = new ArrayList<>();
    for (String file : read("db/" + dialect + "/index.txt").split("\\R")) {
      String f = file.trim();
      if (f.isEmpty() || f.startsWith("#")) {
        continue;
      }
      int version = Integer.parseInt(f.substring(1, f.indexOf("__")));
      List<String> statements = new ArrayList<>();
      for (String s : read("db/" + dialect + "/" + f).split(";")) {
        if (!s.isBlank()) {
          statements.add(s.trim());
        }
      }
      out.add(new Migration(version, f, statements));
    }
    return out;
  }

  private static String read(String resource) {
    try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("migration resource missing: " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
