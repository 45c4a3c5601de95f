package dev.flightdeck.store;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Jobs in an SQLite file (WAL, synchronous=FULL: a commit is on disk before it is acknowledged), for
 * one instance. JDBC never runs on an event loop: writes are group-committed on a writer thread,
 * reads run on a reader thread with its own connection (WAL lets it read while a commit runs), and
 * the WAL is checkpointed from the reader thread every second rather than inside a commit.
 */
public final class SqliteJobStore extends SqlJobStore {

  private final Path file;
  private final GroupCommit commits;
  private ExecutorService worker;
  private java.util.concurrent.ScheduledExecutorService reader;
  private Connection conn;
  private Connection readConn;
  private JdbcTx writeTx;
  private JdbcTx readTx;

  public SqliteJobStore(Path file, int maxBatch) {
    this.file = file;
    this.commits = new GroupCommit(maxBatch, this::commit);
  }

  @Override
  public boolean shared() {
    return false;
  }

  /** Mean writes per commit so far. */
  public double meanBatch() {
    return commits.meanBatch();
  }

  /** Less than 1 MiB free where the database lives (a failed write then means a full disk). */
  private boolean lowOnSpace() {
    try {
      Path dir = file.toAbsolutePath().getParent();
      return java.nio.file.Files.getFileStore(dir).getUsableSpace() < 1024 * 1024;
    } catch (java.io.IOException | RuntimeException e) {
      return false;
    }
  }

  public Path file() {
    return file;
  }

  @Override
  public Future<Void> start() {
    worker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "flightdeck-sqlite");
      t.setDaemon(true);
      return t;
    });
    return onWorker(() -> {
      Path dir = file.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      conn = DriverManager.getConnection("jdbc:sqlite:" + file);
      try (Statement st = conn.createStatement()) {
        st.execute("PRAGMA journal_mode=WAL");
        st.execute("PRAGMA synchronous=FULL");
        st.execute("PRAGMA busy_timeout=5000");
        st.execute("PRAGMA foreign_keys=ON");
        st.execute("PRAGMA wal_autocheckpoint=0");
      }
      writeTx = new JdbcTx(conn);
      migrate();
      return null;
    }).compose(v -> {
      reader = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "flightdeck-sqlite-read");
        t.setDaemon(true);
        return t;
      });
      return on(reader, () -> {
        readConn = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement st = readConn.createStatement()) {
          st.execute("PRAGMA busy_timeout=5000");
        }
        readTx = new JdbcTx(readConn);
        reader.scheduleWithFixedDelay(this::checkpoint, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        return null;
      });
    });
  }

  /** Copies committed pages from the WAL into the database without waiting on anyone (PASSIVE). */
  private void checkpoint() {
    try (Statement st = readConn.createStatement()) {
      st.execute("PRAGMA wal_checkpoint(PASSIVE)");
    } catch (java.sql.SQLException | RuntimeException e) {
      // the next one tries again; a closed store stops the schedule
    }
  }

  private void migrate() throws Exception {
    try (Statement st = conn.createStatement()) {
      st.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
          + "applied_at BIGINT NOT NULL)");
    }
    JdbcTx tx = writeTx;
    Set<Integer> applied = new HashSet<>();
    for (DbRow r : JdbcTx.now(tx.query("SELECT version FROM schema_migrations"))) {
      applied.add(r.integer("version"));
    }
    for (Migrations.Migration m : Migrations.load("sqlite")) {
      if (applied.contains(m.version())) {
        continue;
      }
      conn.setAutoCommit(false);
      try {
        for (String sql : m.statements()) {
          JdbcTx.now(tx.update(sql));
        }
        JdbcTx.now(tx.update("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
            m.version(), m.name(), System.currentTimeMillis()));
        conn.commit();
      } catch (Exception e) {
        conn.rollback();
        throw new StoreException("migration " + m.name() + " failed: " + e.getMessage(), e);
      } finally {
        conn.setAutoCommit(true);
      }
    }
  }

  /** The first close's outcome: closing again (a test, then the server's own stop) changes nothing. */
  private Future<Void> closing;

  @Override
  public synchronized Future<Void> close() {
    if (closing == null) {
      closing = closeOnce();
    }
    return closing;
  }

  private Future<Void> closeOnce() {
    if (worker == null) {
      return Future.succeededFuture();
    }
    Future<Void> readerClosed = reader == null ? Future.succeededFuture() : this.<Void>on(reader, () -> {
      if (readTx != null) {
        readTx.close();
      }
      if (readConn != null) {
        readConn.close();
      }
      return null;
    }).onComplete(ar -> reader.shutdownNow());
    Future<Void> closed = readerClosed.eventually(() -> onWorker(() -> {
      if (writeTx != null) {
        writeTx.close();
      }
      if (conn != null) {
        conn.close();
      }
      return null;
    }));
    return closed.onComplete(ar -> worker.shutdown());
  }

  @Override
  protected <T> Future<T> write(Tx.Work<T> work) {
    return timed("write", () -> commits.submit(work));
  }

  @Override
  protected <T> Future<T> read(Tx.Work<T> work) {
    return timed("read", () -> on(reader, () -> JdbcTx.now(work.run(readTx))));
  }

  @Override
  protected String lockClause() {
    return "";
  }

  private Future<Void> commit(List<GroupCommit.Pending<?>> batch) {
    return onWorker(() -> {
      conn.setAutoCommit(false);
      try {
        JdbcTx tx = writeTx;
        for (GroupCommit.Pending<?> p : batch) {
          run(p, tx);
        }
        conn.commit();
        return null;
      } catch (Exception e) {
        try {
          conn.rollback();
        } catch (java.sql.SQLException ignored) {
          // the commit's own error is the one to report
        }
        if (lowOnSpace()) {
          throw new StoreException("commit failed, the disk is full: " + e.getMessage(), e, true);
        }
        throw e instanceof StoreException se ? se : new StoreException("commit failed: " + e.getMessage(), e);
      } finally {
        try {
          conn.setAutoCommit(true);
        } catch (java.sql.SQLException e) {
          // SQLite already rolled the failed transaction back ("no transaction is active")
        }
      }
    });
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void run(GroupCommit.Pending p, JdbcTx tx) throws Exception {
    p.result = JdbcTx.now(p.work.run(tx));
  }

  private <T> Future<T> onWorker(Callable<T> work) {
    return on(worker, work);
  }

  /** Runs {@code work} on an SQLite thread; the answer comes back on the caller's context. */
  private <T> Future<T> on(ExecutorService thread, Callable<T> work) {
    Context ctx = Vertx.currentContext();
    Promise<T> p = Promise.promise();
    try {
      thread.execute(() -> {
        T result;
        try {
          result = work.call();
        } catch (Exception e) {
          Exception err = e instanceof StoreException ? e : new StoreException(e.getMessage(), e);
          deliver(ctx, () -> p.fail(err));
          return;
        }
        deliver(ctx, () -> p.complete(result));
      });
    } catch (RuntimeException e) {
      p.fail(new StoreException("store closed", e));
    }
    return p.future();
  }

  private static void deliver(Context ctx, Runnable r) {
    if (ctx == null) {
      r.run();
    } else {
      ctx.runOnContext(v -> r.run());
    }
  }
}
