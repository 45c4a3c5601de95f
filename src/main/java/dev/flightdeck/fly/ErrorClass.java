package dev.flightdeck.fly;

/** What a failed Machines API call means for the caller. */
public enum ErrorClass {
  /** 429, 5xx on an idempotent call, connection refused/reset, 408 outside wait: try again later. */
  RETRYABLE,
  /** 409 "lease currently held by …": someone else holds the machine's lease. */
  LEASE_CONFLICT,
  /** 409 for anything other than a lease (e.g. a machine name race). */
  CONFLICT,
  /** 404: the app, machine, lease or metadata key does not exist. */
  NOT_FOUND,
  /** 412: the machine is in a state (or version) that refuses the operation. */
  PRECONDITION,
  /** 400 / 422 and other 4xx: the request itself is wrong; retrying will not help. */
  INVALID,
  /** 401 / 403: the token is missing, bad, or lacks access. */
  UNAUTHORIZED,
  /** 408 from wait: the machine did not reach the state in time. */
  WAIT_TIMEOUT,
  /**
   * A non-idempotent call (create, update, restart, lease acquire, app create) whose outcome is
   * unknown: the connection failed after the request was sent, or the API answered 5xx/408.
   * Look the result up before trying again.
   */
  AMBIGUOUS
}
