package dev.flightdeck.store;

import dev.flightdeck.testing.Postgres;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;

/** The contract on PostgreSQL at 127.0.0.1:5432 (database test), each test in its own schema. */
class PgJobStoreTest extends JobStoreContract {

  private String schema;

  @Override
  protected JobStore newStore(Vertx vertx) {
    schema = Postgres.freshSchema();
    return new PgJobStore(vertx, Postgres.storeConfig(schema));
  }

  @Override
  protected JobStore sameData(Vertx vertx) {
    return new PgJobStore(vertx, Postgres.storeConfig(schema));
  }

  @Override
  protected double meanBatch() {
    return ((PgJobStore) store).meanBatch();
  }

  @AfterEach
  void dropSchema() {
    Postgres.drop(schema);
  }
}
