package dev.flightdeck.api;

/** A request the API refuses for a reason of its own: the status, code and field it is answered with. */
public interface ApiException {

  int status();

  String code();

  /** The request field that is wrong (a JSON path such as {@code params.count}), or null. */
  String field();

  String getMessage();
}
