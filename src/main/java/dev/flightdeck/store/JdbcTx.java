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

/** {@link Tx} over a JDBC connection; runs on the store's worker thread and answers at once. */
final class JdbcTx implements Tx {

  private final Connection conn;

  JdbcTx(Connection conn) {
    this.conn = conn;
  }

  @Override
  public Future<List<DbRow>> query(String sql, Object... params) {
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      bind(ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        List<DbRow> rows = new ArrayList<>();
        while (rs.next()) {
          Map<String, Object> values = new LinkedHashMap<>(n * 2);
          for (int i = 1; i <= n; i++) {
            values.put(md.getColumnLabel(i).toLowerCase(Locale.ROOT), rs.getObject(i));
          }
          rows.add(new DbRow(values));
        }
        return Future.succeededFuture(rows);
      }
    } catch (SQLException e) {
      return Future.failedFuture(new StoreException("query failed: " + e.getMessage(), e));
    }
  }

  @Override
  public Future<Integer> update(String sql, Object... params) {
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      bind(ps, params);
      return Future.succeededFuture(ps.executeUpdate());
    } catch (SQLException e) {
      return Future.failedFuture(new StoreException("update failed: " + e.getMessage(), e));
    }
  }

  @Override
  public Future<List<Integer>> batch(String sql, List<Object[]> rows) {
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
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
      return Future.failedFuture(new StoreException("batch failed: " + e.getMessage(), e));
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
