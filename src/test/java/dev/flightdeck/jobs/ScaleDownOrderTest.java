package dev.flightdeck.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.fleet.CachedMachine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * "Newest" and "oldest" for scaling down: created_at comes to the second, so machines of the same
 * second are told apart by their version ULIDs, not by their random ids (a flaky JobsApiTest run kept
 * a machine created moments before instead of one seeded earlier in the same second).
 */
class ScaleDownOrderTest {

  private static CachedMachine machine(String id, long createdAt, String instanceId) {
    return new CachedMachine(id, id, "started", "ord", instanceId, "worker", "img", Map.of(), null, 0, false, false,
        createdAt, createdAt, 0, null);
  }

  @Test
  void machines_created_in_the_same_second_are_ordered_by_their_versions_not_their_ids() {
    long second = 1_700_000_000_000L;
    // ids in the opposite order of creation
    CachedMachine seeded = machine("ffffffffffffff", second, "01HF7YAT00AAAAAAAAAAAAAAAA");
    CachedMachine created = machine("00000000000000", second, "01HF7YAT3ZBBBBBBBBBBBBBBBB");
    List<CachedMachine> order = new ArrayList<>(List.of(seeded, created));
    order.sort(JobPlanner.BY_AGE.reversed());
    assertThat(order).extracting(CachedMachine::id).containsExactly("00000000000000", "ffffffffffffff");
  }

  @Test
  void a_whole_second_apart_the_creation_time_decides_whatever_the_versions_say() {
    CachedMachine older = machine("aaaaaaaaaaaaaa", 1_000L, "01HF7YAT3ZBBBBBBBBBBBBBBBB"); // updated since
    CachedMachine newer = machine("bbbbbbbbbbbbbb", 2_000L, "01HF7YAT00AAAAAAAAAAAAAAAA");
    List<CachedMachine> order = new ArrayList<>(List.of(newer, older));
    order.sort(JobPlanner.BY_AGE);
    assertThat(order).extracting(CachedMachine::id).containsExactly("aaaaaaaaaaaaaa", "bbbbbbbbbbbbbb");
  }

  @Test
  void a_machine_without_a_version_sorts_as_the_oldest_of_its_second() {
    CachedMachine none = machine("cccccccccccccc", 1_000L, null);
    CachedMachine some = machine("11111111111111", 1_000L, "01HF7YAT00AAAAAAAAAAAAAAAA");
    List<CachedMachine> order = new ArrayList<>(List.of(some, none));
    order.sort(JobPlanner.BY_AGE);
    assertThat(order).extracting(CachedMachine::id).containsExactly("cccccccccccccc", "11111111111111");
  }
}
