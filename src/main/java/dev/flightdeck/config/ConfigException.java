package dev.flightdeck.config;

/** An invalid setting; the message names it. Start-up stops with this message. */
public final class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(message);
  }
}
