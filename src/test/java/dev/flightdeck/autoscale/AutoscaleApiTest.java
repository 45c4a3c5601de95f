package dev.flightdeck.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.config.ConfigLoader;
import dev.flightdeck.config.FlightdeckConfig;
import dev.flightdeck.fly.ListMachinesQuery;
import dev.flightdeck.fly.Machine;
import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.store.DecisionRecord;
import dev.flightdeck.testing.ManualClocks;
import dev.flightdeck.testing.ServerFixture;
import dev.flightdeck.testing.TestConfigs;
import dev.flightdeck.time.ManualTimeSource;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Alerts in, scale jobs out: the whole server on a manual clock against the simulator. */
@ExtendWith(VertxExtension.class)
class AutoscaleApiTest {

  @TempDir
  Path dir;

  private ServerFixture fx;
  private ManualTimeSource clock;
  private Vertx vertx;
  private final List<DecisionRecord> decisions = new CopyOnWriteArrayList<>();

  private static final java.time.Duration T = java.time.Duration.ofSeconds(20);

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    clock = ManualClocks.now();
    fx = ServerFixture.start(vertx, ConfigLoader.bind(TestConfigs.serveJson(dir), FlightdeckConfig.class, ""), clock);
    fx.server.autoscaler().onDecision(decisions::add);
    // 12 machines, 6 in group worker (3 per region), all stopped; then 2 workers started
    fx.server.simulator().seed(new SimConfig.SeedApp("demo", 12, List.of("ord", "ams"), List.of("app", "worker"),
        "registry.fly.io/demo:v1", "stopped")).await();
    List<Machine> w = workers();
    fx.server.fly().startMachine("demo", w.get(0).id(), null).await();
    fx.server.fly().startMachine("demo", w.get(1).id(), null).await();
    drive(() -> started() == 2);
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  private void drive(java.util.function.Supplier<Boolean> done) {
    ManualClocks.drive(vertx, clock, done);
  }

  private List<Machine> workers() {
    return fx.server.fly().listMachines("demo", ListMachinesQuery.ALL).await().stream()
        .filter(m -> "worker".equals(m.processGroup())).toList();
  }

  private long started() {
    return workers().stream().filter(m -> m.state().equals("started")).count();
  }

  private static JsonObject policy(JsonObject extra) {
    JsonObject p = new JsonObject().put("name", "workers").put("app", "demo").put("process_group", "worker")
        .put("min", 2).put("max", 10).put("step_up", 4).put("step_down", 4)
        .put("cooldown_up_seconds", 30).put("cooldown_down_seconds", 30)
        .put("up", new JsonObject().put("alertname", "QueueDeep").put("matchers", new JsonArray().add("app=demo")))
        .put("down", new JsonObject().put("alertname", "QueueIdle").put("matchers", new JsonArray().add("app=demo")));
    extra.forEach(e -> p.put(e.getKey(), e.getValue()));
    return p;
  }

  private String createPolicy(JsonObject extra) {
    ServerFixture.Answer a = fx.post("/v1/scaling-policies", policy(extra));
    assertThat(a.status()).as(a.body().toString()).isEqualTo(201);
    return a.json().getString("id");
  }

  /** A notification like the captured one, for {@code alertname} with the given alerts' fingerprints. */
  private JsonObject notification(String alertname, String status, String... fingerprints) {
    JsonObject p = AlertPayloadTest.captured().put("status", status);
    JsonArray alerts = new JsonArray();
    JsonObject template = p.getJsonArray("alerts").getJsonObject(0);
    for (String fp : fingerprints) {
      JsonObject a = template.copy().put("status", status).put("fingerprint", fp)
          .put("startsAt", "2026-11-28T12:00:00Z");
      a.getJsonObject("labels").put("alertname", alertname).put("instance", fp);
      if (status.equals("resolved")) {
        a.put("endsAt", Instant.ofEpochMilli(clock.millis()).toString());
      }
      alerts.add(a);
    }
    p.getJsonObject("groupLabels").put("alertname", alertname);
    return p.put("alerts", alerts);
  }

  private ServerFixture.Answer notify(JsonObject payload) {
    ServerFixture.Answer a = fx.call(HttpMethod.POST, "/v1/alerts/alertmanager", payload, TestConfigs.ALERT_TOKEN,
        Map.of());
    assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
    return a;
  }

  private List<JsonObject> decisionsOf(String policyId) {
    return fx.get("/v1/scaling-policies/" + policyId + "/decisions?limit=500").json().getJsonArray("decisions")
        .stream().map(o -> (JsonObject) o).toList();
  }

