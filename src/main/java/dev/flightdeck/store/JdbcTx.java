package dev.flightdeck.store;

import io.vertx.core.Future;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@link Tx} over a JDBC connection; runs on the store's worker thread and answers at once. One per
 * connection, used by that connection's thread only: it keeps each statement prepared (SQLite compiled
 * every statement on every execution before, a third of what the store's thread spent per job).
 */
final class JdbcTx implements Tx, AutoCloseable {

  private static final int CACHED = 128;

  private final Connection conn;
  private final Map<String, PreparedStatement> prepared = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
      if (size() <= CACHED) {
        return false;
      }
      closeQuietly(eldest.getValue());
      return true;
    }
  };

  JdbcTx(Connection conn) {
    this.conn = conn;
  }

  @Override
  public Future<List<DbRow>> query(String sql, Object... params) {
    try {
      PreparedStatement ps = statement(sql);
      try {
        bind(ps, params);
        try (ResultSet rs = ps.executeQuery()) {
          ResultSetMetaData md = rs.getMetaData();
          int n = md.getColumnCount();
          String[] names = new String[n];
          for (int i = 1; i <= n; i++) {
            names[i - 1] = md.getColumnLabel(i).toLowerCase(Locale.ROOT);
          }
          List<DbRow> rows = new ArrayList<>();
          while (rs.next()) {
            Map<String, Object> values = new LinkedHashMap<>(n * 2);
            for (int i = 1; i <= n; i++) {
              values.put(names[i - 1], rs.getObject(i));
            }
            rows.add(new DbRow(values));
          }
          return Future.succeededFuture(rows);
        }
      } catch (SQLException e) {
        forget(sql);
        throw e;
      }
    } catch (SQLException e) {
      return Future.failedFuture(new StoreException("query failed: " + e.getMessage(), e));
    }
  }

  @Override
  public Future<Integer> update(String sql, Object... params) {
    try {
      PreparedStatement ps = statement(sql);
      try {
        bind(ps, params);
        return Future.succeededFuture(ps.executeUpdate());
      } catch (SQLException e) {
        forget(sql);
        throw e;
      }
    } catch (SQLException e) {
      return Future.failedFuture(new StoreException("update failed: " + e.getMessage(), e));
    }
  }

  @Override
  public Future<List<Integer>> batch(String sql, List<Object[]> rows) {
    try {
      PreparedStatement ps = statement(sql);
      try {
        for (Object[] row : rows) {
          bind(ps, row);
          ps.addBatch();
        }
        int[] counts = ps.executeBatch();
        List<Integer> out = new ArrayList<>(counts.length);
        for (int c : counts) {
          out.add(c);
        }
        return Future.succeededFuture(out);
      } catch (SQLException e) {
        forget(sql);
        throw e;
      }
    } catch (SQLException e) {
      return Future.failedFuture(new StoreException("batch failed: " + e.getMessage(), e));
    }
  }

  /** How many statements are kept prepared (for tests). */
  int prepared() {
    return prepared.size();
  }

  /** Closes the prepared statements (before the connection closes). */
  @Override
  public void close() {
    prepared.values().forEach(JdbcTx::closeQuietly);
    prepared.clear();
  }

  private PreparedStatement statement(String sql) throws SQLException {
    PreparedStatement ps = prepared.get(sql);
    if (ps == null) {
      ps = conn.prepareStatement(sql);
      prepared.put(sql, ps);
    }
    return ps;
  }

  /** A statement that failed is prepared afresh next time, so no half-bound or half-batched state is kept. */
  private void forget(String sql) {
    PreparedStatement ps = prepared.remove(sql);
    if (ps != null) {
      closeQuietly(ps);
    }
  }

  private static void closeQuietly(PreparedStatement ps) {
    try {
      ps.close();
    } catch (SQLException | RuntimeException e) {
      // the connection is closing or the statement is already gone; nothing is pending on it
    }
  }

  private static void bind(PreparedStatement ps, Object[] params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      ps.setObject(i + 1, params[i]);
    }
  }

  /** The value of a future that must already be complete (JDBC work is synchronous). */
  static <T> T now(Future<T> f) throws Exception {
    if (!f.isComplete()) {
      throw new IllegalStateException("store work did not complete synchronously");
    }
    if (f.failed()) {
      Throwable t = f.cause();
      throw t instanceof Exception e ? e : new StoreException(String.valueOf(t), t);
    }
    return f.result();
  }
}
