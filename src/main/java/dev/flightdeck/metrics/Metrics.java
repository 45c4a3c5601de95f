package dev.flightdeck.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Prometheus registry and the conventions every meter follows: names under
 * {@code flightdeck_}, latency as histograms with fixed buckets, and bounded label values — app
 * names only for the first {@code maxApps} apps seen (then {@code other}); never a machine or job id.
 */
public final class Metrics {

  /** Latency buckets for API calls, store operations and the like. */
  static final Duration[] LATENCY = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
      Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

  /** Buckets for whole jobs and fire lags: seconds to hours. */
  static final Duration[] LONG = {Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofMinutes(1),
      Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(3)};

  public static final String OTHER = "other";

  private final PrometheusMeterRegistry registry;
  private final int maxApps;
  private final Set<String> apps = ConcurrentHashMap.newKeySet();
  private final Map<String, MultiGauge> multiGauges = new ConcurrentHashMap<>();
  private final Map<String, Map<Tags, RowValue>> rowValues = new HashMap<>();

  public Metrics(PrometheusMeterRegistry registry, int maxApps) {
    this.registry = registry;
    this.maxApps = maxApps;
  }

  /** A registry with the JVM and process meters bound: what {@code main} hands to Vert.x and to Flightdeck. */
  public static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // two of Micrometer's own names that promtool's lint rejects: a duplicate of process_cpu_usage in ns,
    // and a gauge ending in _count
    r.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
    r.config().meterFilter(new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
      }
    });
    new JvmMemoryMetrics().bindTo(r);
    new JvmGcMetrics().bindTo(r);
    new JvmThreadMetrics().bindTo(r);
    new ClassLoaderMetrics().bindTo(r);
    new ProcessorMetrics().bindTo(r);
    new UptimeMetrics().bindTo(r);
    new FileDescriptorMetrics().bindTo(r);
    return r;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The text exposition format. */
  public String scrape() {
    return registry.scrape();
  }

  /** {@code app} as a label value: itself for the first {@code maxApps} apps seen, then {@code other}. */
  public String app(String app) {
    if (app == null) {
      return OTHER;
    }
    if (apps.contains(app)) {
      return app;
    }
    synchronized (apps) {
      if (apps.size() < maxApps) {
        apps.add(app);
        return app;
      }
    }
    return OTHER;
  }

  /**
   * Meters looked up on hot paths (every API call, every store operation): building and registering
   * one costs more than recording into it, so each (name, tags) is built once.
   */
  private final Map<List<String>, Meter> built = new java.util.concurrent.ConcurrentHashMap<>();

  private List<String> key(String name, String[] tags) {
    List<String> k = new ArrayList<>(tags.length + 1);
    k.add(name);
    k.addAll(Arrays.asList(tags));
    return k;
  }

  public Counter counter(String name, String help, String... tags) {
    return (Counter) built.computeIfAbsent(key(name, tags),
        k -> Counter.builder(name).description(help).tags(tags).register(registry));
  }

  public Timer timer(String name, String help, String... tags) {
    return (Timer) built.computeIfAbsent(key(name, tags),
        k -> Timer.builder(name).description(help).tags(tags).serviceLevelObjectives(LATENCY).register(registry));
  }

  public Timer longTimer(String name, String help, String... tags) {
    return (Timer) built.computeIfAbsent(key(name, tags),
        k -> Timer.builder(name).description(help).tags(tags).serviceLevelObjectives(LONG).register(registry));
  }

  public DistributionSummary summary(String name, String help, String... tags) {
    return (DistributionSummary) built.computeIfAbsent(key(name, tags),
        k -> DistributionSummary.builder(name).description(help).tags(tags).register(registry));
  }

  /** A labelled gauge whose rows are replaced as a whole on each {@link #setRows} (rows that vanish go). */
  public synchronized void setRows(String name, String help, List<Row> rows) {
    MultiGauge g = multiGauges.computeIfAbsent(name, n -> MultiGauge.builder(n).description(help).register(registry));
    // rows that stay keep their gauge and only change value: MultiGauge's overwrite removes and re-adds
    // every row, and a scrape in between would miss series that never went away
    Map<Tags, RowValue> before = rowValues.getOrDefault(name, Map.of());
    Map<Tags, RowValue> after = new HashMap<>();
    for (Row r : rows) {
      after.computeIfAbsent(r.tags(), t -> before.getOrDefault(t, new RowValue())).value = r.value();
    }
    if (!after.keySet().equals(before.keySet())) {
      List<MultiGauge.Row<?>> out = new ArrayList<>(after.size());
      after.forEach((tags, v) -> out.add(MultiGauge.Row.of(tags, v, RowValue::value)));
      g.register(out, false);
    }
    rowValues.put(name, after);
  }

  /** The current value of one row of a labelled gauge. */
  private static final class RowValue {
    volatile double value;

    double value() {
      return value;
    }
  }

  /** One row of a labelled gauge. */
  public record Row(Tags tags, double value) {}
}
