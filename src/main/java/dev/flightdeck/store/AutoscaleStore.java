package dev.flightdeck.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Scaling policies, the alerts Alertmanager reported, and the decisions taken. */
public interface AutoscaleStore {

  /** Stores a policy; false if its app already has a policy of that name. */
  Future<Boolean> createPolicy(PolicyRecord p);

  Future<PolicyRecord> getPolicy(String id);

  Future<Page<PolicyRecord>> listPolicies(JobFilter filter, String cursor, int limit);

  /** Up to {@code limit} jobs of {@code app} that are queued or running, oldest first (what a decision waits for). */
  Future<List<JobRecord>> activeJobs(String app, int limit);

  /** Every policy (the autoscaler's evaluation pass). */
  Future<List<PolicyRecord>> allPolicies();

  Future<ScheduleStore.Replaced> replacePolicy(String id, String name, JsonObject spec, long now);

  Future<Boolean> deletePolicy(String id);

  /**
   * Records the alerts of one notification in one transaction: a firing alert is inserted or
   * refreshed (last seen now), a resolved one marked resolved.
   */
  Future<Void> recordAlerts(List<StoredAlert> alerts, long now);

  /** Alerts firing and seen since {@code seenSince}. */
  Future<List<StoredAlert>> firingAlerts(long seenSince);

  /** Deletes resolved alerts and alerts not seen since {@code seenBefore}. */
  Future<Integer> pruneAlerts(long seenBefore);

  /**
   * Decides for one policy in one transaction: the policy row is locked (other instances wait or
   * skip), {@code maker} sees it and the state of the job it last submitted, and what it returns
   * is stored: the decision (if it is to be recorded), the job (if any), the policy's cooldown
   * state. Decisions beyond {@code keepDecisions} per policy are pruned. Null if the policy is gone.
   */
  Future<DecisionRecord> decide(String policyId, int keepDecisions, DecisionMaker maker);

  /** Pure: what a policy's locked row and its last job's state (null: none or gone) turn into. */
  @FunctionalInterface
  interface DecisionMaker {
    Outcome decide(PolicyRecord policy, String lastJobState);
  }

  /**
   * What to store: {@code decision} (null: nothing recorded), {@code job} (null: none submitted),
   * and the policy's new cooldown state.
   */
  record Outcome(DecisionRecord decision, boolean record, NewJob job, Long lastUpAt, Long lastDownAt,
      String lastOutcome) {}

  /** The policy's decisions, newest first. */
  Future<List<DecisionRecord>> decisions(String policyId, int limit);
}
