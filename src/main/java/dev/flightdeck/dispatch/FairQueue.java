package dev.flightdeck.dispatch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Queued operations, taken in turn: highest priority first, then round-robin between apps (an
 * app's creates apart, as they share one app-wide rate bucket), and within an app round-robin
 * between its jobs, so a 10,000-machine job does not starve a 3-machine one, and one app's backlog
 * does not hold up another app. A job runs at most its own limit at once. A job's lane lives while
 * any of its operations is known to the dispatcher, queued here or not (running, deferred, waiting
 * for its machine). Only queues holding operations are visited, and a queue whose head must wait
 * (its app at its limit, its create bucket empty) is passed over whole: taking the next operation
 * costs one step per app, however many jobs are queued (it was one step per job, and the scan over
 * thousands of one-machine jobs was a tenth of Flightdeck's CPU). Not thread-safe.
 */
final class FairQueue {

  /** What the caller makes of the operation at the head of a queue. */
  enum Verdict {
    /** Run it: it leaves the queue. */
    TAKE,
    /** The caller put it elsewhere (waiting for its machine, or deferred): it leaves the queue. */
    MOVED,
    /** Not now, nor anything else queued for the same app (or the same app's creates): try the next app. */
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
    /** The job's queued operations per app key; a key is here only while it holds some. */
    final Map<String, ArrayDeque<OpExecution>> queues = new HashMap<>(4);

    Lane(String jobId, int priority, int maxConcurrent) {
      this.jobId = jobId;
      this.priority = priority;
      this.maxConcurrent = maxConcurrent;
    }
  }

  /** One app key at one priority: the jobs with operations queued for it, in turn. */
  private static final class AppQueue {
    final String key;
    final ArrayDeque<Lane> lanes = new ArrayDeque<>();

    AppQueue(String key) {
      this.key = key;
    }
  }

  /** One priority: the app keys with operations queued, in turn. */
  private static final class Level {
    final ArrayDeque<AppQueue> ring = new ArrayDeque<>();
    final Map<String, AppQueue> apps = new HashMap<>();
  }

  private final TreeMap<Integer, Level> levels = new TreeMap<>(Comparator.reverseOrder());
  private final Map<String, Lane> lanes = new HashMap<>();
  private int queued;

  /** A new operation: it joins its job's lane (made on first use) at the back. */
  void add(OpExecution e) {
    Lane lane = lanes.get(e.op.jobId());
    if (lane == null) {
      lane = new Lane(e.op.jobId(), e.op.priority(), Math.max(1, e.op.jobMaxConcurrent()));
      lanes.put(lane.jobId, lane);
    }
    lane.members++;
    enqueue(lane, e, false);
  }

  /** An operation already counted (back from waiting or a delay) goes first in its queue, and its job first in its app. */
  void putBack(OpExecution e) {
    Lane lane = lanes.get(e.op.jobId());
    if (lane == null) {
      throw new IllegalStateException("no lane for " + e.op.opId());
    }
    enqueue(lane, e, true);
  }

  private static String keyOf(OpExecution e) {
    return e.op.action() instanceof Action.Create ? e.op.app() + "#create" : e.op.app();
  }

  private void enqueue(Lane lane, OpExecution e, boolean front) {
    String key = keyOf(e);
    ArrayDeque<OpExecution> q = lane.queues.get(key);
    if (q == null) {
      q = new ArrayDeque<>(2);
      lane.queues.put(key, q);
      Level level = levels.computeIfAbsent(lane.priority, p -> new Level());
      AppQueue app = level.apps.get(key);
      if (app == null) {
        app = new AppQueue(key);
        level.apps.put(key, app);
        level.ring.addLast(app);
      }
      if (front) {
        app.lanes.addFirst(lane);
      } else {
        app.lanes.addLast(lane);
      }
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
   * The next operation to run, asking {@code judge} about queue heads in turn; null when nothing
   * can run now. The job of the operation returned counts it as running.
   */
  OpExecution next(Judge judge) {
    for (Iterator<Level> levelIt = levels.values().iterator(); levelIt.hasNext(); ) {
      Level level = levelIt.next();
      int n = level.ring.size();
      for (int i = 0; i < n; i++) {
        AppQueue app = level.ring.pollFirst();
        OpExecution e = nextOf(app, judge);
        if (app.lanes.isEmpty()) {
          level.apps.remove(app.key);
        } else {
          level.ring.addLast(app);
        }
        if (e != null) {
          return e;
        }
      }
      if (level.ring.isEmpty()) {
        levelIt.remove();
      }
    }
    return null;
  }

  private OpExecution nextOf(AppQueue app, Judge judge) {
    int m = app.lanes.size();
    for (int j = 0; j < m; j++) {
      Lane lane = app.lanes.pollFirst();
      if (lane.running >= lane.maxConcurrent) {
        app.lanes.addLast(lane);
        continue;
      }
      ArrayDeque<OpExecution> q = lane.queues.get(app.key);
      while (!q.isEmpty()) {
        Verdict v = judge.judge(q.peekFirst());
        if (v == Verdict.NOT_NOW) {
          app.lanes.addFirst(lane); // it keeps its turn for when the app may go on
          return null;
        }
        OpExecution e = q.pollFirst();
        lane.queued--;
        queued--;
        if (v == Verdict.TAKE) {
          if (q.isEmpty()) {
            lane.queues.remove(app.key);
          } else {
            app.lanes.addLast(lane);
          }
          lane.running++;
          return e;
        }
      }
      lane.queues.remove(app.key); // everything it had here was moved elsewhere
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

  /** An operation is done for good: its job forgets it, and a job with nothing left leaves. */
  void done(OpExecution e) {
    Lane lane = lanes.get(e.op.jobId());
    if (lane != null && --lane.members <= 0) {
      lanes.remove(lane.jobId);
    }
  }

  /** Removes and returns a job's queued operations (they are not done yet: call {@link #done} for each). */
  List<OpExecution> removeJob(String jobId) {
    Lane lane = lanes.get(jobId);
    List<OpExecution> out = new ArrayList<>();
    if (lane == null) {
      return out;
    }
    Level level = levels.get(lane.priority);
    for (var q : lane.queues.entrySet()) {
      out.addAll(q.getValue());
      AppQueue app = level == null ? null : level.apps.get(q.getKey());
      if (app != null) {
        app.lanes.remove(lane);
        if (app.lanes.isEmpty()) {
          level.apps.remove(app.key);
          level.ring.remove(app);
        }
      }
    }
    if (level != null && level.ring.isEmpty()) {
      levels.remove(lane.priority);
    }
    lane.queues.clear();
    queued -= lane.queued;
    lane.queued = 0;
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

  /** Jobs known here (tests). */
  int jobs() {
    return lanes.size();
  }
}
