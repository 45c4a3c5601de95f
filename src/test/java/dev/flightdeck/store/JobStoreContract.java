package dev.flightdeck.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The behaviour every {@link JobStore} must have; run once per implementation. */
@ExtendWith(VertxExtension.class)
abstract class JobStoreContract {

  protected Vertx vertx;
  protected JobStore store;

  /** A fresh, empty store (its own file or schema). */
  protected abstract JobStore newStore(Vertx vertx) throws Exception;

  /** Another store on the same data, as a second instance would open it. */
  protected abstract JobStore sameData(Vertx vertx) throws Exception;

  @BeforeEach
  void open(Vertx vertx) throws Exception {
    this.vertx = vertx;
    store = newStore(vertx);
    store.start().await();
  }

  @AfterEach
  void close() {
    store.close().await();
  }

  private static long t0 = 1_767_225_600_000L;

  static NewJob job(String id, String app, String kind, long createdAt, int priority, String key, String hash) {
    return new NewJob(id, app, kind, new JsonObject().put("app", app).put("kind", kind).put("n", id), priority, key,
        hash, "tester", createdAt);
  }

  private JobRecord insert(String id, String app, long at) {
    return store.insert(job(id, app, "start", at, 0, null, null)).await().job();
  }

  @Test
  void a_stored_job_reads_back_as_queued_with_its_spec() {
    InsertOutcome out = store.insert(job("j1", "web", "start", t0, 3, null, null)).await();
    assertThat(out.kind()).isEqualTo(InsertOutcome.Kind.INSERTED);
    JobRecord j = store.get("j1").await();
    assertThat(j.state()).isEqualTo("queued");
    assertThat(j.app()).isEqualTo("web");
    assertThat(j.priority()).isEqualTo(3);
    assertThat(j.spec().getString("n")).isEqualTo("j1");
    assertThat(j.createdAt()).isEqualTo(t0);
    assertThat(j.submittedBy()).isEqualTo("tester");
    assertThat(store.get("nope").await()).isNull();
  }

  @Test
  void an_idempotency_key_returns_the_same_job_or_a_conflict() {
    assertThat(store.insert(job("a", "web", "start", t0, 0, "k1", "h1")).await().kind())
        .isEqualTo(InsertOutcome.Kind.INSERTED);
    InsertOutcome again = store.insert(job("b", "web", "start", t0 + 1, 0, "k1", "h1")).await();
    assertThat(again.kind()).isEqualTo(InsertOutcome.Kind.EXISTING);
    assertThat(again.job().id()).isEqualTo("a");
    InsertOutcome other = store.insert(job("c", "web", "stop", t0 + 2, 0, "k1", "h2")).await();
    assertThat(other.kind()).isEqualTo(InsertOutcome.Kind.CONFLICT);
    assertThat(other.job().id()).isEqualTo("a");
    assertThat(store.get("b").await()).isNull();
    assertThat(store.get("c").await()).isNull();
  }

