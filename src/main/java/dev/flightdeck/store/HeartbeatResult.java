package dev.flightdeck.store;

/** A running job as seen at a heartbeat: whether this instance still owns it, and whether a cancel was asked. */
public record HeartbeatResult(String jobId, boolean owned, boolean cancelRequested) {}
