package dev.flightdeck.api;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * The job API's contract, {@code openapi.yaml} in the jar: served as it is at {@code /openapi.yaml},
 * and the model every request is validated against.
 */
public final class OpenApiSpec {

  public static final String RESOURCE = "openapi.yaml";
  private static final String EVENTS_PATH = "/v1/jobs/{id}/events";

  private OpenApiSpec() {}

  /**
   * The contract as JSON. vertx-openapi refuses a {@code text/event-stream} response (it supports a
   * fixed list of media types), so the one event stream's answer is modelled as {@code text/plain};
   * answers are not validated at run time, requests are, and that endpoint takes no body.
   */
  @SuppressWarnings("unchecked")
  public static JsonObject json() {
    String text = ApiVerticle.resource(RESOURCE).toString();
    Map<String, Object> map = new org.yaml.snakeyaml.Yaml().load(text);
    JsonObject json = new JsonObject(Json.encode(map));
    JsonObject content = json.getJsonObject("paths").getJsonObject(EVENTS_PATH).getJsonObject("get")
        .getJsonObject("responses").getJsonObject("200").getJsonObject("content");
    content.put("text/plain", content.remove("text/event-stream"));
    return json;
  }

  /**
   * The contract the router is built from: {@link #json()} without its {@code security} sections.
   * Credentials are checked before a body is read (an unauthenticated client cannot make the server
   * buffer one), which per-operation security handlers, running after the shared body handler, cannot
   * do; and vertx-web-openapi-router has no handler kind for an opaque bearer token.
   */
  static JsonObject forRouting() {
    JsonObject json = json();
    json.remove("security");
    for (String path : json.getJsonObject("paths").fieldNames()) {
      JsonObject item = json.getJsonObject("paths").getJsonObject(path);
      item.forEach(e -> {
        if (e.getValue() instanceof JsonObject op) {
          op.remove("security");
        }
      });
    }
    return json;
  }
}
