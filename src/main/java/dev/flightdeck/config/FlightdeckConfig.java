package dev.flightdeck.config;

import dev.flightdeck.api.ApiConfig;
import dev.flightdeck.api.AuthConfig;
import dev.flightdeck.autoscale.AutoscaleConfig;
import dev.flightdeck.cron.CronConfig;
import dev.flightdeck.jobs.JobsConfig;
import dev.flightdeck.store.StoreConfig;
import dev.flightdeck.api.ManagementConfig;
import dev.flightdeck.dispatch.DispatchConfig;
import dev.flightdeck.fleet.FleetConfig;
import dev.flightdeck.fly.FlyConfig;
import dev.flightdeck.sim.SimConfig;

/** Every setting, parsed once at start-up. See conf/flightdeck.json for the defaults. */
public record FlightdeckConfig(
    InstanceConfig instance,
    ApiConfig api,
    ManagementConfig management,
    AuthConfig auth,
    StoreConfig store,
    JobsConfig jobs,
    CronConfig cron,
    AutoscaleConfig autoscale,
    FlyConfig fly,
    FleetConfig fleet,
    DispatchConfig dispatch,
    SimConfig sim) {

  public FlightdeckConfig {
    Checks.present("instance", instance);
    Checks.present("auth", auth);
    Checks.present("store", store);
    Checks.present("jobs", jobs);
    Checks.present("cron", cron);
    Checks.present("autoscale", autoscale);
    Checks.present("fleet", fleet);
    Checks.present("dispatch", dispatch);
    Checks.present("api", api);
    Checks.present("management", management);
    Checks.present("fly", fly);
    Checks.present("sim", sim);
  }

  /** True when no Fly token is configured, so {@code serve} runs against the embedded simulator. */
  public boolean useEmbeddedSimulator() {
    return fly.token().isEmpty();
  }
}
