package dev.flightdeck.jobs;

import dev.flightdeck.api.BadRequest;

/** A submitted job is invalid (422); names the offending field (a JSON path such as {@code params.count}). */
public final class InvalidJobException extends BadRequest {

  public InvalidJobException(String code, String field, String message) {
    super(422, code, field, message);
  }
}
