package dev.flightdeck.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@link Tx} over a PostgreSQL connection; {@code ?} placeholders become {@code $1, $2, …}. */
final class PgTx implements Tx {

  private static final Map<String, String> NUMBERED = new ConcurrentHashMap<>();

  private final SqlConnection conn;

  PgTx(SqlConnection conn) {
    this.conn = conn;
  }

  static String numbered(String sql) {
    return NUMBERED.computeIfAbsent(sql, s -> {
      StringBuilder sb = new StringBuilder(s.length() + 16);
      int n = 0;
      boolean quoted = false;
      for (char c : s.toCharArray()) {
        if (c == '\'') {
          quoted = !quoted;
        }
        if (c == '?' && !quoted) {
          sb.append('$').append(++n);
        } else {
          sb.append(c);
        }
      }
      return sb.toString();
    });
  }

  @Override
  public Future<List<DbRow>> query(String sql, Object... params) {
    return conn.preparedQuery(numbered(sql)).execute(Tuple.wrap(params)).map(PgTx::rows)
        .recover(e -> Future.failedFuture(new StoreException("query failed: " + e.getMessage(), e)));
  }

  @Override
  public Future<Integer> update(String sql, Object... params) {
    return conn.preparedQuery(numbered(sql)).execute(Tuple.wrap(params)).map(RowSet::rowCount)
        .recover(e -> Future.failedFuture(new StoreException("update failed: " + e.getMessage(), e)));
  }

  @Override
  public Future<List<Integer>> batch(String sql, List<Object[]> rows) {
    List<Tuple> tuples = new ArrayList<>(rows.size());
    for (Object[] r : rows) {
      tuples.add(Tuple.wrap(r));
    }
    return conn.preparedQuery(numbered(sql)).executeBatch(tuples).map(rs -> {
      List<Integer> out = new ArrayList<>(rows.size());
      for (RowSet<Row> r = rs; r != null; r = r.next()) {
        out.add(r.rowCount());
      }
      return out;
    }).recover(e -> Future.failedFuture(new StoreException("batch failed: " + e.getMessage(), e)));
  }

  private static List<DbRow> rows(RowSet<Row> rs) {
    List<DbRow> out = new ArrayList<>(rs.size());
    for (Row row : rs) {
      Map<String, Object> values = new LinkedHashMap<>(row.size() * 2);
      for (int i = 0; i < row.size(); i++) {
        values.put(row.getColumnName(i).toLowerCase(Locale.ROOT), row.getValue(i));
      }
      out.add(new DbRow(values));
    }
    return out;
  }
}
