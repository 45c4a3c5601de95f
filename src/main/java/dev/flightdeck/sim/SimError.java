package dev.flightdeck.sim;

import io.vertx.core.json.JsonObject;

/** An API error answer: status plus the JSON body the real API would send. */
final class SimError extends RuntimeException {

  final int status;
  final JsonObject body;

  SimError(int status, JsonObject body) {
    super(body.encode(), null, false, false);
    this.status = status;
    this.body = body;
  }

  static SimError of(int status, String error) {
    return new SimError(status, new JsonObject().put("error", error));
  }

  static SimError badRequest(String error) {
    return of(400, error);
  }

  static SimError notFound(String error) {
    return of(404, error);
  }

  static SimError precondition(String error) {
    return of(412, error);
  }
}
