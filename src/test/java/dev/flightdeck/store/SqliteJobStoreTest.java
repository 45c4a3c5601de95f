package dev.flightdeck.store;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteJobStoreTest extends JobStoreContract {

  @TempDir
  Path dir;

  @Override
  protected JobStore newStore(Vertx vertx) {
    return new SqliteJobStore(dir.resolve("jobs.db"), 256);
  }

  @Override
  protected JobStore sameData(Vertx vertx) {
    return new SqliteJobStore(dir.resolve("jobs.db"), 256);
  }

  @Override
  protected double meanBatch() {
    return ((SqliteJobStore) store).meanBatch();
  }
}
