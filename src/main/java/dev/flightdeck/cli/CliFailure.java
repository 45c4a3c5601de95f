package dev.flightdeck.cli;

/** A command's failure, reported as one line; {@code code} is the exit code (1, or 2 for a usage error). */
public final class CliFailure extends RuntimeException {
  final int code;

  public CliFailure(int code, String message) {
    super(message, null, false, false);
    this.code = code;
  }
}