  @Test
  void firing_alerts_scale_the_group_from_2_to_10_starting_before_creating_and_down_alerts_bring_it_back_to_min() {
    String id = createPolicy(new JsonObject());
    long since = fx.server.simulator().journal().await().getLong("last_seq");

    // a burst: three instances of the alert firing at once, in two notifications
    notify(notification("QueueDeep", "firing", "f1", "f2"));
    notify(notification("QueueDeep", "firing", "f1", "f2", "f3"));
    drive(() -> decisions.size() >= 2);
    assertThat(decisions.get(0).outcome()).isEqualTo("scaled");
    assertThat(decisions.get(0).current()).isEqualTo(2);
    assertThat(decisions.get(0).desired()).isEqualTo(6);
    assertThat(decisions.get(1).outcome()).as("the repeat falls in the cooldown").isEqualTo("cooldown");

    // the alert keeps firing: after each cooldown the pressure scales again, up to max
    drive(() -> started() == 10);
    List<String> actions = fx.server.simulator().journal("demo", null, since).await().getJsonArray("entries")
        .stream().map(o -> ((JsonObject) o).getString("action")).filter(a -> a.equals("start") || a.equals("create"))
        .toList();
    assertThat(actions).containsExactly("start", "start", "start", "start", "create", "create", "create", "create");
    drive(() -> decisions.stream().anyMatch(d -> d.outcome().equals("no_change")));
    assertThat(started()).as("never beyond max").isEqualTo(10);
    List<JobsSeen> jobs = jobs();
    assertThat(jobs).hasSize(2);
    assertThat(jobs).allMatch(j -> j.state().equals("succeeded") && j.submittedBy().equals("policy:workers"));

    // resolved, and the queue is idle: down by 4 per cooldown to min, and no further
    notify(notification("QueueDeep", "resolved", "f1", "f2", "f3"));
    notify(notification("QueueIdle", "firing", "i1"));
    drive(() -> started() == 2 && jobs().stream().allMatch(j -> !j.state().equals("running")
        && !j.state().equals("queued")));
    long pressureAfter = clock.millis() + 120_000;
    drive(() -> clock.millis() > pressureAfter);
    assertThat(started()).as("never below min").isEqualTo(2);
    assertThat(workers().stream().filter(m -> m.state().equals("stopped"))).hasSize(8);
    assertThat(workers().stream().filter(m -> m.config().metadata("flightdeck_op") != null)).hasSize(4)
        .as("the newest (created) machines were stopped first").allMatch(m -> m.state().equals("stopped"));
    assertThat(jobs()).hasSize(4);

    List<JsonObject> log = decisionsOf(id);
    assertThat(log).extracting(d -> d.getString("outcome")).contains("scaled", "cooldown", "no_change");
    List<JsonObject> scaled = log.stream().filter(d -> d.getString("outcome").equals("scaled")).toList();
    assertThat(scaled).extracting(d -> d.getInteger("current") + "→" + d.getInteger("desired"))
        .containsExactly("6→2", "10→6", "6→10", "2→6");
    assertThat(scaled.get(3).getJsonArray("alerts")).as("the alerts behind the first scale-up")
        .contains("f1@2026-11-28T12:00:00Z", "f2@2026-11-28T12:00:00Z");
    JsonObject p = fx.get("/v1/scaling-policies/" + id).json();
    assertThat(p.getString("last_scaled_up_at")).isNotNull();
    assertThat(p.getString("last_job_id")).isEqualTo(scaled.get(0).getString("job_id"));
  }

  private record JobsSeen(String id, String state, String submittedBy) {}

  private List<JobsSeen> jobs() {
    return fx.get("/v1/jobs?app=demo&kind=scale").json().getJsonArray("jobs").stream().map(o -> (JsonObject) o)
        .map(j -> new JobsSeen(j.getString("id"), j.getString("state"), j.getString("submitted_by"))).toList();
  }

