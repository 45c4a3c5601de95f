package dev.flightdeck.store;

import io.vertx.core.Future;
import java.util.List;

/**
 * SQL on one connection, possibly inside a transaction. Statements use {@code ?} placeholders;
 * the PostgreSQL implementation renumbers them. Parameters are String, Integer, Long or null.
 */
interface Tx {

  Future<List<DbRow>> query(String sql, Object... params);

  Future<Integer> update(String sql, Object... params);

  /** One statement run for every parameter row; returns the rows changed by each. */
  Future<List<Integer>> batch(String sql, List<Object[]> rows);

  /** A unit of store work. */
  interface Work<T> {
    Future<T> run(Tx tx);
  }
}
