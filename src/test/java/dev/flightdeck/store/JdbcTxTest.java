package dev.flightdeck.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Statements stay prepared between executions, and one that failed leaves nothing behind. */
class JdbcTxTest {

  private Connection conn;
  private JdbcTx tx;

  @BeforeEach
  void open() throws Exception {
    conn = DriverManager.getConnection("jdbc:sqlite::memory:");
    tx = new JdbcTx(conn);
    JdbcTx.now(tx.update("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"));
  }

  @AfterEach
  void close() throws Exception {
    tx.close();
    conn.close();
  }

  @Test
  void the_same_statement_is_prepared_once_and_answers_each_time_with_its_own_values() throws Exception {
    for (int i = 0; i < 5; i++) {
      assertThat(JdbcTx.now(tx.update("INSERT INTO t (id, v) VALUES (?, ?)", i, "v" + i))).isEqualTo(1);
    }
    for (int i = 0; i < 5; i++) {
      List<DbRow> rows = JdbcTx.now(tx.query("SELECT v FROM t WHERE id = ?", i));
      assertThat(rows).extracting(r -> r.string("v")).containsExactly("v" + i);
    }
    assertThat(tx.prepared()).as("CREATE, INSERT and SELECT").isEqualTo(3);
  }

  @Test
  void a_batch_that_failed_half_way_leaves_no_rows_queued_for_the_next_one() throws Exception {
    String insert = "INSERT INTO t (id, v) VALUES (?, ?)";
    JdbcTx.now(tx.update(insert, 1, "one"));
    // the second row breaks the primary key: the statement is dropped with whatever it had queued
    assertThat(tx.batch(insert, List.of(new Object[] {2, "two"}, new Object[] {1, "again"})).failed()).isTrue();
    JdbcTx.now(tx.update("DELETE FROM t"));
    assertThat(JdbcTx.now(tx.batch(insert, List.<Object[]>of(new Object[] {3, "three"})))).containsExactly(1);
    assertThat(JdbcTx.now(tx.query("SELECT id FROM t ORDER BY id"))).extracting(r -> r.integer("id"))
        .containsExactly(3);
  }

  @Test
  void a_statement_that_failed_is_prepared_afresh_and_then_works() throws Exception {
    assertThat(tx.update("INSERT INTO t (id, v) VALUES (?, ?)", 1, null).failed()).as("v is NOT NULL").isTrue();
    assertThat(JdbcTx.now(tx.update("INSERT INTO t (id, v) VALUES (?, ?)", 1, "fine"))).isEqualTo(1);
  }
}
