package dev.flightdeck.fly;

import io.vertx.core.json.JsonObject;

/** Body of a stop: signal name (default SIGINT on the platform) and a Go duration such as "10s". */
public record StopOptions(String signal, String timeout) {

  public static final StopOptions DEFAULT = new StopOptions(null, null);

  JsonObject toJson() {
    JsonObject o = new JsonObject();
    if (signal != null) {
      o.put("signal", signal);
    }
    if (timeout != null) {
      o.put("timeout", timeout);
    }
    return o;
  }
}