  @Test
  void repeated_notifications_of_the_same_alert_within_the_cooldown_scale_once() {
    String id = createPolicy(new JsonObject().put("cooldown_up_seconds", 600));
    JsonObject same = notification("QueueDeep", "firing", "f1");
    for (int i = 0; i < 3; i++) {
      notify(same);
      int seen = i + 1;
      drive(() -> decisions.size() >= seen);
    }
    long later = clock.millis() + 60_000;
    drive(() -> clock.millis() > later);
    assertThat(jobs()).hasSize(1);
    // newest first: the first alert scaled; each repeat (and any re-evaluation in between, such as
    // the one when the scale job ends, whose timing the test does not control) was held by the cooldown
    List<String> outcomes = decisionsOf(id).stream().map(d -> d.getString("outcome")).toList();
    assertThat(outcomes).last().isEqualTo("scaled");
    assertThat(outcomes.subList(0, outcomes.size() - 1)).hasSizeGreaterThanOrEqualTo(2).containsOnly("cooldown");
    assertThat(decisionsOf(id)).filteredOn(d -> "alert".equals(d.getString("trigger"))).extracting(d -> d.getString(
        "outcome")).containsExactly("cooldown", "cooldown", "scaled");
    drive(() -> started() == 6);
  }

  @Test
  void a_deploy_holding_leases_makes_the_decision_wait_and_say_so() {
    String id = createPolicy(new JsonObject());
    String leased = workers().get(3).id();
    fx.server.simulator().foreignLeases("demo", List.of(leased), "deployer@example.com", 60).await();
    notify(notification("QueueDeep", "firing", "f1"));
    drive(() -> !decisions.isEmpty());
    assertThat(decisions.get(0).outcome()).isEqualTo("blocked");
    assertThat(decisions.get(0).reason()).contains("waiting for a deploy").contains(leased)
        .contains("deployer@example.com");
    assertThat(jobs()).isEmpty();
    // the deploy ends (its lease expires); the alert still fires, so the pressure scales
    drive(() -> started() == 6);
    assertThat(decisionsOf(id)).extracting(d -> d.getString("outcome")).containsSubsequence("scaled", "blocked");
  }

  @Test
  void a_manual_job_on_the_group_makes_the_decision_wait_and_its_scale_up_never_stops_machines() {
    String id = createPolicy(new JsonObject());
    // a manual start of the four stopped workers, slow to boot (the machines stay starting until the clock moves)
    fx.server.simulator().setLatency(new SimConfig.Latency(0, 0, 0, 120_000, 0, 0, 0, 0, 0)).await();
    JsonArray stopped = new JsonArray(workers().stream().filter(m -> m.state().equals("stopped")).map(Machine::id)
        .toList());
    String manual = fx.submit(new JsonObject().put("app", "demo").put("kind", "start")
        .put("target", new JsonObject().put("machine_ids", stopped)));
    fx.eventually(() -> workers().stream().filter(m -> m.state().equals("starting")).count() == 4, T,
        "the manual start under way");

    notify(notification("QueueDeep", "firing", "f1"));
    drive(() -> !decisions.isEmpty());
    // 2 started and 4 starting: deciding "2 → 6" now would act on a count about to change
    assertThat(decisions.get(0).outcome()).isEqualTo("blocked");
    assertThat(decisions.get(0).reason()).contains(manual);
    assertThat(jobs()).isEmpty();

    // the manual job brings all six up; the pressure then scales past them, and nothing was stopped
    fx.server.simulator().setLatency(new SimConfig.Latency(0, 0, 0, 0, 0, 0, 0, 0, 0)).await();
    drive(() -> started() >= 6 && !jobs().isEmpty() && jobs().stream().allMatch(j -> j.state().equals("succeeded")));
    assertThat(fx.server.simulator().stats().await().getJsonObject("requests_by_operation")
        .getLong("Machines_stop", 0L)).as("stops sent").isZero();
    assertThat(decisionsOf(id)).extracting(d -> d.getString("outcome")).contains("blocked", "scaled");
  }

  @Test
  void a_dry_run_policy_records_what_it_would_do_and_changes_nothing() {
    String id = createPolicy(new JsonObject().put("dry_run", true));
    notify(notification("QueueDeep", "firing", "f1"));
    drive(() -> !decisions.isEmpty());
    assertThat(decisions.get(0).outcome()).isEqualTo("dry_run");
    assertThat(decisions.get(0).desired()).isEqualTo(6);
    assertThat(decisionsOf(id).get(0).getString("reason")).contains("would scale up 2 → 6");
    long later = clock.millis() + 60_000;
    drive(() -> clock.millis() > later);
    assertThat(jobs()).isEmpty();
    assertThat(started()).isEqualTo(2);
  }

