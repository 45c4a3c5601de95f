package dev.flightdeck.store;

import dev.flightdeck.testing.Postgres;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
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

  @Test
  void job_inserts_that_queue_up_together_are_stored_by_one_statement_as_one_by_one_would_store_them() {
    // one connection: the first insert commits alone while the others queue up behind it as one batch
    PgJobStore one = new PgJobStore(vertx, new StoreConfig(Postgres.storeConfig(schema).url(), "data", schema, 1, 256));
    one.start().await();
    try {
      List<Future<InsertOutcome>> outs = new ArrayList<>();
      for (int i = 0; i < 21; i++) {
        NewJob j = job("f" + i, i % 2 == 0 ? "web" : "db", "restart", 5_000 + i, i % 3, null, "h" + i);
        // every other one stored claimed, as a submit to an instance with room stores it
        outs.add(i % 2 == 0 ? one.insert(j) : one.insertClaimed(j, "inst-" + i));
      }
      Future.all(outs).await();
      assertThat(one.meanBatch()).as("the 20 behind the first went in one batch").isGreaterThan(5);
      assertThat(one.read(tx -> tx.query("SELECT statement FROM pg_prepared_statements WHERE statement LIKE "
          + "'INSERT INTO jobs %unnest%'")).await()).as("the batch used the folded statement").hasSize(1);
      for (int i = 0; i < 21; i++) {
        JobRecord answered = outs.get(i).result().job();
        JobRecord stored = one.get("f" + i).await();
        assertThat(outs.get(i).result().kind()).isEqualTo(InsertOutcome.Kind.INSERTED);
        assertThat(stored).as("f" + i + " as stored and as answered").isEqualTo(answered);
        assertThat(stored.state()).isEqualTo(i % 2 == 0 ? "queued" : "running");
        assertThat(stored.owner()).isEqualTo(i % 2 == 0 ? null : "inst-" + i);
        assertThat(stored.claims()).isEqualTo(i % 2 == 0 ? 0 : 1);
        assertThat(stored.startedAt()).isEqualTo(i % 2 == 0 ? null : 5_000L + i);
        assertThat(stored.heartbeatAt()).isEqualTo(i % 2 == 0 ? null : 5_000L + i);
        assertThat(stored.spec().getString("n")).isEqualTo("f" + i);
        assertThat(stored.priority()).isEqualTo(i % 3);
        assertThat(stored.requestHash()).isEqualTo("h" + i);
        assertThat(stored.submittedBy()).isEqualTo("tester");
        assertThat(stored.updatedAt()).isEqualTo(5_000L + i);
      }
    } finally {
      one.close().await();
    }
  }

  @Test
  void job_ends_that_queue_up_together_are_written_by_one_statement_and_only_by_their_owner() {
    PgJobStore one = new PgJobStore(vertx, new StoreConfig(Postgres.storeConfig(schema).url(), "data", schema, 1, 256));
    one.start().await();
    try {
      for (int i = 0; i < 12; i++) {
        one.insertClaimed(job("e" + i, "web", "restart", 5_000 + i, 0, null, null), "me").await();
      }
      one.finish("e11", "me", JobRecord.SUCCEEDED, null, null, new JobRecord.Progress(1, 1, 0, 0, 0), 6_000).await();
      List<Future<Boolean>> outs = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        SlotRecord slot = new SlotRecord("e" + i, 0, "m" + i, "restart", i == 3 ? SlotRecord.FAILED : SlotRecord.SUCCEEDED,
            1, i == 3 ? "precondition" : null, i == 3 ? "machine is destroyed" : null, null, 5_100L + i, 5_200L + i,
            null);
        String owner = i == 5 ? "someone-else" : "me";
        outs.add(i == 3
            ? one.finish("e3", owner, JobRecord.FAILED, "1 of 1 machines failed", new JsonObject().put("why", "x"),
                new JobRecord.Progress(1, 0, 1, 0, 0), 7_003, List.of(slot))
            : one.finish("e" + i, owner, JobRecord.SUCCEEDED, null, null, new JobRecord.Progress(1, 1, 0, 0, 0),
                7_000 + i, List.of(slot)));
      }
      Future.all(outs).await();
      assertThat(one.read(tx -> tx.query("SELECT statement FROM pg_prepared_statements WHERE statement LIKE "
          + "'UPDATE jobs %unnest%'")).await()).as("the batch used the folded statement").hasSize(1);
      for (int i = 0; i < 12; i++) {
        JobRecord j = one.get("e" + i).await();
        if (i == 5 || i == 11) {
          assertThat(outs.get(i).result()).as("e" + i + ": not its owner's, or ended already").isFalse();
          assertThat(j.state()).isEqualTo(i == 5 ? "running" : "succeeded");
          assertThat(j.finishedAt()).isEqualTo(i == 5 ? null : 6_000L);
          continue;
        }
        assertThat(outs.get(i).result()).as("e" + i).isTrue();
        assertThat(j.state()).isEqualTo(i == 3 ? "failed" : "succeeded");
        assertThat(j.finishedAt()).isEqualTo(7_000L + i);
        assertThat(j.updatedAt()).isEqualTo(7_000L + i);
        assertThat(j.progress()).isEqualTo(i == 3 ? new JobRecord.Progress(1, 0, 1, 0, 0)
            : new JobRecord.Progress(1, 1, 0, 0, 0));
        assertThat(j.error()).isEqualTo(i == 3 ? "1 of 1 machines failed" : null);
        assertThat(j.result()).isEqualTo(i == 3 ? new JsonObject().put("why", "x") : null);
        List<SlotRecord> slots = one.slots("e" + i).await();
        assertThat(slots).hasSize(1);
        assertThat(slots.get(0).machineId()).isEqualTo("m" + i);
        assertThat(slots.get(0).errorCode()).isEqualTo(i == 3 ? "precondition" : null);
        assertThat(slots.get(0).finishedAt()).isEqualTo(5_200L + i);
      }
    } finally {
      one.close().await();
    }
  }

  @AfterEach
  void dropSchema() {
    Postgres.drop(schema);
  }
}
