package dev.flightdeck.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a group commit's batch is cut into statements; what they store is tested on PostgreSQL (PgJobStoreTest). */
class FoldedJobWritesTest {

  /** Records each statement's first words; every write "changes" as many rows as it was asked to. */
  private static final class RecordingTx implements Tx {
    final List<String> sent = new ArrayList<>();

    @Override
    public Future<List<DbRow>> query(String sql, Object... params) {
      sent.add(head(sql, params));
      return Future.succeededFuture(List.of());
    }

    @Override
    public Future<Integer> update(String sql, Object... params) {
      sent.add(head(sql, params));
      return Future.succeededFuture(params.length > 0 && params[0] instanceof String[] a ? a.length : 1);
    }

    @Override
    public Future<List<Integer>> batch(String sql, List<Object[]> rows) {
      sent.add("batch " + sql.substring(0, sql.indexOf(" (")));
      return Future.succeededFuture(rows.stream().map(r -> 1).toList());
    }

    private static String head(String sql, Object... params) {
      String[] w = sql.split(" ");
      String what = w[0] + " " + w[1] + " " + w[2];
      return sql.contains("unnest") ? what + " x" + ((Object[]) params[0]).length : what + " " + params[0];
    }
  }

  private static GroupCommit.Pending<?> insert(String id, String key) {
    return new GroupCommit.Pending<>(new JobsSql.InsertJob(new NewJob(id, "web", "start", new JsonObject(), 0, key, null,
        "t", 1), null));
  }

  private static GroupCommit.Pending<?> finish(String id, int slots) {
    List<SlotRecord> s = new ArrayList<>();
    for (int i = 0; i < slots; i++) {
      s.add(new SlotRecord(id, i, "m" + i, "start", SlotRecord.SUCCEEDED, 1, null, null, null, 1L, 2L, null));
    }
    return new GroupCommit.Pending<>(new JobsSql.FinishJob(id, "me", JobRecord.SUCCEEDED, null, null,
        JobRecord.Progress.NONE, 3, s));
  }

  private static GroupCommit.Pending<?> other(String id) {
    return new GroupCommit.Pending<>(tx -> tx.update("UPDATE other rows", id));
  }

  private static List<String> sent(List<GroupCommit.Pending<?>> batch) {
    RecordingTx tx = new RecordingTx();
    for (FoldedJobWrites.Step s : FoldedJobWrites.steps(batch, (p, t) -> p.work.run(t).mapEmpty())) {
      s.run(tx);
    }
    return tx.sent;
  }

  @Test
  void a_run_of_inserts_and_ends_becomes_one_insert_and_one_update() {
    assertThat(sent(List.of(insert("a", null), finish("x", 1), insert("b", null), finish("y", 0), insert("c", null))))
        .containsExactly("INSERT INTO jobs x3", "UPDATE jobs SET x2");
  }

  @Test
  void nothing_moves_across_a_write_that_does_not_fold() {
    assertThat(sent(List.of(finish("x", 1), finish("y", 1), other("release"), finish("z", 1), finish("w", 1))))
        .containsExactly("UPDATE jobs SET x2", "UPDATE other rows release", "UPDATE jobs SET x2");
  }

  @Test
  void a_lone_write_a_keyed_insert_an_end_with_many_slots_and_a_second_end_of_one_job_run_as_they_are() {
    assertThat(sent(List.of(insert("a", null), insert("k", "key"), finish("x", 1), finish("many", 2), finish("x", 1))))
        .containsExactly("INSERT INTO jobs a", "SELECT * FROM t", "INSERT INTO jobs k", "UPDATE jobs SET succeeded",
            "UPDATE jobs SET succeeded", "batch INSERT INTO job_slots", "UPDATE jobs SET succeeded");
  }
}
