package dev.flightdeck.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Jobs in PostgreSQL, shared by several instances: claims use {@code FOR UPDATE SKIP LOCKED},
 * writes are group-committed, migrations run under an advisory lock so instances starting together
 * do not race.
 */
public final class PgJobStore extends SqlJobStore {

  private static final long MIGRATION_LOCK = 0x666C6967L; // "flig"

  private final Vertx vertx;
  private final StoreConfig config;
  private final GroupCommit commits;
  private Pool pool;

  public PgJobStore(Vertx vertx, StoreConfig config) {
    this.vertx = vertx;
    this.config = config;
    // half the pool commits at once; the other half stays free for reads
    this.commits = new GroupCommit(config.maxBatch(), Math.max(1, config.poolSize() / 2), this::commit);
  }

  /** Mean writes per commit so far. */
  public double meanBatch() {
    return commits.meanBatch();
  }

  @Override
  public boolean shared() {
    return true;
  }

  @Override
  public Future<Void> start() {
    PgConnectOptions opts;
    try {
      opts = PgConnectOptions.fromUri(config.url().replaceFirst("^postgres://", "postgresql://"));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new StoreException("store.url is not a PostgreSQL URL: "
          + StoreConfig.redact(config.url()), e));
    }
    if (!config.schema().isEmpty()) {
      opts.addProperty("search_path", config.schema());
    }
    opts.addProperty("application_name", "flightdeck");
    // each statement is parsed and planned once per connection, not on every execution (that was half of
    // what the server spent per job). After a migration changes a table under a running instance, the
    // client drops the cached statement the server refuses, and againOnStalePlan tries once more.
    opts.setCachePreparedStatements(true);
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(config.poolSize())).connectingTo(opts).using(vertx)
        .build();
    return pool.withTransaction(this::migrate)
        .recover(e -> Future.failedFuture(e instanceof StoreException ? e
            : new StoreException("cannot open the PostgreSQL store: " + e.getMessage(), e)));
  }

  private Future<Void> migrate(SqlConnection conn) {
    PgTx tx = new PgTx(conn);
    Future<Integer> f = tx.query("SELECT 1 AS locked FROM pg_advisory_xact_lock(?)", MIGRATION_LOCK).map(0);
    if (!config.schema().isEmpty()) {
      f = f.compose(x -> tx.update("CREATE SCHEMA IF NOT EXISTS " + config.schema()));
    }
    return f.compose(x -> tx.update("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
            + "name TEXT NOT NULL, applied_at BIGINT NOT NULL)"))
        .compose(x -> tx.query("SELECT version FROM schema_migrations"))
        .compose(rows -> {
          Set<Integer> applied = new HashSet<>();
          rows.forEach(r -> applied.add(r.integer("version")));
          Future<Void> chain = Future.succeededFuture();
          for (Migrations.Migration m : Migrations.load("postgres")) {
            if (applied.contains(m.version())) {
              continue;
            }
            for (String sql : m.statements()) {
              chain = chain.compose(v -> tx.update(sql).mapEmpty());
            }
            chain = chain.compose(v -> tx.update("INSERT INTO schema_migrations (version, name, applied_at) VALUES "
                + "(?, ?, ?)", m.version(), m.name(), System.currentTimeMillis()).mapEmpty());
          }
          return chain;
        });
  }

  @Override
  public Future<Void> close() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }

  @Override
  protected <T> Future<T> write(Tx.Work<T> work) {
    return timed("write", () -> wrapped(commits.submit(work)));
  }

  /**
   * In a transaction of its own: a group commit pipelines its writes, so two decisions for one policy
   * in one batch both read the policy before either wrote its cooldown (found by ChaosIT: two
   * scale-ups 23 ms apart). Alone, the row lock separates them.
   */
  @Override
  protected <T> Future<T> writeAlone(Tx.Work<T> work) {
    return timed("write", () -> wrapped(againOnStalePlan(() -> pool.withTransaction(conn -> work.run(new PgTx(conn))),
        config.poolSize())));
  }

  @Override
  protected <T> Future<T> read(Tx.Work<T> work) {
    return timed("read", () -> wrapped(againOnStalePlan(() -> pool.withConnection(conn -> work.run(new PgTx(conn))),
        config.poolSize())));
  }

  /**
   * Every failure as a {@link StoreException}, as SQLite reports them: callers tell a store that is
   * away (a restart answers "the database system is shutting down") from their own errors by it.
   */
  private static <T> Future<T> wrapped(Future<T> f) {
    return f.recover(e -> Future.failedFuture(e instanceof StoreException ? e : new StoreException(e.getMessage(), e)));
  }

  /**
   * Runs {@code attempt} again when the server refused a statement it had prepared before a migration
   * changed the table under it (an instance running while another one upgrades the schema). The client
   * drops that statement on the refusal; each pooled connection may hold its own copy, hence up to
   * {@code tries} more attempts. A failed attempt was rolled back, so running it again is safe.
   */
  static <T> Future<T> againOnStalePlan(java.util.function.Supplier<Future<T>> attempt, int tries) {
    return attempt.get().recover(e -> tries > 0 && stalePlan(e) ? againOnStalePlan(attempt, tries - 1)
        : Future.failedFuture(e));
  }

  static boolean stalePlan(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (t instanceof io.vertx.pgclient.PgException && m != null && (m.contains("cached plan must not change result "
          + "type") || m.matches("(?s).*bind message has \\d+ result formats but query has \\d+ columns.*"))) {
        return true;
      }
    }
    return false;
  }

  @Override
  protected String lockClause() {
    return " FOR UPDATE SKIP LOCKED";
  }

  /**
   * The batch's writes are sent at once and the connection pipelines them: one round trip (and one
   * wake-up of the server process) for the lot rather than one per statement. Their statements may
   * interleave, so a write that reads and then writes what it read decided must not meet a conflicting
   * one in a batch: claims and schedule firing run one at a time per instance (other instances use
   * other transactions); same-key submits and a tick fired twice meet a unique index and read what is
   * there, two renames to one name meet one and fail; the rest are single statements guarded by their
   * WHERE (owner and state); a policy's decision runs alone ({@link #writeAlone}). Any failure aborts
   * the transaction, and the group commit retries each write alone; {@code join} waits for every
   * write to stop (a write of several statements must not send its next one after the connection went
   * back to the pool). Runs of job inserts and ends fold into one statement each ({@link FoldedJobWrites}).
   */
  private Future<Void> commit(List<GroupCommit.Pending<?>> batch) {
    return againOnStalePlan(() -> commitOnce(batch), config.poolSize());
  }

  private Future<Void> commitOnce(List<GroupCommit.Pending<?>> batch) {
    return pool.withTransaction(conn -> {
      PgTx tx = new PgTx(conn);
      List<Future<Void>> all = new java.util.ArrayList<>();
      for (FoldedJobWrites.Step step : FoldedJobWrites.steps(batch, PgJobStore::run)) {
        all.add(step.run(tx));
      }
      return Future.join(all).mapEmpty();
    });
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Future<Void> run(GroupCommit.Pending p, Tx tx) {
    return p.work.run(tx).map(r -> {
      p.result = r;
      return null;
    });
  }
}
