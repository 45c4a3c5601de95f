package dev.flightdeck.store;

import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Helpers the statement classes share: placeholder lists, LIKE patterns, page cursors and paging. */
final class Sql {

  private Sql() {}

  static String placeholders(int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "?" : ", ?");
    }
    return sb.toString();
  }

  /** A glob ({@code *}) as a LIKE pattern with {@code \} as the escape. */
  static String like(String glob) {
    StringBuilder sb = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> sb.append('%');
        case '%', '_', '\\' -> sb.append('\\').append(c);
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  /** Throws IllegalArgumentException for a cursor this store did not make. */
  static String[] decodeCursor(String cursor) {
    String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    int i = s.indexOf(':');
    if (i <= 0) {
      throw new IllegalArgumentException("bad cursor");
    }
    Long.parseLong(s.substring(0, i));
    return new String[] {s.substring(0, i), s.substring(i + 1)};
  }

  /**
   * A page of a table with {@code app}, {@code created_at} and {@code id} columns, newest first,
   * limited to the apps the caller may see; the cursor (already checked) is the last row's
   * created_at and id.
   */
  static <T> Future<Page<T>> pageOf(Tx tx, String table, JobFilter f, String cursor, int limit,
      java.util.function.Function<DbRow, T> map, java.util.function.ToLongFunction<T> createdAt,
      java.util.function.Function<T, String> id) {
    if (f.appPatterns().isEmpty()) {
      return Future.succeededFuture(new Page<>(List.of(), null));
    }
    StringBuilder sql = new StringBuilder("SELECT * FROM " + table + " WHERE (");
    List<Object> params = new ArrayList<>();
    for (int i = 0; i < f.appPatterns().size(); i++) {
      sql.append(i == 0 ? "" : " OR ").append("app LIKE ? ESCAPE '\\'");
      params.add(like(f.appPatterns().get(i)));
    }
    sql.append(")");
    if (f.app() != null) {
      sql.append(" AND app = ?");
      params.add(f.app());
    }
    if (cursor != null) {
      String[] c = decodeCursor(cursor);
      long at = Long.parseLong(c[0]);
      sql.append(" AND (created_at < ? OR (created_at = ? AND id < ?))");
      params.add(at);
      params.add(at);
      params.add(c[1]);
    }
    sql.append(" ORDER BY created_at DESC, id DESC LIMIT ?");
    params.add((long) limit + 1);
    return tx.query(sql.toString(), params.toArray()).map(rows -> {
      List<T> items = new ArrayList<>();
      for (int i = 0; i < Math.min(limit, rows.size()); i++) {
        items.add(map.apply(rows.get(i)));
      }
      String next = null;
      if (rows.size() > limit && !items.isEmpty()) {
        T last = items.get(items.size() - 1);
        next = Base64.getUrlEncoder().withoutPadding()
            .encodeToString((createdAt.applyAsLong(last) + ":" + id.apply(last)).getBytes(StandardCharsets.UTF_8));
      }
      return new Page<>(items, next);
    });
  }
}
