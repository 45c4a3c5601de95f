package dev.flightdeck.sim;

import io.vertx.core.buffer.Buffer;

/** Sees every answer the simulator sends on {@code /v1}; the conformance tests validate them. */
@FunctionalInterface
public interface ExchangeListener {

  void onExchange(String operationId, String method, String path, int status, String contentType, Buffer body);

  ExchangeListener NONE = (op, method, path, status, ct, body) -> { };
}
