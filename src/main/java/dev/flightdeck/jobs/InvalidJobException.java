package dev.flightdeck.jobs;

/** A submitted job is invalid; names the offending field (a JSON path such as {@code params.count}). */
public final class InvalidJobException extends RuntimeException implements dev.flightdeck.api.ApiException {

  private final String code;
  private final String field;

  public InvalidJobException(String code, String field, String message) {
    super(message, null, false, false);
    this.code = code;
    this.field = field;
  }

  @Override
  public int status() {
    return 422;
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
