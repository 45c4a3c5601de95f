package dev.flightdeck.fly;

/**
 * Every Machines API call the client makes, with its spec operationId and whether repeating it
 * is harmless. Used for error classification and as the {@code operation} label in metrics.
 */
public enum FlyOperation {
  APPS_LIST("Apps_list", true),
  APPS_CREATE("Apps_create", false),
  APPS_SHOW("Apps_show", true),
  APPS_DELETE("Apps_delete", true),
  MACHINES_LIST("Machines_list", true),
  MACHINES_CREATE("Machines_create", false),
  MACHINES_SHOW("Machines_show", true),
  MACHINES_UPDATE("Machines_update", false),
  MACHINES_START("Machines_start", true),
  MACHINES_STOP("Machines_stop", true),
  MACHINES_SUSPEND("Machines_suspend", true),
  MACHINES_RESTART("Machines_restart", false),
  MACHINES_DELETE("Machines_delete", true),
  MACHINES_WAIT("Machines_wait", true),
  MACHINES_CORDON("Machines_cordon", true),
  MACHINES_UNCORDON("Machines_uncordon", true),
  MACHINES_SIGNAL("Machines_signal", false),
  MACHINES_EVENTS("Machines_list_events", true),
  METADATA_SHOW("Machines_show_metadata", true),
  METADATA_UPDATE("Machines_update_metadata", true),
  METADATA_GET_KEY("Machines_get_metadata_key", true),
  METADATA_UPSERT("Machines_upsert_metadata", true),
  METADATA_DELETE("Machines_delete_metadata", true),
  LEASE_ACQUIRE("Machines_create_lease", false),
  LEASE_REFRESH("Machines_create_lease", true),
  LEASE_SHOW("Machines_show_lease", true),
  LEASE_RELEASE("Machines_release_lease", true);

  private final String operationId;
  private final boolean idempotent;

  FlyOperation(String operationId, boolean idempotent) {
    this.operationId = operationId;
    this.idempotent = idempotent;
  }

  public String operationId() {
    return operationId;
  }

  public boolean idempotent() {
    return idempotent;
  }

  /** Short lower-case name for logs and metric labels, e.g. {@code machines_start}. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
