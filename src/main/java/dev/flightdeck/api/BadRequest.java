package dev.flightdeck.api;

/** A request the API refuses: the status, code and field it is answered with. */
public class BadRequest extends RuntimeException implements ApiException {

  private final int status;
  private final String code;
  private final String field;

  public BadRequest(int status, String code, String field, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.field = field;
  }

  @Override
  public int status() {
    return status;
  }

  @Override
  public String code() {
    return code;
  }

  @Override
  public String field() {
    return field;
  }
}
