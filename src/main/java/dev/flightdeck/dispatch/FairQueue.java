package dev.flightdeck.dispatch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Queued operations, taken in turn so a 10,000-machine job does not starve a 3-machine one:
 * highest priority first, round-robin between the jobs of one priority, and within a job
 * round-robin between its apps (its creates apart, as they share one app-wide rate bucket). A job
 * runs at most its own limit at once. A job's lane lives while any of its operations is known to
 * the dispatcher, queued here or not (running, deferred, waiting for its machine), so its place in
 * the rotation is kept. Not thread-safe.
 */
final class FairQueue {

  /** What the caller makes of the operation at the head of a queue. */
  enum Verdict {
    /** Run it: it leaves the queue. */
    TAKE,
    /** The caller put it elsewhere (waiting for its machine, or deferred): it leaves the queue. */
    MOVED,
    /** Not now, nor anything behind it in this queue: try the next one. */
    NOT_NOW
  }

  interface Judge {
    Verdict judge(OpExecution head);
  }

  private static final class Lane {
    final String jobId;
    final int priority;
    int maxConcurrent;
    int running;
    int queued;
    /** Operations of the job anywhere in the dispatcher. */
    int members;
    final LinkedHashMap<String, ArrayDeque<OpExecution>> queues = new LinkedHashMap<>();
    final ArrayDeque<String> keys = new ArrayDeque<>();

    Lane(String jobId, int priority, int maxConcurrent) {
      this.jobId = jobId;
      this.priority = priority;
      this.maxConcurrent = maxConcurrent;
    }
  }

  private final TreeMap<Integer, ArrayDeque<Lane>> rings = new TreeMap<>(Comparator.reverseOrder());
  private final Map<String, Lane> lanes = new HashMap<>();
  private int queued;

  /** A new operation: it joins its job's lane (made on first use) at the back. */
  void add(OpExecution e) {
    Lane lane = lanes.get(e.op.jobId());
    if (lane == null) {
      lane = new Lane(e.op.jobId(), e.op.priority(), Math.max(1, e.op.jobMaxConcurrent()));
      lanes.put(lane.jobId, lane);
      rings.computeIfAbsent(lane.priority, p -> new ArrayDeque<>()).addLast(lane);
    }
    lane.members++;
    enqueue(lane, e, false);
  }

  /** An operation already counted (back from waiting or a delay) goes first in its queue. */
  void putBack(OpExecution e) {
    Lane lane = lanes.get(e.op.jobId());
    if (lane == null) {
      throw new IllegalStateException("no lane for " + e.op.opId());
    }
    enqueue(lane, e, true);
  }

  private void enqueue(Lane lane, OpExecution e, boolean front) {
    String key = e.op.action() instanceof Action.Create ? e.op.app() + "#create" : e.op.app();
    ArrayDeque<OpExecution> q = lane.queues.computeIfAbsent(key, k -> new ArrayDeque<>());
    if (q.isEmpty() && !lane.keys.contains(key)) {
      lane.keys.addLast(key);
    }
    if (front) {
      q.addFirst(e);
    } else {
      q.addLast(e);
    }
    lane.queued++;
    queued++;
  }

  /**
   * The next operation to run, asking {@code judge} about each queue's head in turn; null when
   * nothing can run now. The job of the operation returned counts it as running.
   */
  OpExecution next(Judge judge) {
    for (ArrayDeque<Lane> ring : rings.values()) {
      int n = ring.size();
      for (int i = 0; i < n; i++) {
        Lane lane = ring.pollFirst();
        ring.addLast(lane);
        if (lane.queued == 0 || lane.running >= lane.maxConcurrent) {
          continue;
        }
        OpExecution e = nextOf(lane, judge);
        if (e != null) {
          lane.running++;
          return e;
        }
      }
    }
    return null;
  }

  private OpExecution nextOf(Lane lane, Judge judge) {
    int k = lane.keys.size();
    for (int j = 0; j < k; j++) {
      String key = lane.keys.pollFirst();
      ArrayDeque<OpExecution> q = lane.queues.get(key);
      if (q == null || q.isEmpty()) {
        lane.queues.remove(key);
        continue;
      }
      lane.keys.addLast(key);
      while (!q.isEmpty()) {
        Verdict v = judge.judge(q.peekFirst());
        if (v == Verdict.NOT_NOW) {
          break;
        }
        OpExecution e = q.pollFirst();
        lane.queued--;
        queued--;
        if (v == Verdict.TAKE) {
          return e;
        }
      }
    }
    return null;
  }

  /** An operation returned by {@link #next} stopped running (it may be back later, or be done). */
  void stoppedRunning(OpExecution e) {
    Lane lane = lanes.get(e.op.jobId());
    if (lane != null) {
      lane.running--;
    }
  }

  /** An operation is done for good: its job forgets it, and a job with nothing left leaves the rotation. */
  void done(OpExecution e) {
    Lane lane = lanes.get(e.op.jobId());
    if (lane == null || --lane.members > 0) {
      return;
    }
    lanes.remove(lane.jobId);
    ArrayDeque<Lane> ring = rings.get(lane.priority);
    if (ring != null) {
      ring.remove(lane);
      if (ring.isEmpty()) {
        rings.remove(lane.priority);
      }
    }
  }

  /** Removes and returns a job's queued operations (they are not done yet: call {@link #done} for each). */
  List<OpExecution> removeJob(String jobId) {
    Lane lane = lanes.get(jobId);
    List<OpExecution> out = new ArrayList<>();
    if (lane != null) {
      lane.queues.values().forEach(out::addAll);
      lane.queues.clear();
      lane.keys.clear();
      queued -= lane.queued;
      lane.queued = 0;
    }
    return out;
  }

  /** Changes a job's own limit; false when the job has nothing here. */
  boolean setMaxConcurrent(String jobId, int max) {
    Lane lane = lanes.get(jobId);
    if (lane == null) {
      return false;
    }
    lane.maxConcurrent = Math.max(1, max);
    return true;
  }

  /** Operations waiting in a lane. */
  int queued() {
    return queued;
  }

  /** Jobs in the rotation (tests). */
  int jobs() {
    return lanes.size();
  }
}