  @Test
  void the_receiver_takes_its_own_bearer_token_or_basic_auth_and_nothing_else() {
    createPolicy(new JsonObject().put("dry_run", true));
    JsonObject payload = notification("QueueDeep", "firing", "f1");
    assertThat(fx.call(HttpMethod.POST, "/v1/alerts/alertmanager", payload, null, Map.of()).status()).isEqualTo(401);
    assertThat(fx.call(HttpMethod.POST, "/v1/alerts/alertmanager", payload, TestConfigs.ADMIN_TOKEN, Map.of())
        .status()).as("an API token is not the receiver's token").isEqualTo(401);
    assertThat(fx.call(HttpMethod.POST, "/v1/alerts/alertmanager", payload, "wrong", Map.of()).status())
        .isEqualTo(401);
    String basic = Base64.getEncoder().encodeToString((TestConfigs.ALERT_USER + ":" + TestConfigs.ALERT_PASSWORD)
        .getBytes(StandardCharsets.UTF_8));
    String badBasic = Base64.getEncoder().encodeToString((TestConfigs.ALERT_USER + ":nope")
        .getBytes(StandardCharsets.UTF_8));
    assertThat(fx.call(HttpMethod.POST, "/v1/alerts/alertmanager", payload, null,
        Map.of("Authorization", "Basic " + badBasic)).status()).isEqualTo(401);
    assertThat(fx.server.store().firingAlerts(0).await()).as("nothing recorded without credentials").isEmpty();
    ServerFixture.Answer ok = fx.call(HttpMethod.POST, "/v1/alerts/alertmanager", payload, null,
        Map.of("Authorization", "Basic " + basic));
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.json().getInteger("recorded")).isEqualTo(1);
    assertThat(fx.server.store().firingAlerts(0).await()).hasSize(1);
  }

  @Test
  void bad_payloads_get_a_4xx_naming_the_field_and_record_nothing() {
    createPolicy(new JsonObject());
    ServerFixture.Answer malformed = fx.call(HttpMethod.POST, "/v1/alerts/alertmanager", Buffer.buffer("{\"status\":"),
        TestConfigs.ALERT_TOKEN, Map.of());
    assertThat(malformed.status()).isEqualTo(400);
    JsonObject noFp = notification("QueueDeep", "firing", "f1");
    noFp.getJsonArray("alerts").getJsonObject(0).remove("fingerprint");
    ServerFixture.Answer invalid = fx.call(HttpMethod.POST, "/v1/alerts/alertmanager", noFp, TestConfigs.ALERT_TOKEN,
        Map.of());
    assertThat(invalid.status()).isEqualTo(422);
    assertThat(invalid.error().getString("field")).isEqualTo("alerts[0].fingerprint");
    assertThat(fx.server.store().firingAlerts(0).await()).isEmpty();
    assertThat(decisions).isEmpty();
    ServerFixture.Answer badPolicy = fx.post("/v1/scaling-policies", policy(new JsonObject().put("max", 1)));
    assertThat(badPolicy.status()).isEqualTo(422);
    assertThat(badPolicy.error().getString("field")).isEqualTo("max");
    assertThat(fx.post("/v1/scaling-policies", policy(new JsonObject())).status()).as("names are unique per app")
        .isEqualTo(409);
  }

  @Test
  void policies_are_listed_replaced_and_deleted_with_their_roles_checked() {
    String id = createPolicy(new JsonObject());
    assertThat(fx.call(HttpMethod.POST, "/v1/scaling-policies", policy(new JsonObject().put("name", "other")),
        TestConfigs.READ_TOKEN, Map.of()).status()).isEqualTo(403);
    assertThat(fx.call(HttpMethod.POST, "/v1/scaling-policies", policy(new JsonObject().put("name", "other")),
        TestConfigs.WEB_WRITER_TOKEN, Map.of()).status()).as("web-writer may not touch app demo").isEqualTo(403);
    assertThat(fx.call(HttpMethod.GET, "/v1/scaling-policies/" + id, null, TestConfigs.READ_TOKEN, Map.of()).status())
        .isEqualTo(200);
    ServerFixture.Answer replaced = fx.call(HttpMethod.PUT, "/v1/scaling-policies/" + id,
        policy(new JsonObject().put("max", 20)), TestConfigs.ADMIN_TOKEN, Map.of());
    assertThat(replaced.status()).isEqualTo(200);
    assertThat(replaced.json().getInteger("max")).isEqualTo(20);
    assertThat(replaced.json().getInteger("version")).isEqualTo(2);
    assertThat(fx.get("/v1/scaling-policies?app=demo").json().getJsonArray("policies")).hasSize(1);
    assertThat(fx.call(HttpMethod.DELETE, "/v1/scaling-policies/" + id, null, TestConfigs.ADMIN_TOKEN, Map.of())
        .status()).isEqualTo(204);
    assertThat(fx.get("/v1/scaling-policies/" + id).status()).isEqualTo(404);
  }
}
