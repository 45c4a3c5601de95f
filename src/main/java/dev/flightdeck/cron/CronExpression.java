package dev.flightdeck.cron;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A standard 5-field Unix cron expression (ranges, lists, steps, month and weekday names; a
 * restricted day-of-month and day-of-week match either, as in Vixie cron), or one of
 * {@code @hourly @daily @midnight @weekly @monthly @yearly @annually}; parsed with cron-utils.
 *
 * <p>Fire times follow the wall clock of the schedule's time zone. Across daylight-saving changes:
 * a local time that a spring-forward gap skips does not run that day; a local time that an autumn
 * fall-back repeats runs once, at its first occurrence, unless the hour field is {@code *}: such an
 * expression fires in every real hour, the repeated one included (as cronie runs wildcard jobs).
 */
public final class CronExpression {

  private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  private static final Map<String, String> MACROS = Map.of(
      "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0",
      "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");
  /** Searching further than this for a fire time means the expression never fires. */
  private static final int MAX_STEPS = 10_000;

  private final String text;
  private final ExecutionTime execution;
  /** The hour field is '*': it fires in every hour, so in each real hour of an autumn repeat too. */
  private final boolean everyHour;

  private CronExpression(String text, ExecutionTime execution, boolean everyHour) {
    this.text = text;
    this.execution = execution;
    this.everyHour = everyHour;
  }

  /** Parses {@code text}; throws IllegalArgumentException quoting the offending part. */
  public static CronExpression parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("the expression is empty");
    }
    String t = text.trim().replaceAll("\\s+", " ");
    String expanded = t.startsWith("@") ? MACROS.get(t.toLowerCase(Locale.ROOT)) : t;
    if (expanded == null) {
      throw new IllegalArgumentException("'" + t + "' is not a known macro (use @hourly, @daily, @midnight, @weekly, "
          + "@monthly, @yearly or @annually)");
    }
    Cron cron;
    try {
      cron = PARSER.parse(expanded.toUpperCase(Locale.ROOT));
      cron.validate();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(explain(expanded, e.getMessage()));
    }
    ExecutionTime execution = ExecutionTime.forCron(cron);
    CronExpression c = new CronExpression(t, execution, "*".equals(expanded.split(" ")[1]));
    if (c.nextLocal(LocalDateTime.of(2000, 1, 1, 0, 0)).isEmpty()) {
      throw new IllegalArgumentException("'" + t + "' never fires (no such date)");
    }
    return c;
  }

  private static String explain(String expr, String message) {
    String[] fields = expr.split(" ");
    String[] names = {"minute", "hour", "day of month", "month", "day of week"};
    if (fields.length != 5) {
      return "'" + expr + "' has " + fields.length + " fields; a cron expression has 5: minute hour day-of-month "
          + "month day-of-week";
    }
    // each field alone, the others '*': the first that fails is the one to name (the parser's own
    // message quotes values, not fields, and a '0' in it matched any field holding 0)
    for (int i = 0; i < fields.length; i++) {
      String[] probe = {"*", "*", "*", "*", "*"};
      probe[i] = fields[i];
      String alone = String.join(" ", probe);
      try {
        PARSER.parse(alone.toUpperCase(Locale.ROOT)).validate();
      } catch (IllegalArgumentException e) {
        return "'" + fields[i] + "' in the " + names[i] + " field of '" + expr + "': " + clean(alone, e.getMessage());
      }
    }
    return "'" + expr + "': " + clean(expr, message);
  }

  private static String clean(String expr, String message) {
    return message == null ? "invalid" : message.replace("Failed to parse cron expression. ", "")
        .replace("Failed to parse '" + expr.toUpperCase(Locale.ROOT) + "'. ", "")
        .replace("Failed to parse '" + expr + "'. ", "");
  }

  public String text() {
    return text;
  }

  /** The first fire time strictly after {@code after}, in {@code zone}; empty if there is none. */
  public Optional<Instant> next(Instant after, ZoneId zone) {
    Optional<Instant> first = firstOccurrence(after, zone);
    if (!everyHour) {
      return first;
    }
    Optional<Instant> repeat = inRepeatedStretch(after, zone);
    if (repeat.isPresent() && (first.isEmpty() || repeat.get().isBefore(first.get()))) {
      return repeat;
    }
    return first;
  }

  /**
   * For an every-hour expression: its next time strictly after {@code after} within the second
   * pass of a wall-clock stretch that an autumn change repeats (an hour in New York, half an hour on
   * Lord Howe Island), which {@link #firstOccurrence} never returns.
   */
  private Optional<Instant> inRepeatedStretch(Instant after, ZoneId zone) {
    ZoneRules rules = zone.getRules();
    for (ZoneOffsetTransition t : new ZoneOffsetTransition[] {rules.previousTransition(after.plusNanos(1)),
        rules.nextTransition(after)}) {
      if (t == null || !t.isOverlap()) {
        continue;
      }
      Instant start = t.getInstant();
      Instant end = start.plus(t.getDuration().abs());
      if (!end.isAfter(after)) {
        continue;
      }
      Instant from = after.isBefore(start) ? start.minusSeconds(1) : after;
      Optional<LocalDateTime> c = nextLocal(LocalDateTime.ofInstant(from, t.getOffsetAfter()));
      if (c.isPresent()) {
        Instant at = c.get().toInstant(t.getOffsetAfter());
        if (at.isBefore(end) && at.isAfter(after)) {
          return Optional.of(at);
        }
      }
    }
    return Optional.empty();
  }

  /** The next time strictly after {@code after}, taking a repeated wall-clock time at its first pass only. */
  private Optional<Instant> firstOccurrence(Instant after, ZoneId zone) {
    ZoneRules rules = zone.getRules();
    LocalDateTime local = LocalDateTime.ofInstant(after, zone);
    for (int i = 0; i < MAX_STEPS; i++) {
      Optional<LocalDateTime> candidate = nextLocal(local);
      if (candidate.isEmpty()) {
        return Optional.empty();
      }
      LocalDateTime l = candidate.get();
      List<ZoneOffset> offsets = rules.getValidOffsets(l);
      if (!offsets.isEmpty()) {
        // in an autumn overlap this is the first occurrence; the repeat is not run again
        Instant at = l.toInstant(offsets.get(0));
        if (at.isAfter(after)) {
          return Optional.of(at);
        }
      }
      // no valid offset: the spring-forward gap skipped this local time, so it does not run
      local = l;
    }
    return Optional.empty();
  }

  /** The next {@code n} fire times after {@code after}. */
  public List<Instant> next(Instant after, ZoneId zone, int n) {
    List<Instant> out = new ArrayList<>(n);
    Instant t = after;
    for (int i = 0; i < n; i++) {
      Optional<Instant> x = next(t, zone);
      if (x.isEmpty()) {
        break;
      }
      out.add(x.get());
      t = x.get();
    }
    return out;
  }

  /** The next matching wall-clock time after {@code local}, ignoring time zones. */
  private Optional<LocalDateTime> nextLocal(LocalDateTime local) {
    return execution.nextExecution(local.atZone(ZoneOffset.UTC)).map(ZonedDateTime::toLocalDateTime);
  }

  @Override
  public String toString() {
    return text;
  }
}
