package dev.flightdeck.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How much of a JVM's CPU its JIT compiler threads used between two readings, read per thread from
 * /proc: the warm-up runs until this is small, so that what is measured is compiled code rather than
 * the compiler. A compiler thread that exits between two readings takes its CPU with it (HotSpot
 * stops idle compiler threads), so the share can only be underestimated by what such a thread did
 * after the first reading; the warm-up's cap bounds the cost of that.
 */
final class JitMeter {

  private static final long NS_PER_TICK = 10_000_000L; // USER_HZ is 100 on Linux

  private final Map<Long, Map<Long, Long>> jitByPid;
  private final Map<Long, Long> totalByPid;

  private JitMeter(Map<Long, Map<Long, Long>> jitByPid, Map<Long, Long> totalByPid) {
    this.jitByPid = jitByPid;
    this.totalByPid = totalByPid;
  }

  static JitMeter read(List<ProcessHandle> processes) {
    Map<Long, Map<Long, Long>> jit = new HashMap<>();
    Map<Long, Long> total = new HashMap<>();
    for (ProcessHandle h : processes) {
      total.put(h.pid(), h.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L));
      jit.put(h.pid(), compilerThreads(h.pid()));
    }
    return new JitMeter(jit, total);
  }

  /** The largest share, over the processes, of CPU spent compiling since {@code before} (0 to 1). */
  double maxShareSince(JitMeter before) {
    double max = 0;
    for (var e : totalByPid.entrySet()) {
      long cpu = e.getValue() - before.totalByPid.getOrDefault(e.getKey(), 0L);
      if (cpu <= 0) {
        continue;
      }
      Map<Long, Long> was = before.jitByPid.getOrDefault(e.getKey(), Map.of());
      long jit = 0;
      for (var t : jitByPid.getOrDefault(e.getKey(), Map.of()).entrySet()) {
        jit += t.getValue() - was.getOrDefault(t.getKey(), 0L);
      }
      max = Math.max(max, (double) jit / cpu);
    }
    return max;
  }

  /** CPU (ns) of each of the process's JIT compiler threads ("C1 CompilerThre", "C2 CompilerThre"). */
  private static Map<Long, Long> compilerThreads(long pid) {
    Map<Long, Long> out = new HashMap<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path t : tasks) {
        try {
          if (!Files.readString(t.resolve("comm")).contains("CompilerThre")) {
            continue;
          }
          String stat = Files.readString(t.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          out.put(Long.parseLong(t.getFileName().toString()),
              (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NS_PER_TICK);
        } catch (IOException | RuntimeException gone) {
          // the thread ended while it was read
        }
      }
    } catch (IOException noProc) {
      // no /proc (not Linux) or the process ended: nothing to count
    }
    return out;
  }
}
