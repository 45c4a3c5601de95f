package dev.flightdeck.store;

import dev.flightdeck.config.Checks;
import dev.flightdeck.config.ConfigException;
import java.nio.file.Path;

/**
 * Where jobs are kept ({@code store.*}). {@code url} empty: SQLite at
 * {@code <data_dir>/flightdeck.db} (one instance). {@code sqlite:PATH} names another file;
 * {@code postgresql://user[:password]@host[:port]/db} shares the work between instances
 * ({@code schema} picks a schema other than the default).
 */
public record StoreConfig(String url, String dataDir, String schema, int poolSize, int maxBatch) {

  public StoreConfig {
    url = url == null ? "" : url.trim();
    Checks.notBlank("store.data_dir", dataDir);
    schema = schema == null ? "" : schema.trim();
    if (!schema.isEmpty() && !schema.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new ConfigException("store.schema must be a lower-case SQL identifier, got '" + schema + "'");
    }
    Checks.atLeast("store.pool_size", poolSize, 1);
    Checks.atLeast("store.max_batch", maxBatch, 1);
    if (!url.isEmpty() && !isPostgres(url) && !url.startsWith("sqlite:")) {
      throw new ConfigException("store.url must be empty, sqlite:PATH or postgresql://…, got '" + redact(url) + "'");
    }
  }

  public boolean postgres() {
    return isPostgres(url);
  }

  private static boolean isPostgres(String u) {
    return u.startsWith("postgresql://") || u.startsWith("postgres://");
  }

  public Path sqliteFile() {
    return url.startsWith("sqlite:") ? Path.of(url.substring("sqlite:".length())) : Path.of(dataDir, "flightdeck.db");
  }

  /** The URL without its password, for messages. */
  public static String redact(String u) {
    return u.replaceAll("://([^:/@]+):[^@]*@", "://$1:****@");
  }

  @Override
  public String toString() {
    return "StoreConfig[url=" + redact(url) + ", dataDir=" + dataDir + ", schema=" + schema + "]";
  }
}
