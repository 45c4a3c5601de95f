package dev.flightdeck.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.api.Authenticator;
import dev.flightdeck.testing.Postgres;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several instances on one PostgreSQL, each with its own data directory (its own volume on Fly):
 * one token, configured on every instance by its hash, works on all of them; without configured
 * tokens each instance generates its own, which the others refuse, and says so at start.
 */
class MultiInstanceAuthIT {

  private static final String SHARED = "fd_shared_ops_token_for_every_instance";

  @TempDir
  Path dir;

  private final String schema = Postgres.freshSchema();

  @AfterEach
  void drop() {
    Postgres.drop(schema);
  }

  /** PostgreSQL, this instance's own data directory, and the given tokens in the config file. */
  private JsonObject instance(String name, JsonArray tokens) {
    return new JsonObject()
        .put("store", new JsonObject().put("url", Postgres.URL).put("schema", schema)
            .put("data_dir", dir.resolve("data-" + name).toString()))
        .put("auth", new JsonObject().put("tokens", tokens));
  }

  @Test
  void one_token_configured_by_its_hash_on_every_instance_works_on_all_of_them() throws Exception {
    // as on Fly: fly secrets set FLIGHTDECK_AUTH__TOKENS='[…]' reaches every machine of the app
    String tokens = new JsonArray().add(new JsonObject().put("name", "ops").put("role", "admin")
        .put("apps", new JsonArray().add("*")).put("token_sha256", Authenticator.sha256(SHARED))).encode();
    Map<String, String> env = Map.of("FLIGHTDECK_AUTH__TOKENS", tokens);
    try (ProcessCluster c = new ProcessCluster(dir)) {
      c.startSim();
      ProcessCluster.Instance a = c.startInstance("alpha", instance("alpha", new JsonArray()), env);
      ProcessCluster.Instance b = c.startInstance("beta", instance("beta", new JsonArray()), env);

      JsonObject job = c.call(a, "POST", "/v1/jobs", new JsonObject().put("app", "demo").put("kind", "start")
          .put("target", new JsonObject().put("process_group", "worker")), SHARED, Map.of());
      assertThat(job.getInteger("_status")).as(job.encode()).isEqualTo(201);
      assertThat(job.getString("submitted_by")).isEqualTo("ops");
      JsonObject seen = c.call(b, "GET", "/v1/jobs/" + job.getString("id"), null, SHARED, Map.of());
      assertThat(seen.getInteger("_status")).as("the other instance accepts the same token").isEqualTo(200);
      assertThat(seen.getString("id")).isEqualTo(job.getString("id"));
      assertThat(c.call(b, "GET", "/v1/jobs", null, "fd_some_other_token", Map.of()).getInteger("_status"))
          .isEqualTo(401);

      for (ProcessCluster.Instance i : new ProcessCluster.Instance[] {a, b}) {
        assertThat(dir.resolve("data-" + i.name()).resolve("api-token")).as("no token generated").doesNotExist();
        assertThat(i.process().outputText()).doesNotContain("auth.tokens is empty").doesNotContain(SHARED);
      }
    }
  }

  @Test
  void without_configured_tokens_each_instance_generates_its_own_and_warns_that_others_refuse_it()
      throws Exception {
    try (ProcessCluster c = new ProcessCluster(dir)) {
      c.startSim();
      ProcessCluster.Instance a = c.startInstance("alpha", instance("alpha", new JsonArray()));
      ProcessCluster.Instance b = c.startInstance("beta", instance("beta", new JsonArray()));
      String tokenA = Files.readString(dir.resolve("data-alpha").resolve("api-token")).strip();
      String tokenB = Files.readString(dir.resolve("data-beta").resolve("api-token")).strip();
      assertThat(tokenA).isNotEqualTo(tokenB);
      assertThat(c.call(a, "GET", "/v1/jobs", null, tokenA, Map.of()).getInteger("_status")).isEqualTo(200);
      assertThat(c.call(b, "GET", "/v1/jobs", null, tokenA, Map.of()).getInteger("_status")).isEqualTo(401);
      for (ProcessCluster.Instance i : new ProcessCluster.Instance[] {a, b}) {
        assertThat(i.process().outputText()).contains("auth.tokens is empty")
            .contains("FLIGHTDECK_AUTH__TOKENS");
      }
    }
  }
}
