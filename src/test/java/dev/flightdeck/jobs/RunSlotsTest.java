package dev.flightdeck.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RunSlotsTest {

  private static RunSlots open(int max, int perApp) {
    RunSlots s = new RunSlots(max, perApp);
    s.open(true);
    return s;
  }

  @Test
  void the_direct_way_is_shut_until_the_runner_opens_it() {
    RunSlots s = new RunSlots(4, 4);
    assertThat(s.tryDirect("a")).isFalse();
    s.open(true);
    assertThat(s.tryDirect("a")).isTrue();
    s.open(false);
    assertThat(s.tryDirect("a")).isFalse();
  }

  @Test
  void a_claim_in_flight_holds_the_slots_it_may_fill_so_both_never_take_one() {
    RunSlots s = open(3, 3);
    assertThat(s.beginClaim(2)).isEqualTo(2);
    assertThat(s.tryDirect("a")).as("the one slot the claim left").isTrue();
    assertThat(s.tryDirect("b")).as("the claim may fill the other two").isFalse();
    s.take("c"); // the claim found one job
    s.endClaim();
    assertThat(s.tryDirect("b")).as("the slot the claim did not fill").isTrue();
    assertThat(s.tryDirect("d")).isFalse();
    s.give("c");
    assertThat(s.beginClaim(512)).as("never more than is free").isEqualTo(1);
    s.endClaim();
  }

  @Test
  void an_app_at_its_cap_is_refused_and_reported_full() {
    RunSlots s = open(10, 2);
    assertThat(s.tryDirect("a")).isTrue();
    s.take("a");
    assertThat(s.tryDirect("a")).isFalse();
    assertThat(s.fullApps()).containsExactly("a");
    assertThat(s.tryDirect("b")).isTrue();
    s.directAnswered("a", false);
    assertThat(s.fullApps()).isEmpty();
    assertThat(s.beginClaim(512)).as("one of a, one of b").isEqualTo(8);
  }

  @Test
  void a_direct_submit_unanswered_or_answered_since_a_mark_breaks_the_quiet() {
    RunSlots s = open(10, 10);
    long mark = s.quietMark();
    assertThat(s.quietSince(mark)).isTrue();
    assertThat(s.tryDirect("a")).isTrue();
    assertThat(s.pendingDirect()).isEqualTo(1);
    assertThat(s.quietSince(mark)).isFalse();
    assertThat(s.quietMark()).as("a mark taken while one is pending is never quiet").isNegative();
    long pendingMark = s.quietMark();
    s.directAnswered("a", true);
    assertThat(s.pendingDirect()).isZero();
    assertThat(s.quietSince(pendingMark)).isFalse();
    assertThat(s.quietSince(mark)).as("one began and ended since").isFalse();
    assertThat(s.quietSince(s.quietMark())).isTrue();
  }
}
