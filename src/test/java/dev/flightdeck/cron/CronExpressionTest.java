package dev.flightdeck.cron;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing and next fire times, including both daylight-saving changes of a year. */
class CronExpressionTest {

  @ParameterizedTest
  @ValueSource(strings = {"* * * * *", "*/15 9-17 * * MON-FRI", "0 0 1 JAN *", "0 0 * * 7", "0 0 * * sun",
      "5,35 */2 1-15 * *", "0 12 * jun-aug 1-5", "30 2 * * *", "@hourly", "@daily", "@midnight", "@weekly",
      "@monthly", "@yearly", "@annually", "0 0 13 * 5", "  0   6  *  *  *  "})
  void valid_expressions_parse(String expr) {
    assertThat(CronExpression.parse(expr).next(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC)).isPresent();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "61 * * * *          | '61' in the minute field",
      "* 24 * * *          | '24' in the hour field",
      "* * 32 * *          | '32' in the day of month field",
      "* * * 13 *          | '13' in the month field",
      "0 24 * * *          | '24' in the hour field",
      "0 0 * * 8           | '8' in the day of week field",
      "0 0 0 * *           | '0' in the day of month field",
      "0 0 1,40 * *        | '1,40' in the day of month field",
      "0 0 1 13 *          | '13' in the month field",
      "* * * * FUNDAY      | FUNDAY",
      "* * * *             | has 4 fields",
      "* * * * * *         | has 6 fields",
      "@sometimes          | '@sometimes' is not a known macro",
      "0 0 31 2 *          | never fires",
      "1-x * * * *         | 1-x",
      "''                  | empty"})
  void invalid_expressions_are_refused_quoting_the_part(String expr, String quoted) {
    assertThatThrownBy(() -> CronExpression.parse(expr)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(quoted);
  }

  /** An independent matcher for the 5 Unix fields, to check the cron-utils based times against. */
  private static final class Matcher {
    final Set<Integer>[] allowed;
    final boolean domStar;
    final boolean dowStar;

    @SuppressWarnings("unchecked")
    Matcher(String expr) {
      String[] f = expr.trim().split("\\s+");
      int[][] ranges = {{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 7}};
      allowed = new Set[5];
      for (int i = 0; i < 5; i++) {
        allowed[i] = field(f[i], ranges[i][0], ranges[i][1]);
      }
      if (allowed[4].remove(7)) {
        allowed[4].add(0);
      }
      domStar = f[2].equals("*");
      dowStar = f[4].equals("*");
    }

    static final Map<String, Integer> NAMES = Map.ofEntries(Map.entry("JAN", 1), Map.entry("FEB", 2),
        Map.entry("MAR", 3), Map.entry("APR", 4), Map.entry("MAY", 5), Map.entry("JUN", 6), Map.entry("JUL", 7),
        Map.entry("AUG", 8), Map.entry("SEP", 9), Map.entry("OCT", 10), Map.entry("NOV", 11), Map.entry("DEC", 12),
        Map.entry("SUN", 0), Map.entry("MON", 1), Map.entry("TUE", 2), Map.entry("WED", 3), Map.entry("THU", 4),
        Map.entry("FRI", 5), Map.entry("SAT", 6));

    static int num(String s) {
      Integer n = NAMES.get(s.toUpperCase());
      return n != null ? n : Integer.parseInt(s);
    }

    static Set<Integer> field(String f, int lo, int hi) {
      Set<Integer> out = new TreeSet<>();
      for (String part : f.split(",")) {
        int step = 1;
        String range = part;
        if (part.contains("/")) {
          step = Integer.parseInt(part.substring(part.indexOf('/') + 1));
          range = part.substring(0, part.indexOf('/'));
        }
        int a;
        int b;
        if (range.equals("*")) {
          a = lo;
          b = hi;
        } else if (range.contains("-")) {
          a = num(range.split("-")[0]);
          b = num(range.split("-")[1]);
        } else {
          a = num(range);
          b = part.contains("/") ? hi : a;
        }
        for (int v = a; v <= b; v += step) {
          out.add(v);
        }
      }
      return out;
    }

    boolean matches(LocalDateTime t) {
      int dow = t.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : t.getDayOfWeek().getValue();
      boolean dom = allowed[2].contains(t.getDayOfMonth());
      boolean dw = allowed[4].contains(dow);
      boolean day = domStar || dowStar ? dom && dw : dom || dw;
      return allowed[0].contains(t.getMinute()) && allowed[1].contains(t.getHour()) && day
          && allowed[3].contains(t.getMonthValue());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"*/15 9-17 * * MON-FRI", "0 0 1 JAN *", "5,35 */2 1-15 * *", "0 12 * jun-aug 1-5",
      "0 0 13 * 5", "17 3 * * 0", "0 0 29 2 *", "*/7 * * * *", "0 22 * * 1-5", "30 4 1,15 * 6"})
  void utc_fire_times_match_an_independent_brute_force_over_a_year(String expr) {
    CronExpression cron = CronExpression.parse(expr);
    Matcher m = new Matcher(expr);
    List<Instant> expected = new ArrayList<>();
    LocalDateTime t = LocalDateTime.of(2026, 1, 1, 0, 1);
    LocalDateTime end = LocalDateTime.of(2029, 1, 1, 0, 0);
    while (t.isBefore(end) && expected.size() < 400) {
      if (m.matches(t)) {
        expected.add(t.toInstant(ZoneOffset.UTC));
      }
      t = t.plusMinutes(1);
    }
    List<Instant> actual = cron.next(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC, expected.size());
    assertThat(actual).isEqualTo(expected);
  }

  private static List<String> fires(String expr, String zone, String fromUtc, int n) {
    return CronExpression.parse(expr).next(Instant.parse(fromUtc), ZoneId.of(zone), n).stream()
        .map(Instant::toString).toList();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      // wall-clock times in other zones
      "0 9 * * *   | Europe/Berlin       | 2026-06-30T00:00:00Z | 2026-06-30T07:00:00Z,2026-07-01T07:00:00Z",
      "0 9 * * *   | Europe/Berlin       | 2026-12-30T00:00:00Z | 2026-12-30T08:00:00Z,2026-12-31T08:00:00Z",
      "0 9 * * *   | Asia/Kolkata        | 2026-01-01T00:00:00Z | 2026-01-01T03:30:00Z,2026-01-02T03:30:00Z",
      "0 0 * * *   | Pacific/Auckland    | 2026-07-01T00:00:00Z | 2026-07-01T12:00:00Z,2026-07-02T12:00:00Z",
      // spring forward (US: 2026-03-08 02:00 -> 03:00): 02:30 does not exist and does not run that day
      "30 2 * * *  | America/New_York    | 2026-03-07T00:00:00Z | 2026-03-07T07:30:00Z,2026-03-09T06:30:00Z",
      // hourly across the gap: 01:30 EST, then 03:30 EDT
      "30 * * * *  | America/New_York    | 2026-03-08T06:00:00Z | 2026-03-08T06:30:00Z,2026-03-08T07:30:00Z,2026-03-08T08:30:00Z",
      // fall back (US: 2026-11-01 02:00 EDT -> 01:00 EST): 01:30 repeats and runs once, the first time
      "30 1 * * *  | America/New_York    | 2026-10-31T00:00:00Z | 2026-10-31T05:30:00Z,2026-11-01T05:30:00Z,2026-11-02T06:30:00Z",
      // every hour fires in each real hour, the repeated one too (01:30 EDT, then 01:30 EST)
      "30 * * * *  | America/New_York    | 2026-11-01T04:00:00Z | 2026-11-01T04:30:00Z,2026-11-01T05:30:00Z,2026-11-01T06:30:00Z,2026-11-01T07:30:00Z",
      "15 * 7 11 * | America/New_York    | 2027-11-07T03:00:00Z | 2027-11-07T04:15:00Z,2027-11-07T05:15:00Z,2027-11-07T06:15:00Z,2027-11-07T07:15:00Z",
      "*/15 * * * * | America/New_York   | 2026-11-01T05:40:00Z | 2026-11-01T05:45:00Z,2026-11-01T06:00:00Z,2026-11-01T06:15:00Z,2026-11-01T06:30:00Z,2026-11-01T06:45:00Z,2026-11-01T07:00:00Z",
      // from inside the repeated hour: its remaining second-pass times, then on
      "30 * * * *  | America/New_York    | 2026-11-01T06:10:00Z | 2026-11-01T06:30:00Z,2026-11-01T07:30:00Z",
      // Lord Howe Island goes back half an hour (02:00 +11:00 -> 01:30 +10:30): 01:30 and 01:45 fire twice
      "*/15 * * * * | Australia/Lord_Howe | 2026-04-04T14:20:00Z | 2026-04-04T14:30:00Z,2026-04-04T14:45:00Z,2026-04-04T15:00:00Z,2026-04-04T15:15:00Z,2026-04-04T15:30:00Z",
      // Europe: spring forward 2026-03-29 02:00 -> 03:00, fall back 2026-10-25 03:00 -> 02:00
      "15 2 * * *  | Europe/Berlin       | 2026-03-28T00:00:00Z | 2026-03-28T01:15:00Z,2026-03-30T00:15:00Z",
      "15 2 * * *  | Europe/Berlin       | 2026-10-24T00:00:00Z | 2026-10-24T00:15:00Z,2026-10-25T00:15:00Z,2026-10-26T01:15:00Z",
      // a start inside the repeated hour does not fire the repeat again
      "30 1 * * *  | America/New_York    | 2026-11-01T06:10:00Z | 2026-11-02T06:30:00Z"})
  void fire_times_follow_the_zone_through_both_daylight_saving_changes(String expr, String zone, String from,
      String expected) {
    List<String> want = List.of(expected.split(","));
    assertThat(fires(expr, zone, from, want.size())).isEqualTo(want);
  }
}
