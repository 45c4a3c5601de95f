package dev.flightdeck.testing;

import dev.flightdeck.store.StoreConfig;
import java.util.UUID;

/** The PostgreSQL server the tests use: 127.0.0.1:5432, database {@code test}, user postgres (trust). */
public final class Postgres {

  public static final String URL = System.getProperty("flightdeck.test.pg",
      "postgresql://postgres@127.0.0.1:5432/test");

  private Postgres() {}

  /** A schema name no other test uses; the store creates it. */
  public static String freshSchema() {
    return "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  }

  public static StoreConfig storeConfig(String schema) {
    return new StoreConfig(URL, "data", schema, 4, 256);
  }

  /** Drops a test schema, using the async client through a throwaway Vert.x (tests only). */
  public static void drop(String schema) {
    if (schema == null) {
      return;
    }
    io.vertx.core.Vertx v = io.vertx.core.Vertx.vertx();
    try {
      io.vertx.sqlclient.Pool pool = io.vertx.pgclient.PgBuilder.pool()
          .connectingTo(io.vertx.pgclient.PgConnectOptions.fromUri(URL)).using(v).build();
      pool.query("DROP SCHEMA IF EXISTS " + schema + " CASCADE").execute().await();
      pool.close().await();
    } finally {
      v.close().await();
    }
  }
}
