package dev.flightdeck.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class SimJsonTest {

  @Test
  void timestamps_render_as_whole_seconds_in_utc_even_when_recently_rendered_seconds_share_a_slot() {
    long base = 1_764_000_000_000L;
    for (long ms : new long[] {base, base + 999, base + 1_000, base + 256_000, base, base + 256_999, -1, 0, -1_000,
        base + 512_000 + 17}) {
      assertThat(SimJson.rfc3339(ms)).as("%d ms", ms).isEqualTo(Instant.ofEpochSecond(Math.floorDiv(ms, 1000)).toString());
    }
    assertThat(SimJson.rfc3339(base)).isEqualTo("2025-11-24T16:00:00Z");
  }
}
