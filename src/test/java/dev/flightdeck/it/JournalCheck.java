package dev.flightdeck.it;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the simulator's journal (every app, in order) and says which job sent each mutation: the
 * one whose lease the machine held (Flightdeck's lease description names the job), or, for a
 * create, the job in the machine's slot tag. Then it finds what must never happen:
 * <ul>
 *   <li>an action sent twice to one machine by one job (any kind: two stops, two restarts, …);
 *   <li>an action sent to a machine already where it would take it (a stop to a stopped machine);
 *   <li>a slot created twice;
 *   <li>a cancelled job acting after it ended;
 *   <li>a scale-up stopping, suspending or destroying, and a scale-down starting or creating.
 * </ul>
 */
final class JournalCheck {

  /** Actions that change a machine, as the journal names them. */
  static final Set<String> MUTATIONS = Set.of("start", "stop", "suspend", "restart", "update", "destroy");
  private static final Pattern LEASE_JOB = Pattern.compile("^flightdeck .* job (\\S+) op \\S+$");
  /** The states in which an action has nothing left to do. */
  private static final Map<String, Set<String>> ALREADY = Map.of(
      "start", Set.of("started"),
      "stop", Set.of("stopped", "destroyed"),
      "suspend", Set.of("suspended"),
      "destroy", Set.of("destroyed"));

  /** One broken rule, with the journal entries that show it. */
  record Finding(String rule, String jobId, String machineId, List<JsonObject> entries) {
    @Override
    public String toString() {
      StringBuilder b = new StringBuilder("\n").append(rule).append(": job ").append(jobId).append(", machine ")
          .append(machineId);
      entries.forEach(e -> b.append("\n    ").append(e.encode()));
      return b.toString();
    }
  }

  private final List<Finding> findings = new ArrayList<>();
  /** (job, machine, action) → the entries, in journal order. */
  private final Map<String, List<JsonObject>> sent = new LinkedHashMap<>();
  private final Map<String, List<JsonObject>> createsBySlot = new LinkedHashMap<>();
  private final Map<String, List<JsonObject>> byJob = new HashMap<>();
  private int mutations;

  /**
   * {@code journal}: every entry of every app, in sequence order. {@code cancelledAt}: when each
   * cancelled job ended (epoch ms). {@code direction}: "up" or "down" for scale jobs that carry one.
   */
  JournalCheck(List<JsonObject> journal, Map<String, Long> cancelledAt, Map<String, String> direction) {
    Map<String, String> holder = new HashMap<>();
    for (JsonObject e : journal) {
      String action = e.getString("action");
      String machine = e.getString("machine_id");
      String job = null;
      switch (action) {
        case "lease_acquire" -> {
          JsonObject d = e.getJsonObject("detail", new JsonObject());
          Matcher m = LEASE_JOB.matcher(d.getString("description", ""));
          job = m.matches() ? m.group(1) : null;
          if (job == null) {
            holder.remove(machine);
          } else {
            holder.put(machine, job);
          }
        }
        case "lease_release" -> {
          job = holder.remove(machine);
        }
        case "create" -> {
          String tag = e.getJsonObject("detail", new JsonObject()).getJsonObject("metadata", new JsonObject())
              .getString("flightdeck_op");
          if (tag != null) {
            job = tag.substring(0, tag.indexOf('/'));
            createsBySlot.computeIfAbsent(tag, k -> new ArrayList<>()).add(e);
            holder.put(machine, job);
          }
          mutations++;
        }
        default -> {
          if (MUTATIONS.contains(action)) {
            mutations++;
            job = e.getBoolean("with_lease", false) ? holder.get(machine) : null;
            if (job != null) {
              sent.computeIfAbsent(job + " " + machine + " " + action, k -> new ArrayList<>()).add(e);
              Set<String> already = ALREADY.get(action);
              if (already != null && already.contains(e.getString("state_before"))) {
                findings.add(new Finding(action + " sent to a machine already " + e.getString("state_before"), job,
                    machine, List.of(e)));
              }
            }
          }
        }
      }
      if (job != null) {
        byJob.computeIfAbsent(job, k -> new ArrayList<>()).add(e);
      }
    }
    sent.forEach((key, entries) -> {
      if (entries.size() > 1) {
        String[] k = key.split(" ");
        findings.add(new Finding(k[2] + " sent " + entries.size() + " times by one job", k[0], k[1], entries));
      }
    });
    createsBySlot.forEach((tag, entries) -> {
      if (entries.size() > 1) {
        findings.add(new Finding("slot created " + entries.size() + " times", tag, null, entries));
      }
    });
    cancelledAt.forEach((job, endedAt) -> {
      for (JsonObject e : byJob.getOrDefault(job, List.of())) {
        String action = e.getString("action");
        if (e.getLong("at") > endedAt && (MUTATIONS.contains(action) || action.equals("create")
            || action.equals("lease_acquire"))) {
          findings.add(new Finding(action + " after the job was cancelled (ended at " + endedAt + ")", job,
              e.getString("machine_id"), List.of(e)));
        }
      }
    });
    direction.forEach((job, way) -> {
      Set<String> against = way.equals("up") ? Set.of("stop", "suspend", "destroy") : Set.of("start", "create");
      for (JsonObject e : byJob.getOrDefault(job, List.of())) {
        if (against.contains(e.getString("action"))) {
          findings.add(new Finding("a scale " + way + " sent " + e.getString("action"), job,
              e.getString("machine_id"), List.of(e)));
        }
      }
    });
  }

  List<Finding> findings() {
    return findings;
  }

  /** Repeated or needless actions and repeated creates: the "duplicates" column. */
  long duplicates() {
    return findings.stream().filter(f -> f.rule().contains("times") || f.rule().contains("already")).count();
  }

  /** Mutations and creates in the journal. */
  int mutations() {
    return mutations;
  }

  /** Journal entries attributed to {@code job}, in order. */
  List<JsonObject> of(String job) {
    return byJob.getOrDefault(job, List.of());
  }
}
