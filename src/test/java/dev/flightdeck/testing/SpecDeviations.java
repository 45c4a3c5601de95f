package dev.flightdeck.testing;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;

/**
 * The one place that lists where the simulator departs from machines-openapi.json, each because
 * the real API does (see ../shared/fly/API-NOTES.md). Everything else is validated against the
 * spec as it stands.
 *
 * <ol>
 *   <li>The spec uses operationId {@code Machines_update_metadata} for both PUT and PATCH; the PATCH
 *       one is renamed {@code Machines_patch_metadata} so the contract loads (API-NOTES §0).
 *   <li>Lease answers come in an envelope {@code {"status":"success","data":{…}}}, not the flat
 *       {@code Lease} schema; {@code data} is validated against {@code Lease}. Release answers
 *       {@code {"status":"success","data":{"ok":true}}}; a lease conflict on acquire answers
 *       {@code {"status":"error","message":…,"code":…}} (API-NOTES §9).
 *   <li>Error statuses the spec does not list for an operation (400, 401, 404, 408, 409, 412, 422,
 *       429, 5xx: API-NOTES §2) carry the spec's {@code ErrorResponse} body.
 *   <li>Where the spec declares a 2xx with no body, the real API still sends one: start sends
 *       {@code {"previous_state","migrated","new_host"}}, stop, suspend, restart, cordon,
 *       uncordon and delete send {@code {"ok":true}}, signal sends {@code {}} (API-NOTES §5).
 * </ol>
 */
final class SpecDeviations {

  interface Validator {
    String validate(String operationId, int status, Buffer body);
  }

  private static final Set<String> LEASE_OPS = Set.of("Machines_create_lease", "Machines_show_lease");

  /** Documented bodies for 2xx answers the spec leaves without a schema: field name → JSON type. */
  private static final Map<String, Map<String, Class<?>>> UNDECLARED_BODIES = Map.of(
      "Machines_start", Map.of("previous_state", String.class, "migrated", Boolean.class, "new_host", String.class),
      "Machines_stop", Map.of("ok", Boolean.class),
      "Machines_suspend", Map.of("ok", Boolean.class),
      "Machines_restart", Map.of("ok", Boolean.class),
      "Machines_cordon", Map.of("ok", Boolean.class),
      "Machines_uncordon", Map.of("ok", Boolean.class),
      "Machines_delete", Map.of("ok", Boolean.class),
      "Machines_signal", Map.of());

  private SpecDeviations() {}

  static void prepareContract(JsonObject spec) {
    JsonObject path = spec.getJsonObject("paths").getJsonObject("/v1/apps/{app_name}/machines/{machine_id}/metadata");
    path.getJsonObject("patch").put("operationId", "Machines_patch_metadata");
  }

  /** Returns null when the exchange conforms (with the deviations above), else what is wrong. */
  static String check(SpecConformance.Exchange e, Validator v) {
    String op = e.operationId();
    int status = e.status();
    Buffer body = e.body();

    if ("unknown".equals(op)) {
      return errorBody(body, v);
    }
    if (LEASE_OPS.contains(op) && status < 300) {
      JsonObject o = object(body);
      if (o == null || !"success".equals(o.getValue("status")) || !(o.getValue("data") instanceof JsonObject data)) {
        return "lease answer is not the {\"status\":\"success\",\"data\":{…}} envelope";
      }
      return v.validate("Machines_show_lease", 200, data.toBuffer());
    }
    if ("Machines_release_lease".equals(op) && status < 300) {
      JsonObject o = object(body);
      if (o == null || !"success".equals(o.getValue("status")) || !(o.getValue("data") instanceof JsonObject data)
          || !Boolean.TRUE.equals(data.getValue("ok"))) {
        return "release answer is not {\"status\":\"success\",\"data\":{\"ok\":true}}";
      }
      return null;
    }
    if ("Machines_create_lease".equals(op) && status == 409) {
      JsonObject o = object(body);
      if (o == null || !"error".equals(o.getValue("status")) || !(o.getValue("message") instanceof String)
          || !(o.getValue("code") instanceof String)) {
        return "lease conflict is not {\"status\":\"error\",\"message\":…,\"code\":…}";
      }
      return null;
    }
    if (status >= 400 && !SpecConformance.declaresBody(op, status)) {
      return errorBody(body, v);
    }
    if (!SpecConformance.declares(op, status)) {
      return "the spec lists no " + status + " answer for " + op;
    }
    if (status < 300 && !SpecConformance.declaresBody(op, status)) {
      if (body == null || body.length() == 0) {
        return null;
      }
      Map<String, Class<?>> shape = UNDECLARED_BODIES.get(op);
      if (shape == null) {
        return "a body where the spec declares none and no deviation is documented";
      }
      JsonObject o = object(body);
      if (o == null) {
        return "body is not a JSON object";
      }
      for (Map.Entry<String, Class<?>> f : shape.entrySet()) {
        if (!f.getValue().isInstance(o.getValue(f.getKey()))) {
          return "field " + f.getKey() + " missing or not a " + f.getValue().getSimpleName();
        }
      }
      return null;
    }
    return v.validate(op, status, body);
  }

  /** Validates an error body against the spec's ErrorResponse (by way of Apps_create's 422). */
  private static String errorBody(Buffer body, Validator v) {
    JsonObject o = object(body);
    if (o == null || !(o.getValue("error") instanceof String)) {
      return "error answer without an \"error\" text";
    }
    return v.validate("Apps_create", 422, body);
  }

  private static JsonObject object(Buffer body) {
    if (body == null || body.length() == 0) {
      return null;
    }
    Object parsed = io.vertx.core.json.Json.decodeValue(body);
    return parsed instanceof JsonObject o ? o : null;
  }

  static boolean isArray(Buffer body) {
    return body != null && io.vertx.core.json.Json.decodeValue(body) instanceof JsonArray;
  }
}
