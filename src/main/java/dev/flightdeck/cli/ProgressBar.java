package dev.flightdeck.cli;

import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A job's progress as one line: on a terminal, a bar redrawn in place (at most four times a
 * second) that fits the terminal's width; otherwise a plain line every few seconds and at the end.
 * Shows done, failed and cancelled machines, the rate, the time elapsed and the time left.
 */
final class ProgressBar {

  static final long TTY_EVERY_MS = 250;
  static final long PLAIN_EVERY_MS = 5_000;

  private final PrintStream out;
  private final boolean tty;
  private final int columns;
  private final LongSupplier clock;
  private final long startedAt;
  private long lastDraw;
  private String last = "";
  private boolean drawn;

  ProgressBar(PrintStream out, boolean tty, int columns, LongSupplier clock) {
    this.out = out;
    this.tty = tty;
    this.columns = Math.max(20, columns);
    this.clock = clock;
    this.startedAt = clock.getAsLong();
  }

  /** A new progress snapshot; drawn now only if the last draw is old enough. */
  void update(JsonObject progress, String state) {
    long now = clock.getAsLong();
    if (drawn && now - lastDraw < (tty ? TTY_EVERY_MS : PLAIN_EVERY_MS)) {
      return;
    }
    draw(line(progress, state, now - startedAt, columns), now);
  }

  /** The last snapshot: always drawn, and the terminal's line ended. */
  void finish(JsonObject progress, String state) {
    long now = clock.getAsLong();
    String text = line(progress, state, now - startedAt, columns);
    if (!tty && text.equals(last)) {
      return;
    }
    draw(text, now);
    if (tty && drawn) {
      out.println();
    }
  }

  private void draw(String text, long now) {
    lastDraw = now;
    if (tty) {
      // pad over what a longer previous line left behind, never past the width (that would wrap)
      String padded = text.length() < last.length() ? text + " ".repeat(Math.min(last.length(), columns - 1)
          - text.length()) : text;
      out.print("\r" + padded);
      out.flush();
    } else {
      out.println(text);
    }
    last = text;
    drawn = true;
  }

  /** The line for {@code p}, at most {@code columns - 1} characters. */
  static String line(JsonObject p, String state, long elapsedMs, int columns) {
    int total = p.getInteger("total", 0);
    int done = p.getInteger("succeeded", 0) + p.getInteger("skipped", 0);
    int failed = p.getInteger("failed", 0);
    int cancelled = p.getInteger("cancelled", 0);
    int remaining = p.getInteger("remaining", Math.max(0, total - done - failed - cancelled));
    int finished = done + failed + cancelled;
    String counts = done + "/" + total + " done, " + failed + " failed"
        + (cancelled > 0 ? ", " + cancelled + " cancelled" : "") + ", " + remaining + " left";
    double secs = elapsedMs / 1000.0;
    String rate = finished > 0 && secs > 0 ? String.format(java.util.Locale.ROOT, "%.1f/s", finished / secs) : "";
    String eta = finished > 0 && remaining > 0 && secs > 0 ? "ETA " + clock((long) (remaining * secs / finished))
        : "";
    // shown as rate, elapsed, ETA, state; when the line is tight the rate goes first, then the time
    // elapsed, then the ETA (the state always stays)
    String[] shown = {rate, clock((long) secs) + " elapsed", eta, state};
    int[] priority = {2, 1, 0, -1};
    for (int keep = 3; keep >= 0; keep--) {
      StringBuilder tail = new StringBuilder(" ").append(counts);
      for (int i = 0; i < shown.length; i++) {
        if (!shown[i].isEmpty() && priority[i] < keep) {
          tail.append("  ").append(shown[i]);
        }
      }
      int width = Math.min(40, columns - 1 - 2 - tail.length());
      if (width >= 10 || keep == 0) {
        width = Math.max(width, 10);
        int total1 = Math.max(1, total);
        int d = done * width / total1;
        int f = Math.min(width - d, (failed + cancelled) * width / total1);
        String text = "[" + "#".repeat(d) + "x".repeat(f) + "-".repeat(width - d - f) + "]" + tail;
        return text.length() <= columns - 1 ? text : text.substring(0, columns - 1);
      }
    }
    throw new IllegalStateException("unreachable");
  }

  private static String clock(long secs) {
    return secs >= 3600 ? String.format(java.util.Locale.ROOT, "%d:%02d:%02d", secs / 3600, secs / 60 % 60, secs % 60)
        : String.format(java.util.Locale.ROOT, "%d:%02d", secs / 60, secs % 60);
  }

  /** The terminal's width: {@code COLUMNS}, else what {@code stty} says of the terminal, else 80. */
  static int terminalColumns(Map<String, String> env, boolean tty) {
    try {
      String c = env.get("COLUMNS");
      if (c != null) {
        return Integer.parseInt(c.trim());
      }
    } catch (NumberFormatException ignored) {
      // fall through
    }
    if (tty && new java.io.File("/dev/tty").exists()) {
      try {
        Process p = new ProcessBuilder("sh", "-c", "stty size < /dev/tty").redirectErrorStream(true).start();
        String outText = new String(p.getInputStream().readAllBytes()).trim();
        if (p.waitFor() == 0 && outText.matches("\\d+ \\d+")) {
          return Integer.parseInt(outText.split(" ")[1]);
        }
      } catch (Exception ignored) {
        // no terminal to ask
      }
    }
    return 80;
  }
}
