package dev.flightdeck.jobs;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * How many jobs this instance runs, in all and per app, counted under a lock: claims take slots on
 * the engine context, while a submit on an API event loop may take one directly and store its job
 * already claimed ({@link #tryDirect}). A claim holds the slots it asks for until it is answered, so
 * the two never take the same free slot.
 */
final class RunSlots {

  private final int max;
  private final int maxPerApp;
  private int used;
  private final Map<String, Integer> perApp = new HashMap<>();
  /** The direct way is open: the last claim left nothing queued behind and the store answers. */
  private boolean open;
  /** Slots held by the claim in flight (it may fill them all). */
  private int claimHeld;
  /** Direct submits whose insert has not answered yet. */
  private int pendingDirect;
  /** Bumped when a direct submit begins and when it is answered (see {@link #quietSince}). */
  private long directGeneration;

  RunSlots(int max, int maxPerApp) {
    this.max = max;
    this.maxPerApp = maxPerApp;
  }

  /** A slot for a job of {@code app} submitted here, to be stored claimed; false: store it queued. */
  synchronized boolean tryDirect(String app) {
    if (!open || used >= max || perApp.getOrDefault(app, 0) >= maxPerApp) {
      return false;
    }
    take(app);
    pendingDirect++;
    directGeneration++;
    return true;
  }

  /** A direct submit's insert answered; {@code keep}: its job runs here, else its slot is free again. */
  synchronized void directAnswered(String app, boolean keep) {
    pendingDirect--;
    directGeneration++;
    if (!keep) {
      give(app);
    }
  }

  synchronized void open(boolean open) {
    this.open = open;
  }

  /**
   * Begins a claim of at most {@code batch} jobs: holds as many free slots as it may fill until
   * {@link #endClaim}, and returns that number. The claimed jobs then {@link #take} theirs.
   */
  synchronized int beginClaim(int batch) {
    claimHeld = Math.max(0, Math.min(batch, max - used));
    used += claimHeld;
    return claimHeld;
  }

  synchronized void endClaim() {
    used -= claimHeld;
    claimHeld = 0;
  }

  /** Apps at their cap: a claim leaves their jobs queued. */
  synchronized Set<String> fullApps() {
    Set<String> full = new HashSet<>();
    perApp.forEach((app, n) -> {
      if (n >= maxPerApp) {
        full.add(app);
      }
    });
    return full;
  }

  synchronized void take(String app) {
    used++;
    perApp.merge(app, 1, Integer::sum);
  }

  synchronized void give(String app) {
    used--;
    perApp.computeIfPresent(app, (a, n) -> n > 1 ? n - 1 : null);
  }

  synchronized int pendingDirect() {
    return pendingDirect;
  }

  /** A mark to compare with later: equal and nothing pending means no direct submit began or ended between. */
  synchronized long quietMark() {
    return pendingDirect > 0 ? -1 : directGeneration;
  }

  synchronized boolean quietSince(long mark) {
    return mark >= 0 && pendingDirect == 0 && directGeneration == mark;
  }
}
