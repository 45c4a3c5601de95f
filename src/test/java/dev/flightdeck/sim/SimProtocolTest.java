package dev.flightdeck.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.fly.ListMachinesQuery;
import dev.flightdeck.testing.SimFixture;
import dev.flightdeck.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Wire details real clients depend on: auth schemes, variant inputs, Go-style errors, headers. */
@ExtendWith(VertxExtension.class)
class SimProtocolTest {

  private SimFixture fx;
  private String id;

  @BeforeEach
  void start(Vertx vertx) {
    fx = SimFixture.manual(vertx, TestConfigs.simJson());
    fx.seed("p", 1, "started");
    id = fx.fly.listMachines("p", ListMachinesQuery.ALL).await().get(0).id();
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  private Future<HttpResponse<Buffer>> get(String path, String auth) {
    var req = fx.admin().getAbs(fx.baseUrl() + path);
    if (auth != null) {
      req.putHeader("Authorization", auth);
    }
    return req.send();
  }

  @Test
  void bearer_and_flyv1_tokens_are_accepted_and_anything_else_gets_the_real_401(VertxTestContext ctx) {
    String path = "/v1/apps/p";
    Future.all(
            get(path, "Bearer " + TestConfigs.SIM_TOKEN),
            get(path, "FlyV1 fm2_other," + TestConfigs.SIM_TOKEN),
            get(path, null),
            get(path, "Bearer wrong"))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          HttpResponse<Buffer> bearer = all.resultAt(0);
          HttpResponse<Buffer> flyv1 = all.resultAt(1);
          HttpResponse<Buffer> none = all.resultAt(2);
          HttpResponse<Buffer> wrong = all.resultAt(3);
          assertThat(bearer.statusCode()).isEqualTo(200);
          assertThat(flyv1.statusCode()).isEqualTo(200);
          assertThat(none.statusCode()).isEqualTo(401);
          assertThat(wrong.bodyAsString()).isEqualTo("{\"error\":\"Authenticate: token validation error\"}");
          assertThat(bearer.getHeader("fly-request-id")).isNotBlank();
          ctx.completeNow();
        })));
  }

  @Test
  void a_stop_body_that_is_not_an_object_gets_go_s_error_text(VertxTestContext ctx) {
    fx.raw(HttpMethod.POST, "/v1/apps/p/machines/" + id + "/stop").sendBuffer(Buffer.buffer("[]"))
        .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
          assertThat(res.statusCode()).isEqualTo(400);
          assertThat(res.bodyAsJsonObject().getString("error"))
              .isEqualTo("json: cannot unmarshal array into Go value of type main.stopRequest");
          ctx.completeNow();
        })));
  }

  @Test
  void signals_may_be_names_or_numbers_and_durations_go_strings(VertxTestContext ctx) {
    fx.raw(HttpMethod.POST, "/v1/apps/p/machines/" + id + "/stop")
        .sendJsonObject(new JsonObject().put("signal", 15).put("timeout", "1m30s"))
        .compose(ok -> {
          ctx.verify(() -> assertThat(ok.statusCode()).isEqualTo(200));
          return fx.raw(HttpMethod.POST, "/v1/apps/p/machines/" + id + "/stop")
              .sendJsonObject(new JsonObject().put("signal", "SIGNOPE"));
        })
        .compose(bad -> {
          ctx.verify(() -> assertThat(bad.statusCode()).isEqualTo(400));
          return fx.raw(HttpMethod.POST, "/v1/apps/p/machines/" + id + "/stop")
              .sendJsonObject(new JsonObject().put("timeout", "ten seconds"));
        })
        .compose(badTimeout -> {
          ctx.verify(() -> assertThat(badTimeout.statusCode()).isEqualTo(400));
          return fx.sim.journal("p", id, 0);
        })
        .onComplete(ctx.succeeding(j -> ctx.verify(() -> {
          JsonObject stop = j.getJsonArray("entries").getJsonObject(0);
          assertThat(stop.getJsonObject("detail").getString("signal")).isEqualTo("SIGTERM");
          assertThat(stop.getJsonObject("detail").getLong("timeout_ms")).isEqualTo(90_000L);
          ctx.completeNow();
        })));
  }

  @Test
  void delete_accepts_kill_like_fly_go_and_app_create_accepts_app_name(VertxTestContext ctx) {
    fx.raw(HttpMethod.DELETE, "/v1/apps/p/machines/" + id + "?kill=true").send()
        .compose(del -> {
          ctx.verify(() -> assertThat(del.statusCode()).isEqualTo(200));
          return fx.raw(HttpMethod.POST, "/v1/apps").sendJsonObject(new JsonObject().put("app_name", "docs-style")
              .put("org_slug", "personal"));
        })
        .compose(created -> {
          ctx.verify(() -> assertThat(created.statusCode()).isEqualTo(201));
          return fx.fly.getApp("docs-style");
        })
        .onComplete(ctx.succeeding(app -> ctx.verify(() -> {
          assertThat(app.name()).isEqualTo("docs-style");
          ctx.completeNow();
        })));
  }

  @Test
  void wrong_field_types_name_the_go_struct_field(VertxTestContext ctx) {
    fx.raw(HttpMethod.POST, "/v1/apps/p/machines").sendJsonObject(new JsonObject().put("config", "image: x"))
        .compose(res -> {
          ctx.verify(() -> {
            assertThat(res.statusCode()).isEqualTo(400);
            assertThat(res.bodyAsJsonObject().getString("error")).isEqualTo(
                "json: cannot unmarshal string into Go struct field createMachineRequest.config of type fly.MachineConfig");
          });
          return fx.raw(HttpMethod.GET, "/v1/apps/p/nothing-here").send();
        })
        .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
          assertThat(res.statusCode()).isEqualTo(404);
          assertThat(res.bodyAsJsonObject().getString("error")).isEqualTo("not found");
          ctx.completeNow();
        })));
  }
}
