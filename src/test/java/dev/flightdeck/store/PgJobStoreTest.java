package dev.flightdeck.store;

import dev.flightdeck.testing.Postgres;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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

  @Test
  void statements_are_prepared_once_per_connection_and_reused() {
    // one connection, so the reads below see the session the writes ran in
    PgJobStore one = new PgJobStore(vertx, new StoreConfig(Postgres.storeConfig(schema).url(), "data", schema, 1, 256));
    one.start().await();
    try {
      for (int i = 0; i < 3; i++) {
        one.insert(job("prep" + i, "web", "start", 1_000 + i, 0, null, null)).await();
      }
      var rows = one.read(tx -> tx.query("SELECT statement FROM pg_prepared_statements WHERE statement LIKE "
          + "'INSERT INTO jobs %'")).await();
      assertThat(rows).as("one prepared INSERT INTO jobs for the three inserts").hasSize(1);
    } finally {
      one.close().await();
    }
  }

  @Test
  void statements_prepared_before_a_migration_changed_the_table_still_run_after_it() {
    PgJobStore one = new PgJobStore(vertx, new StoreConfig(Postgres.storeConfig(schema).url(), "data", schema, 1, 256));
    one.start().await();
    try {
      one.insert(job("before", "web", "start", 1_000, 0, null, null)).await();
      assertThat(one.get("before").await()).isNotNull();
      assertThat(one.claim("i1", 10, 2_000, Long.MIN_VALUE).await()).hasSize(1);
      // what a newer instance's migration does while this one runs: SELECT * and RETURNING * change shape
      one.read(tx -> tx.update("ALTER TABLE jobs ADD COLUMN added_by_a_newer_version TEXT")).await();
      one.insert(job("after", "web", "start", 3_000, 0, null, null)).await();
      assertThat(one.get("before").await().id()).isEqualTo("before");
      assertThat(one.claim("i1", 10, 4_000, Long.MIN_VALUE).await()).extracting(JobRecord::id).containsExactly("after");
    } finally {
      one.close().await();
    }
  }

  @AfterEach
  void dropSchema() {
    Postgres.drop(schema);
  }
}
