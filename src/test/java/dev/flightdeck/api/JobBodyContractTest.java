package dev.flightdeck.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.jobs.InvalidJobException;
import dev.flightdeck.jobs.JobSpec;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Validator;
import io.vertx.junit5.VertxExtension;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A job body without nulls is checked against openapi.yaml only when {@link JobSpec#parse} refuses
 * it ({@link ContractValidation}): that is safe only if every such body the parser accepts, the
 * contract accepts too, and if the parser refuses the others with an {@link InvalidJobException}
 * (anything else would be a 500 where the contract used to answer 400). Checked here over bodies of
 * every kind, mutated at random many times over.
 */
@ExtendWith(VertxExtension.class)
class JobBodyContractTest {

  private static final List<String> BASES = List.of(
      "{\"app\":\"web\",\"kind\":\"start\",\"target\":{\"machine_ids\":[\"m1\",\"m2\"]}}",
      "{\"app\":\"web\",\"kind\":\"stop\",\"target\":{\"process_group\":\"app\",\"region\":\"ams\"},"
          + "\"params\":{\"signal\":\"SIGTERM\",\"timeout\":\"10s\"}}",
      "{\"app\":\"web\",\"kind\":\"restart\",\"target\":{\"all\":true},\"params\":{\"force_stop\":true},"
          + "\"options\":{\"max_concurrent\":2,\"failure_policy\":\"abort\",\"abort_after\":1,\"timeout_seconds\":60,"
          + "\"lease_ttl_seconds\":30,\"priority\":5,\"dry_run\":false}}",
      "{\"app\":\"web\",\"kind\":\"suspend\",\"target\":{\"metadata\":{\"role\":\"worker\"},\"state\":\"started\"}}",
      "{\"app\":\"web\",\"kind\":\"destroy\",\"target\":{\"machine_ids\":[\"m1\"]},\"params\":{\"force\":true}}",
      "{\"app\":\"web\",\"kind\":\"update\",\"target\":{\"all\":true},\"params\":{\"image\":\"nginx:2\","
          + "\"max_unavailable\":0.5}}",
      "{\"app\":\"web\",\"kind\":\"create\",\"params\":{\"count\":2,\"config\":{\"image\":\"nginx\"},"
          + "\"regions\":[\"ams\",\"fra\"]}}",
      "{\"app\":\"web\",\"kind\":\"scale\",\"params\":{\"process_group\":\"app\",\"count\":3,\"down_action\":\"stop\","
          + "\"prefer\":\"oldest\"}}",
      "{\"app\":\"web\",\"kind\":\"run\",\"params\":{\"count\":1,\"config\":{\"image\":\"busybox\"},"
          + "\"success_exit_codes\":[0,3],\"allow_failure\":true}}");

  private static final List<Object> VALUES = List.of(true, false, 0, -1, 1, 2, 3, 100, 101, -100, -101, 1.5, 2.0, "",
      "x", "web", "WEB", "-web", "a".repeat(70), "10s", "abort", "continue", "stop", "SIGKILL", "start",
      new JsonArray(), new JsonArray().add("a"), new JsonArray().add(1), new JsonObject(),
      new JsonObject().put("a", "b"), new JsonObject().put("a", 1), new JsonObject().put("image", "nginx"));

  private static final List<String> KEYS = List.of("app", "kind", "target", "params", "options", "machine_ids",
      "process_group", "region", "state", "metadata", "all", "max_concurrent", "failure_policy", "abort_after",
      "timeout_seconds", "lease_ttl_seconds", "priority", "dry_run", "count", "config", "image", "signal", "timeout",
      "force", "force_stop", "surprise");

  @Test
  void every_job_body_without_nulls_the_parser_accepts_the_contract_accepts_too(Vertx vertx) {
    PrebuiltValidators c = new PrebuiltValidators(OpenAPIContract.from(vertx, OpenApiSpec.forRouting()).await());
    Validator contract = c.getSchemaRepository().validator(
        c.operation("submitJob").getRequestBody().getContent().get("application/json").getSchema());
    Random rnd = new Random(20261205);
    int accepted = 0;
    int refusedByBoth = 0;
    int withNulls = 0;
    List<String> onlyTheParserAccepted = new ArrayList<>();
    for (String base : BASES) {
      JsonObject body = new JsonObject(base);
      assertThat(contract.validate(body).getValid()).as(base).isTrue();
      assertThat(JobSpec.parse(body.copy(), 3600)).as(base).isNotNull();
    }
    for (int i = 0; i < 30_000; i++) {
      JsonObject body = new JsonObject(BASES.get(rnd.nextInt(BASES.size())));
      for (int m = 1 + rnd.nextInt(3); m > 0; m--) {
        mutate(body, rnd);
      }
      if (ContractValidation.hasNull(body)) {
        withNulls++; // validated up front, as every other body
        continue;
      }
      boolean parserAccepts;
      try {
        JobSpec.parse(body.copy(), 3600);
        parserAccepts = true;
      } catch (InvalidJobException refused) {
        parserAccepts = false;
      }
      boolean contractAccepts = contract.validate(body).getValid();
      if (parserAccepts) {
        accepted++;
        if (!contractAccepts) {
          onlyTheParserAccepted.add(body.encode());
        }
      } else if (!contractAccepts) {
        refusedByBoth++;
      }
    }
    assertThat(onlyTheParserAccepted).as("bodies JobSpec.parse accepts and openapi.yaml refuses").isEmpty();
    // the mutations must reach both sides of the line for the check to mean anything
    assertThat(accepted).isGreaterThan(3_000);
    assertThat(refusedByBoth).isGreaterThan(3_000);
    assertThat(withNulls).as("bodies with a null are left out of the fast path").isGreaterThan(1_000);
  }

  @Test
  void a_null_anywhere_is_found() {
    assertThat(ContractValidation.hasNull(new JsonObject("{\"a\":{\"b\":[1,{\"c\":null}]}}"))).isTrue();
    assertThat(ContractValidation.hasNull(new JsonObject("{\"a\":{\"b\":[1,{\"c\":2}]}}"))).isFalse();
    assertThat(ContractValidation.hasNull(new JsonObject("{\"a\":[null]}"))).isTrue();
  }

  /** Sets, removes or adds one key somewhere in the body (top level, target, params or options). */
  private static void mutate(JsonObject body, Random rnd) {
    JsonObject at = body;
    String[] nested = {"target", "params", "options", "params.config", "target.metadata"};
    int where = rnd.nextInt(nested.length + 2);
    if (where < nested.length) {
      for (String part : nested[where].split("\\.")) {
        Object o = at.getValue(part);
        if (!(o instanceof JsonObject j)) {
          break;
        }
        at = j;
      }
    }
    String key = KEYS.get(rnd.nextInt(KEYS.size()));
    switch (rnd.nextInt(4)) {
      case 0 -> at.remove(key);
      case 1 -> at.putNull(key);
      default -> {
        Object v = VALUES.get(rnd.nextInt(VALUES.size()));
        at.put(key, v instanceof JsonObject j ? j.copy() : v instanceof JsonArray a ? a.copy() : v);
      }
    }
  }
}