  @Test
  void concurrent_inserts_with_one_key_store_one_job() {
    List<Future<InsertOutcome>> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(store.insert(job("dup" + i, "web", "start", t0 + i, 0, "same", "h")));
    }
    List<InsertOutcome> outs = Future.all(all).await().list();
    assertThat(outs.stream().filter(o -> o.kind() == InsertOutcome.Kind.INSERTED)).hasSize(1);
    assertThat(outs.stream().map(o -> o.job().id()).distinct()).hasSize(1);
  }

  @Test
  void a_write_that_fails_in_a_group_commit_does_not_sink_the_others_in_it() {
    // the same key twice in one batch: both look first and both insert, the second breaks the unique
    // index and aborts the transaction; the writes are then retried one by one
    List<Future<InsertOutcome>> all = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      all.add(store.insert(job("mix" + i, "web", "start", t0 + i, 0, i % 20 == 0 ? "twice" : null, "h")));
    }
    List<InsertOutcome> outs = Future.all(all).await().list();
    assertThat(outs.stream().filter(o -> o.kind() == InsertOutcome.Kind.INSERTED)).hasSize(58);
    for (int i = 0; i < 60; i++) {
      if (i % 20 != 0) {
        assertThat(store.get("mix" + i).await()).as("mix" + i).isNotNull();
      }
    }
    assertThat(outs.stream().filter(o -> "twice".equals(o.job().idempotencyKey())).map(o -> o.job().id()).distinct())
        .hasSize(1);
  }

  @Test
  void many_concurrent_writes_are_committed_in_groups() {
    List<Future<InsertOutcome>> all = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      all.add(store.insert(job("g" + i, "web", "start", t0 + i, 0, null, null)));
    }
    Future.all(all).await();
    for (int i = 0; i < 300; i += 37) {
      assertThat(store.get("g" + i).await()).isNotNull();
    }
    assertThat(meanBatch()).as("writes per commit").isGreaterThan(1.5);
  }

  /** Mean writes per commit of this store. */
  protected abstract double meanBatch();

  @Test
  void listing_is_newest_first_filtered_and_paged_by_cursor() {
    for (int i = 0; i < 25; i++) {
      store.insert(job(String.format("l%02d", i), i % 2 == 0 ? "web" : "api-east", i % 3 == 0 ? "stop" : "start",
          t0 + i, 0, null, null)).await();
    }
    JobFilter all = new JobFilter(List.of("*"), null, null, null, null, null);
    Page<JobRecord> p1 = store.list(all, null, 10).await();
    Page<JobRecord> p2 = store.list(all, p1.nextCursor(), 10).await();
    Page<JobRecord> p3 = store.list(all, p2.nextCursor(), 10).await();
    assertThat(p1.items()).hasSize(10);
    assertThat(p1.items().get(0).id()).isEqualTo("l24");
    assertThat(p3.items()).hasSize(5);
    assertThat(p3.nextCursor()).isNull();
    Set<String> ids = new HashSet<>();
    List.of(p1, p2, p3).forEach(p -> p.items().forEach(j -> ids.add(j.id())));
    assertThat(ids).hasSize(25);

    assertThat(store.list(new JobFilter(List.of("api-*"), null, null, null, null, null), null, 100).await().items())
        .hasSize(12).allMatch(j -> j.app().equals("api-east"));
    assertThat(store.list(new JobFilter(List.of("*"), "web", null, "stop", null, null), null, 100).await().items())
        .extracting(JobRecord::id).containsExactly("l24", "l18", "l12", "l06", "l00");
    assertThat(store.list(new JobFilter(List.of("*"), null, null, null, t0 + 20, t0 + 22), null, 100).await().items())
        .extracting(JobRecord::id).containsExactly("l21", "l20");
    assertThat(store.list(new JobFilter(List.of("web_"), null, null, null, null, null), null, 100).await().items())
        .as("_ is not a wildcard").isEmpty();
    assertThat(store.list(new JobFilter(List.of(), null, null, null, null, null), null, 100).await().items()).isEmpty();
    assertThatThrownBy(() -> Sql.decodeCursor("not-a-cursor")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void claims_take_the_highest_priority_then_the_oldest_once() {
    insert("old", "web", t0);
    insert("new", "web", t0 + 10);
    store.insert(job("urgent", "web", "start", t0 + 20, 5, null, null)).await();
    List<JobRecord> first = store.claim("me", 2, t0 + 100, t0).await();
    assertThat(first).extracting(JobRecord::id).containsExactly("urgent", "old");
    assertThat(first).allSatisfy(j -> {
      assertThat(j.state()).isEqualTo("running");
      assertThat(j.owner()).isEqualTo("me");
      assertThat(j.heartbeatAt()).isEqualTo(t0 + 100);
      assertThat(j.claims()).isEqualTo(1);
      assertThat(j.startedAt()).isEqualTo(t0 + 100);
    });
    assertThat(store.claim("other", 10, t0 + 101, t0).await()).extracting(JobRecord::id).containsExactly("new");
    assertThat(store.claim("other", 10, t0 + 102, t0).await()).isEmpty();
  }

  @Test
  void a_job_whose_owner_stopped_heart_beating_is_taken_over() {
    insert("t", "web", t0);
    store.claim("dead", 1, t0 + 1000, t0).await();
    assertThat(store.claim("alive", 1, t0 + 5000, t0 + 500).await()).as("heartbeat still fresh").isEmpty();
    Claimed claimed = store.claimJobs("alive", 1, t0 + 20000, t0 + 10000, java.util.Set.of()).await();
    assertThat(claimed.takenOverFrom()).as("a takeover names the silent owner").isEqualTo(java.util.Map.of("t", "dead"));
    List<JobRecord> taken = claimed.jobs();
    assertThat(taken).singleElement().satisfies(j -> {
      assertThat(j.owner()).isEqualTo("alive");
      assertThat(j.claims()).isEqualTo(2);
      assertThat(j.startedAt()).as("the first start time is kept").isEqualTo(t0 + 1000);
    });
    assertThat(store.heartbeat("dead", List.of("t"), t0 + 20001).await())
        .containsExactly(new HeartbeatResult("t", false, false));
  }

  @Test
  void a_job_stored_claimed_is_its_owners_alone_until_that_owner_falls_silent() {
    store.heartbeat("me", List.of(), t0).await();
    InsertOutcome out = store.insertClaimed(job("d", "web", "start", t0, 0, "k", "h"), "me").await();
    assertThat(out.kind()).isEqualTo(InsertOutcome.Kind.INSERTED);
    for (JobRecord j : List.of(out.job(), store.get("d").await())) {
      assertThat(j.state()).isEqualTo("running");
      assertThat(j.owner()).isEqualTo("me");
      assertThat(j.claims()).isEqualTo(1);
      assertThat(j.startedAt()).isEqualTo(t0);
      assertThat(j.heartbeatAt()).isEqualTo(t0);
    }
    // a replay under its key finds it and stores nothing
    InsertOutcome again = store.insertClaimed(job("d2", "web", "start", t0 + 1, 0, "k", "h"), "other").await();
    assertThat(again.kind()).isEqualTo(InsertOutcome.Kind.EXISTING);
    assertThat(again.job().owner()).isEqualTo("me");
    assertThat(store.get("d2").await()).isNull();

    assertThat(store.claim("other", 10, t0 + 1, Long.MIN_VALUE).await()).as("not in the queue").isEmpty();
    assertThat(store.claim("other", 10, t0 + 5000, t0).await()).as("its owner heart-beats").isEmpty();
    assertThat(store.heartbeat("me", List.of("d"), t0 + 6000).await())
        .containsExactly(new HeartbeatResult("d", true, false));
    assertThat(store.finish("d", "me", "succeeded", null, null, JobRecord.Progress.NONE, t0 + 7000).await()).isTrue();
    assertThat(store.get("d").await().state()).isEqualTo("succeeded");

    store.insertClaimed(job("e", "web", "start", t0 + 8000, 0, null, null), "me").await();
    Claimed taken = store.claimJobs("other", 10, t0 + 30_000, t0 + 10_000, Set.of()).await();
    assertThat(taken.takenOverFrom()).as("a silent owner's job is taken over").isEqualTo(java.util.Map.of("e", "me"));
    assertThat(taken.jobs()).singleElement().satisfies(j -> {
      assertThat(j.claims()).isEqualTo(2);
      assertThat(j.startedAt()).isEqualTo(t0 + 8000);
    });
  }

  @Test
  void writes_under_a_lost_claim_change_nothing() {
    insert("f", "web", t0);
    store.claim("a", 1, t0 + 1, t0).await();
    SlotRecord s = new SlotRecord("f", 0, "m1", "start", SlotRecord.PENDING, 0, null, null, null, null, null, null);
    assertThat(store.savePlan("f", "b", List.of(s), t0 + 2).await()).isFalse();
    assertThat(store.slots("f").await()).isEmpty();
    assertThat(store.savePlan("f", "a", List.of(s), t0 + 2).await()).isTrue();
    SlotRecord done = s.with(SlotRecord.SUCCEEDED, "m1", 1, null, null, null, t0 + 3, t0 + 4);
    JobRecord.Progress p = new JobRecord.Progress(1, 1, 0, 0, 0);
    assertThat(store.updateSlots("f", "b", List.of(done), p, t0 + 5).await()).isFalse();
    assertThat(store.slots("f").await().get(0).state()).isEqualTo("pending");
    assertThat(store.updateSlots("f", "a", List.of(done), p, t0 + 5).await()).isTrue();
    assertThat(store.finish("f", "b", "succeeded", null, null, p, t0 + 6).await()).isFalse();
    assertThat(store.finish("f", "a", "succeeded", null, new JsonObject().put("ok", true), p, t0 + 6).await()).isTrue();
    JobRecord j = store.get("f").await();
    assertThat(j.state()).isEqualTo("succeeded");
    assertThat(j.finishedAt()).isEqualTo(t0 + 6);
    assertThat(j.progress()).isEqualTo(p);
    assertThat(j.planned()).isTrue();
    assertThat(j.result().getBoolean("ok")).isTrue();
    SlotRecord stored = store.slots("f").await().get(0);
    assertThat(stored.state()).isEqualTo("succeeded");
    assertThat(stored.attempts()).isEqualTo(1);
    assertThat(stored.finishedAt()).isEqualTo(t0 + 4);
  }

  @Test
  void cancelling_a_queued_job_ends_it_and_a_running_one_is_flagged() {
    insert("q", "web", t0);
    insert("r", "web", t0 + 1);
    store.claim("me", 1, t0 + 2, t0).await(); // claims q, the older
    assertThat(store.requestCancel("r", t0 + 3).await().state()).isEqualTo("cancelled");
    JobRecord running = store.requestCancel("q", t0 + 3).await();
    assertThat(running.state()).isEqualTo("running");
    assertThat(running.cancelRequested()).isTrue();
    assertThat(store.heartbeat("me", List.of("q"), t0 + 4).await())
        .containsExactly(new HeartbeatResult("q", true, true));
    assertThat(store.requestCancel("missing", t0).await()).isNull();
    assertThat(store.claim("other", 5, t0 + 5, t0).await()).as("a cancelled job is never claimed").isEmpty();
  }

  @Test
  void released_claims_can_be_taken_at_once() {
    insert("x", "web", t0);
    store.claim("leaving", 1, t0 + 1, t0).await();
    assertThat(store.releaseClaims("leaving", t0 + 2).await()).isEqualTo(1);
    Claimed claimed = store.claimJobs("next", 1, t0 + 3, t0 + 2, java.util.Set.of()).await();
    assertThat(claimed.jobs()).extracting(JobRecord::owner).containsExactly("next");
    assertThat(claimed.takenOverFrom()).as("a job given back is resumed, not taken over").isEmpty();
  }

  @Test
  void a_hand_back_pass_takes_given_back_jobs_and_judges_no_owner() {
    insert("given", "web", t0);
    insert("silent", "web", t0 + 1);
    store.claim("leaving", 1, t0 + 2, t0).await(); // given
    store.claim("dead", 1, t0 + 3, t0).await(); // silent, whose owner never beats again
    store.releaseClaims("leaving", List.of("given")).await();
    Claimed handedBack = store.claimJobs("next", 10, t0 + 60_000, Long.MIN_VALUE + 1, java.util.Set.of()).await();
    assertThat(handedBack.jobs()).extracting(JobRecord::id).containsExactly("given");
    assertThat(handedBack.takenOverFrom()).isEmpty();
    Claimed takeover = store.claimJobs("next", 10, t0 + 60_001, t0 + 50_000, java.util.Set.of()).await();
    assertThat(takeover.jobs()).extracting(JobRecord::id).containsExactly("silent");
    assertThat(takeover.takenOverFrom()).isEqualTo(java.util.Map.of("silent", "dead"));
  }

  @Test
  void a_claim_alone_after_a_restart_takes_each_job_once() {
    insert("given", "web", t0);
    insert("silent", "web", t0 + 1);
    store.claim("leaving", 1, t0 + 2, t0).await(); // given
    store.claim("dead", 1, t0 + 3, t0).await(); // silent
    store.releaseClaims("leaving", List.of("given")).await();
    // alone on SQLite after a restart, everything running is stale: the given-back job, just claimed by
    // the first pass, must not be taken again by the second
    Claimed takeover = store.claimJobs("next", 10, t0 + 60_001, Long.MAX_VALUE, java.util.Set.of()).await();
    assertThat(takeover.jobs()).extracting(JobRecord::id, JobRecord::claims).containsExactlyInAnyOrder(
        org.assertj.core.groups.Tuple.tuple("given", 2), org.assertj.core.groups.Tuple.tuple("silent", 2));
    assertThat(takeover.takenOverFrom()).isEqualTo(java.util.Map.of("silent", "dead"));
  }

  @Test
  void pruning_removes_old_ended_jobs_and_keeps_the_newest() {
    for (int i = 0; i < 6; i++) {
      insert("p" + i, "web", t0 + i);
    }
    List<JobRecord> claimed = store.claim("me", 6, t0 + 10, t0).await();
    for (int i = 0; i < 5; i++) {
      store.finish("p" + i, "me", "succeeded", null, null, JobRecord.Progress.NONE, t0 + 100 + i).await();
    }
    assertThat(claimed).hasSize(6);
    assertThat(store.prune(t0 + 102, 100).await()).as("ended before +102").isEqualTo(2);
    assertThat(store.prune(0, 2).await()).as("beyond the newest two").isEqualTo(1);
    assertThat(store.get("p3").await()).isNotNull();
    assertThat(store.get("p4").await()).isNotNull();
    assertThat(store.get("p5").await()).as("running jobs are never pruned").isNotNull();
    assertThat(store.get("p2").await()).isNull();
  }

  @Test
  void pruning_goes_in_batches_until_nothing_is_left_to_prune() {
    for (int i = 0; i < 7; i++) {
      insert("b" + i, "web", t0 + i);
    }
    store.claim("me", 7, t0 + 10, t0).await();
    for (int i = 0; i < 6; i++) {
      // b0 and b1 end at the same instant: the tie is broken by id
      store.finish("b" + i, "me", "succeeded", null, null, JobRecord.Progress.NONE, t0 + 100 + Math.max(i, 1)).await();
    }
    SqlJobStore sql = (SqlJobStore) store;
    assertThat(sql.prune(0, 2, 2).await()).as("four beyond the newest two, two per batch").isEqualTo(4);
    assertThat(store.list(new JobFilter(List.of("*"), null, null, null, null, null), null, 10).await().items())
        .extracting(JobRecord::id).containsExactlyInAnyOrder("b4", "b5", "b6");
    assertThat(sql.prune(0, 2, 2).await()).as("nothing left beyond them").isZero();
    assertThat(sql.prune(t0 + 106, 0, 1).await()).as("keeping none: every ended job goes, one per batch").isEqualTo(2);
    assertThat(store.get("b6").await()).as("running jobs are never pruned").isNotNull();
  }

  @Test
  void pruning_keeps_exactly_the_newest_even_when_jobs_ended_at_the_same_instant() {
    for (int i = 0; i < 3; i++) {
      insert("tie" + i, "web", t0 + i);
    }
    store.claim("me", 3, t0 + 10, t0).await();
    for (int i = 0; i < 3; i++) {
      store.finish("tie" + i, "me", "succeeded", null, null, JobRecord.Progress.NONE, t0 + 50).await();
    }
    assertThat(store.prune(0, 1).await()).isEqualTo(2);
    assertThat(store.list(new JobFilter(List.of("*"), null, null, null, null, null), null, 10).await().items())
        .hasSize(1);
  }

  @Test
  void data_survives_a_reopen_and_migrations_run_once() throws Exception {
    insert("keep", "web", t0);
    store.close().await();
    store = sameData(vertx);
    store.start().await();
    assertThat(store.get("keep").await().state()).isEqualTo("queued");
  }

  @Test
  void two_instances_never_claim_the_same_job() throws Exception {
    for (int i = 0; i < 60; i++) {
      insert(String.format("c%02d", i), "web", t0 + i);
    }
    JobStore other = sameData(vertx);
    other.start().await();
    try {
      List<Future<List<JobRecord>>> claims = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        claims.add(store.claim("one", 4, t0 + 100, t0));
        claims.add(other.claim("two", 4, t0 + 100, t0));
      }
      List<String> got = new ArrayList<>();
      for (Future<List<JobRecord>> f : claims) {
        f.await().forEach(j -> got.add(j.id()));
      }
      assertThat(got).doesNotHaveDuplicates().hasSize(60);
    } finally {
      other.close().await();
    }
  }

  @Test
  void a_claim_leaves_out_apps_at_their_cap_and_takes_nothing_over_unless_asked() {
    insert("a1", "busy", t0);
    insert("b1", "calm", t0 + 1);
    store.claim("dead", 1, t0 + 2, t0).await(); // a1, the older, for an instance that then goes silent
    insert("a2", "busy", t0 + 3);
    assertThat(store.claim("me", 10, t0 + 20_000, Long.MIN_VALUE, java.util.Set.of("busy")).await())
        .as("queued jobs of other apps only, no takeover").extracting(JobRecord::id).containsExactly("b1");
    assertThat(store.claim("me", 10, t0 + 20_001, t0 + 10_000, java.util.Set.of()).await())
        .as("the silent owner's job, then the queued one").extracting(JobRecord::id).containsExactly("a1", "a2");
    assertThat(store.runningOwnedBy("me").await()).containsExactlyInAnyOrder("a1", "a2", "b1");
    assertThat(store.runningOwnedBy("dead").await()).isEmpty();
  }

  @Test
  void a_heartbeat_keeps_every_job_of_its_instance_alive_with_one_row() {
    insert("h1", "web", t0);
    insert("h2", "web", t0 + 1);
    store.claim("me", 2, t0 + 2, t0).await();
    // heart-beaten at +9000 (not the jobs themselves): still fresh for a taker at +15000 with a 10 s timeout
    store.heartbeat("me", List.of("h1", "h2"), t0 + 9000).await();
    assertThat(store.claim("other", 10, t0 + 15_000, t0 + 5000).await()).isEmpty();
    assertThat(store.claim("other", 10, t0 + 20_000, t0 + 10_000).await()).hasSize(2);
  }

  @Test
  void an_end_can_carry_slots_never_stored_before() {
    insert("one", "web", t0);
    store.claim("me", 1, t0 + 1, t0).await();
    SlotRecord done = new SlotRecord("one", 0, "m1", "restart", SlotRecord.SUCCEEDED, 1, null, null, null, t0 + 2,
        t0 + 3, new JsonObject().put("state_before", "started"));
    JobRecord.Progress p = new JobRecord.Progress(1, 1, 0, 0, 0);
    assertThat(store.finish("one", "other", "succeeded", null, null, p, t0 + 4, List.of(done)).await()).isFalse();
    assertThat(store.slots("one").await()).as("nothing written under a lost claim").isEmpty();
    assertThat(store.finish("one", "me", "succeeded", null, null, p, t0 + 4, List.of(done)).await()).isTrue();
    assertThat(store.slots("one").await()).singleElement().satisfies(s -> {
      assertThat(s.state()).isEqualTo("succeeded");
      assertThat(s.machineId()).isEqualTo("m1");
      assertThat(s.finishedAt()).isEqualTo(t0 + 3);
      assertThat(s.detail().getString("state_before")).isEqualTo("started");
    });
    assertThat(store.get("one").await().progress()).isEqualTo(p);
  }

  @Test
  void an_ended_jobs_slots_read_back_field_for_field_one_or_many() {
    insert("failed1", "web", t0);
    insert("two", "web", t0 + 1);
    assertThat(store.claim("me", 2, t0 + 2, t0).await()).hasSize(2);
    // every field set, so that nothing is lost on the way (a one-machine job's slot rides in its row)
    SlotRecord failed = new SlotRecord("failed1", 0, "m9", "start", SlotRecord.FAILED, 3, "precondition",
        "unable to start machine from current state: 'destroyed'", 137, t0 + 3, t0 + 4,
        new JsonObject().put("state_before", "destroyed").put("events", new io.vertx.core.json.JsonArray().add(1)));
    JobRecord.Progress p1 = new JobRecord.Progress(1, 0, 1, 0, 0);
    assertThat(store.finish("failed1", "me", "failed", "1 machine failed", null, p1, t0 + 5, List.of(failed)).await())
        .isTrue();
    assertThat(store.slots("failed1").await()).containsExactly(failed);
    List<SlotRecord> pair = List.of(
        new SlotRecord("two", 0, "a1", "stop", SlotRecord.SUCCEEDED, 1, null, null, null, t0 + 3, t0 + 4, null),
        new SlotRecord("two", 1, "a2", "stop", SlotRecord.SKIPPED, 0, null, null, null, null, null, null));
    JobRecord.Progress p2 = new JobRecord.Progress(2, 1, 0, 1, 0);
    assertThat(store.finish("two", "me", "succeeded", null, null, p2, t0 + 5, pair).await()).isTrue();
    assertThat(store.slots("two").await()).containsExactlyElementsOf(pair);
    assertThat(store.slots("never-heard-of").await()).isEmpty();
  }

  @Test
  void decisions_for_one_policy_made_at_once_see_each_others_cooldown() {
    AutoscaleStore policies = (AutoscaleStore) store;
    assertThat(policies.createPolicy(new PolicyRecord("pol_1", "web", "load", new JsonObject(), 1, null, null, null,
        null, 1_000, 1_000, "t")).await()).isTrue();
    // all sent before any commits, as alerts from several receivers arrive together, and behind
    // other writes so that a group commit gathers them into one batch
    List<Future<DecisionRecord>> all = new ArrayList<>();
    List<Future<?>> before = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      before.add(store.insert(job("busy" + i, "web", "start", 1_500 + i, 0, null, null)));
    }
    for (int i = 0; i < 10; i++) {
      long now = 2_000 + i;
      all.add(policies.decide("pol_1", 50, (row, lastJobState) -> {
        String outcome = row.lastUpAt() == null ? "scaled" : "cooldown";
        DecisionRecord d = new DecisionRecord("dec_" + now, row.id(), now, "alert", "up", outcome, outcome, null, null,
            null, new io.vertx.core.json.JsonArray());
        return new AutoscaleStore.Outcome(d, true, null, row.lastUpAt() == null ? (Long) now : row.lastUpAt(), null,
            "up:" + outcome);
      }));
    }
    Future.join(new ArrayList<>(all)).await();
    Future.join(new ArrayList<>(before)).await();
    long scaled = all.stream().map(Future::result).filter(d -> d != null && d.outcome().equals("scaled")).count();
    assertThat(scaled).as("one scale-up; the others saw its cooldown or waited their turn").isEqualTo(1);
  }
  @Test
  void two_schedules_renamed_to_one_name_at_once_leave_one_holding_it() {
    ScheduleStore schedules = (ScheduleStore) store;
    for (String id : List.of("sch_a", "sch_b")) {
      assertThat(schedules.createSchedule(new ScheduleRecord(id, "web", "name-" + id, new JsonObject(), false, null, null,
          1, 1_000, 1_000, "t")).await()).isTrue();
    }
    List<Future<?>> before = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      before.add(store.insert(job("busy" + i, "web", "start", 1_500 + i, 0, null, null)));
    }
    // behind other writes, so a group commit gathers both renames into one batch
    Future<ScheduleStore.Replaced> a = schedules.replaceSchedule("sch_a", "nightly", new JsonObject(), false, null, null,
        2_000);
    Future<ScheduleStore.Replaced> b = schedules.replaceSchedule("sch_b", "nightly", new JsonObject(), false, null, null,
        2_000);
    Future.join(a, b).await();
    Future.join(new ArrayList<>(before)).await();
    assertThat(List.of(a.result(), b.result())).containsExactlyInAnyOrder(ScheduleStore.Replaced.OK,
        ScheduleStore.Replaced.NAME_TAKEN);
    assertThat(List.of(schedules.getSchedule("sch_a").await().name(), schedules.getSchedule("sch_b").await().name()))
        .containsExactlyInAnyOrder("nightly", b.result() == ScheduleStore.Replaced.OK ? "name-sch_a" : "name-sch_b");
    for (Future<?> f : before) {
      assertThat(f.succeeded()).as("the other writes of the batch still commit").isTrue();
    }
  }
}
