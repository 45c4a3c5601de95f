package dev.flightdeck.fly;

/** Query parameters of a restart. */
public record RestartOptions(String signal, String timeout, boolean forceStop) {
  public static final RestartOptions DEFAULT = new RestartOptions(null, null, false);
}
