package dev.flightdeck.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobIdsTest {

  @Test
  void ids_made_in_the_same_millisecond_sort_in_the_order_they_were_made() {
    List<String> made = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      made.add(JobIds.next(1_764_000_000_000L));
    }
    made.add(JobIds.next(1_764_000_000_001L));
    made.add(JobIds.next(1_764_000_000_001L));
    assertThat(made).doesNotHaveDuplicates().isSorted();
    assertThat(made).allMatch(id -> id.matches("job_[0-9a-hjkmnp-tv-z]{26}"));
    assertThat(made.get(0).substring(0, 14)).as("the time part").isEqualTo(made.get(1999).substring(0, 14));
  }
}
