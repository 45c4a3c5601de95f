package dev.flightdeck.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The real jar ({@code target/flightdeck.jar}) in a child JVM, with its output collected line by
 * line so a test can wait for "ready" and later search the log. Used by the *IT tests.
 */
public final class ChildProcess implements AutoCloseable {

  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final List<String> raw = new ArrayList<>();

  private ChildProcess(Process process) {
    this.process = process;
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (lines) {
            raw.add(line);
            lines.add(readable(line));
            lines.notifyAll();
          }
        }
      } catch (IOException ignored) {
        // the process went away
      }
      synchronized (lines) {
        lines.notifyAll();
      }
    }, "child-output");
    reader.setDaemon(true);
    reader.start();
  }

  public static Path jar() {
    String jar = System.getProperty("flightdeck.jar", "target/flightdeck.jar");
    return Path.of(jar).toAbsolutePath();
  }

  /**
   * What an operator's environment holds besides settings, and what the Dockerfile and fly.toml set:
   * the log format and the CLI's server and token. Every child runs with them (serve and sim must
   * leave them alone); a test removes one by mapping it to null.
   */
  public static final Map<String, String> OPERATOR_ENV = Map.of(
      "FLIGHTDECK_LOG_FORMAT", "json",
      "FLIGHTDECK_URL", "http://127.0.0.1:9",
      "FLIGHTDECK_TOKEN", "fd_operator_cli_token");

  /** Starts {@code java -jar flightdeck.jar args…} in {@code cwd} with the given environment changes. */
  public static ChildProcess start(Path cwd, Map<String, String> envChanges, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.addAll(List.of(args));
    return start(cmd, cwd, envChanges, true);
  }

  /**
   * Starts {@code command} in {@code cwd}. The test JVM's own Flightdeck settings and Fly token are
   * not inherited (a developer's shell must not change what a test drives); {@code operatorEnv}
   * adds {@link #OPERATOR_ENV}; then {@code envChanges} apply (null removes a variable).
   */
  public static ChildProcess start(List<String> command, Path cwd, Map<String, String> envChanges,
      boolean operatorEnv) {
    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("FLIGHTDECK_") || k.startsWith("FLY_") || k.equals("JAVA_TOOL_OPTIONS"));
    if (operatorEnv) {
      env.putAll(OPERATOR_ENV);
    }
    envChanges.forEach((k, v) -> {
      if (v == null) {
        env.remove(k);
      } else {
        env.put(k, v);
      }
    });
    try {
      return new ChildProcess(pb.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits for an output line matching {@code p}; fails with the output so far if none comes. */
  public String awaitLine(Predicate<String> p, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int seen = 0;
    synchronized (lines) {
      while (true) {
        for (; seen < lines.size(); seen++) {
          if (p.test(lines.get(seen))) {
            return lines.get(seen);
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || (!process.isAlive() && seen >= lines.size())) {
          throw new AssertionError("no matching line within " + timeout + "; output:\n" + String.join("\n", lines));
        }
        try {
          lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, 200_000_000L))));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted");
        }
      }
    }
  }

  public String awaitLine(String contains, Duration timeout) {
    return awaitLine(l -> l.contains(contains), timeout);
  }

  /**
   * A JSON log line (the child logs JSON: its output is not a terminal) as text for matching:
   * {@code <epoch ms> <LEVEL> <logger> - <message> key=value…}; other lines as they are.
   */
  static String readable(String line) {
    if (!line.startsWith("{\"timestamp\"")) {
      return line;
    }
    try {
      io.vertx.core.json.JsonObject o = new io.vertx.core.json.JsonObject(line);
      StringBuilder sb = new StringBuilder().append(o.getLong("timestamp")).append(' ').append(o.getString("level"))
          .append(' ').append(o.getString("loggerName")).append(" - ").append(o.getString("formattedMessage"));
      io.vertx.core.json.JsonArray kvp = o.getJsonArray("kvpList");
      if (kvp != null) {
        kvp.forEach(kv -> ((io.vertx.core.json.JsonObject) kv).forEach(e -> sb.append(' ').append(e.getKey())
            .append('=').append(e.getValue())));
      }
      return sb.toString();
    } catch (RuntimeException e) {
      return line;
    }
  }

  /** The output exactly as written. */
  public List<String> rawOutput() {
    synchronized (lines) {
      return List.copyOf(raw);
    }
  }

  public List<String> output() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  public String outputText() {
    return String.join("\n", output());
  }

  public int waitFor(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("process still running after " + timeout + "; output:\n" + outputText());
      }
      // let the reader drain the last lines
      synchronized (lines) {
        lines.wait(50);
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted");
    }
  }

  /** SIGTERM. (Through the handle: {@code Process.destroy()} would also close our end of its output.) */
  public void terminate() {
    process.toHandle().destroy();
  }

  /** SIGKILL. */
  public void kill() {
    process.destroyForcibly();
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Map<String, String> env(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }
}
