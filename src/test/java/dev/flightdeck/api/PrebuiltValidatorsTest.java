package dev.flightdeck.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.Validator;
import io.vertx.junit5.VertxExtension;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every request body and parameter schema of openapi.yaml gets one validator, built once and reused. */
@ExtendWith(VertxExtension.class)
class PrebuiltValidatorsTest {

  private static PrebuiltValidators contract(Vertx vertx) {
    return new PrebuiltValidators(OpenAPIContract.from(vertx, OpenApiSpec.forRouting()).await());
  }

  @Test
  void every_operations_body_and_parameter_schema_has_one_validator_reused_on_every_call(Vertx vertx) {
    PrebuiltValidators c = contract(vertx);
    int schemas = 0;
    for (Operation op : c.operations()) {
      for (var p : op.getParameters()) {
        assertThat(c.getSchemaRepository().validator(p.getSchema()))
            .as("%s parameter %s", op.getOperationId(), p.getName())
            .isSameAs(c.getSchemaRepository().validator(p.getSchema()));
        schemas++;
      }
      if (op.getRequestBody() != null) {
        for (var m : op.getRequestBody().getContent().values()) {
          assertThat(c.getSchemaRepository().validator(m.getSchema())).as("%s body", op.getOperationId())
              .isSameAs(c.getSchemaRepository().validator(m.getSchema()));
          schemas++;
        }
      }
    }
    assertThat(schemas).isGreaterThan(20);
  }

  @Test
  void a_reused_validator_still_judges_each_job_on_its_own(Vertx vertx) {
    PrebuiltValidators c = contract(vertx);
    JsonSchema body = c.operation("submitJob").getRequestBody().getContent().get("application/json").getSchema();
    Validator v = c.getSchemaRepository().validator(body);
    JsonObject good = new JsonObject("{\"app\":\"web\",\"kind\":\"start\",\"target\":{\"all\":true}}");
    JsonObject bad = good.copy().put("surprise", 1);
    assertThat(v.validate(good).getValid()).isTrue();
    assertThat(v.validate(bad).getValid()).isFalse();
    assertThat(v.validate(good).getValid()).as("no state left by the refusal").isTrue();
  }
}
