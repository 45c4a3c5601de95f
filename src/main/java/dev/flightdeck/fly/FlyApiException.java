package dev.flightdeck.fly;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A failed Machines API call: the HTTP status (0 when no answer arrived), the API's error text,
 * its {@code fly-request-id}, the error {@link ErrorClass} and, for lease conflicts, the holder.
 * Never carries the token.
 */
public final class FlyApiException extends RuntimeException {

  private static final Pattern HOLDER =
      Pattern.compile("lease currently held by (.+?), expires at (\\S+?)\\s*$");

  private final FlyOperation operation;
  private final int status;
  private final String apiError;
  private final String apiStatus;
  private final String requestId;
  private final ErrorClass errorClass;
  private final boolean rateLimited;

  public FlyApiException(
      FlyOperation operation, int status, String apiError, String apiStatus, String requestId, ErrorClass errorClass,
      Throwable cause) {
    super(message(operation, status, apiError, requestId, errorClass), cause, false, cause != null);
    this.operation = operation;
    this.status = status;
    this.apiError = apiError;
    this.apiStatus = apiStatus;
    this.requestId = requestId;
    this.errorClass = errorClass;
    this.rateLimited = status == 429;
  }

  /** Classifies an HTTP error answer. */
  public static FlyApiException fromResponse(FlyOperation op, int status, String body, String requestId) {
    String text = body == null ? "" : body.trim();
    String apiStatus = null;
    if (text.startsWith("{")) {
      try {
        JsonObject o = new JsonObject(text);
        // fly-go reads "message" first, then "error"; lease answers use the envelope's "message"
        String msg = Json.str(o, "message");
        String err = Json.str(o, "error");
        text = msg != null && !msg.isBlank() ? msg : err != null ? err : text;
        apiStatus = o.getValue("status") instanceof String s && !"error".equals(s) ? s : Json.str(o, "code");
      } catch (DecodeException ignored) {
        // not JSON after all: keep the raw text
      }
    }
    if (text.length() > 500) {
      text = text.substring(0, 500) + "…";
    }
    return new FlyApiException(op, status, text, apiStatus, requestId, classify(op, status, text), null);
  }

  /** Classifies a call that got no answer; {@code sent} tells whether the request may have arrived. */
  public static FlyApiException fromTransport(FlyOperation op, Throwable cause, boolean sent) {
    ErrorClass cls = sent && !op.idempotent() ? ErrorClass.AMBIGUOUS : ErrorClass.RETRYABLE;
    String what = (sent ? "no answer: " : "could not connect: ")
        + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    return new FlyApiException(op, 0, what, null, null, cls, cause);
  }

  static ErrorClass classify(FlyOperation op, int status, String text) {
    if (status == 408) {
      if (op == FlyOperation.MACHINES_WAIT) {
        return ErrorClass.WAIT_TIMEOUT;
      }
      return op.idempotent() ? ErrorClass.RETRYABLE : ErrorClass.AMBIGUOUS;
    }
    if (status == 429) {
      return ErrorClass.RETRYABLE;
    }
    if (status >= 500) {
      return op.idempotent() ? ErrorClass.RETRYABLE : ErrorClass.AMBIGUOUS;
    }
    return switch (status) {
      case 401, 403 -> ErrorClass.UNAUTHORIZED;
      case 404 -> ErrorClass.NOT_FOUND;
      case 409 -> text != null && text.contains("lease currently held by") ? ErrorClass.LEASE_CONFLICT : ErrorClass.CONFLICT;
      case 412 -> ErrorClass.PRECONDITION;
      default -> ErrorClass.INVALID;
    };
  }

  private static String message(FlyOperation op, int status, String apiError, String requestId, ErrorClass cls) {
    StringBuilder sb = new StringBuilder();
    sb.append(op.label()).append(" failed");
    if (status > 0) {
      sb.append(" with ").append(status);
    }
    sb.append(" (").append(cls.name().toLowerCase(java.util.Locale.ROOT)).append(")");
    if (apiError != null && !apiError.isBlank()) {
      sb.append(": ").append(apiError);
    }
    if (requestId != null) {
      sb.append(" [fly-request-id ").append(requestId).append(']');
    }
    return sb.toString();
  }

  public FlyOperation operation() {
    return operation;
  }

  /** HTTP status, or 0 when the call got no answer. */
  public int status() {
    return status;
  }

  /** The API's error text ({@code message} or {@code error} of the body). */
  public String apiError() {
    return apiError;
  }

  /** The body's {@code status} code, e.g. {@code insufficient_capacity} or {@code name_taken}. */
  public String apiStatus() {
    return apiStatus;
  }

  public String requestId() {
    return requestId;
  }

  public ErrorClass errorClass() {
    return errorClass;
  }

  public boolean isRetryable() {
    return errorClass == ErrorClass.RETRYABLE;
  }

  public boolean rateLimited() {
    return rateLimited;
  }

  /** For a lease conflict, the holder named in the API's text; otherwise null. */
  public String leaseHolder() {
    Matcher m = apiError == null ? null : HOLDER.matcher(apiError);
    return m != null && m.find() ? m.group(1) : null;
  }

  /** For a lease conflict, when the holder's lease expires (RFC 3339 text); otherwise null. */
  public String leaseExpiresAt() {
    Matcher m = apiError == null ? null : HOLDER.matcher(apiError);
    return m != null && m.find() ? m.group(2) : null;
  }
}
