package dev.flightdeck.autoscale;

import dev.flightdeck.api.ApiErrors;
import dev.flightdeck.api.ApiFailures;
import dev.flightdeck.jobs.InvalidJobException;
import dev.flightdeck.store.AutoscaleStore;
import dev.flightdeck.store.StoredAlert;
import dev.flightdeck.time.TimeSource;
import io.vertx.core.json.JsonObject;
import dev.flightdeck.api.ApiRequests;
import dev.flightdeck.api.Operations;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/alerts/alertmanager}: Alertmanager's webhook. Authenticated with the receiver's
 * own credentials, not an API token. Answers 200 once the alerts are committed — then the matching
 * policies are evaluated — and 503 only when they could not be recorded, so Alertmanager retries
 * exactly when something was lost. Invalid payloads get a 4xx (Alertmanager does not retry those).
 */
public final class AlertReceiver {

  private static final Logger LOG = LoggerFactory.getLogger(AlertReceiver.class);
  public static final String PATH = "/v1/alerts/alertmanager";

  private final WebhookAuth auth;
  private final AutoscaleStore store;
  private final Autoscaler autoscaler;
  private final TimeSource time;

  private AlertReceiver(WebhookAuth auth, AutoscaleStore store, Autoscaler autoscaler, TimeSource time) {
    this.auth = auth;
    this.store = store;
    this.autoscaler = autoscaler;
    this.time = time;
  }

  public static void mount(RouterBuilder api, WebhookAuth auth, AutoscaleStore store, Autoscaler autoscaler,
      TimeSource time) {
    AlertReceiver r = new AlertReceiver(auth, store, autoscaler, time);
    Operations.on(api, "receiveAlertmanagerWebhook", r::receive);
  }

  /** The receiver's own credentials (not an API token), checked before the body is read. */
  public static io.vertx.core.Handler<RoutingContext> credentials(WebhookAuth auth) {
    return ctx -> authenticate(ctx, auth);
  }

  private static void authenticate(RoutingContext ctx, WebhookAuth auth) {
    if (!auth.accepts(ctx.request().getHeader("Authorization"))) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"flightdeck-alerts\"");
      ApiErrors.send(ctx, 401, "unauthorized", "the alert receiver needs its own credentials (autoscale.webhook): "
          + "Authorization: Bearer <token> or basic auth", null);
      return;
    }
    ctx.next();
  }

  private void receive(RoutingContext ctx) {
    JsonObject body = ApiRequests.body(ctx);
    AlertPayload payload;
    try {
      payload = AlertPayload.parse(body);
    } catch (InvalidJobException e) {
      ctx.fail(e);
      return;
    }
    List<StoredAlert> alerts = new ArrayList<>();
    long now = time.millis();
    for (AlertPayload.Alert a : payload.alerts()) {
      alerts.add(new StoredAlert(a.fingerprint(), a.startsAt().toEpochMilli(), a.status(), a.labels(),
          a.endsAt() == null ? null : a.endsAt().toEpochMilli(), now, now));
    }
    if (payload.truncatedAlerts() > 0) {
      LOG.warn("alert group {} arrived with {} alerts truncated (Alertmanager max_alerts); those are not seen",
          payload.groupKey(), payload.truncatedAlerts());
    }
    store.recordAlerts(alerts, now).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause()); // a store failure: 503, Alertmanager retries
        return;
      }
      long firing = payload.alerts().stream().filter(a -> a.status().equals("firing")).count();
      ApiFailures.json(ctx, 200, new JsonObject().put("recorded", alerts.size()).put("firing", firing)
          .put("resolved", alerts.size() - firing).put("truncated_alerts", payload.truncatedAlerts()));
      autoscaler.notified(alerts).onFailure(e -> LOG.warn("evaluating alerts failed: {}", e.getMessage()));
    });
  }
}
