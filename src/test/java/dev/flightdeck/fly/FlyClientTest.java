package dev.flightdeck.fly;

import static dev.flightdeck.testing.Futures.apiFailure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.config.ConfigLoader;
import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.testing.SimFixture;
import dev.flightdeck.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The client against the simulator, operation by operation, including every error class. */
@ExtendWith(VertxExtension.class)
class FlyClientTest {

  private SimFixture fx;
  private FlyClient fly;

  @BeforeEach
  void start(Vertx vertx) {
    fx = SimFixture.start(vertx);
    fly = fx.fly;
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  private static MachineConfig config(String image, String group) {
    return MachineConfig.of(new JsonObject()
        .put("image", image)
        .put("guest", new JsonObject().put("cpus", 1).put("memory_mb", 256).put("cpu_kind", "shared"))
        .put("metadata", new JsonObject().put("fly_process_group", group)));
  }

  private Future<Machine> started(String app, Machine m) {
    return fly.waitMachine(app, m.id(), WaitOptions.forState("started", 10)).compose(w -> fly.getMachine(app, m.id()));
  }

  @Test
  void apps_are_created_shown_listed_and_deleted(VertxTestContext ctx) {
    fly.createApp(new CreateAppRequest("alpha", "personal", null))
        .compose(v -> fly.getApp("alpha"))
        .compose(app -> {
          ctx.verify(() -> {
            assertThat(app.name()).isEqualTo("alpha");
            assertThat(app.orgSlug()).isEqualTo("personal");
            assertThat(app.id()).isNotBlank();
          });
          return fly.listApps("personal");
        })
        .compose(apps -> {
          ctx.verify(() -> assertThat(apps).extracting(FlyApp::name).containsExactly("alpha"));
          return fly.deleteApp("alpha");
        })
        .compose(v -> apiFailure(fly.getApp("alpha")))
        .onComplete(ctx.succeeding(e -> ctx.verify(() -> {
          assertThat(e.errorClass()).isEqualTo(ErrorClass.NOT_FOUND);
          assertThat(e.status()).isEqualTo(404);
          assertThat(e.apiError()).isEqualTo("app not found");
          assertThat(e.requestId()).isNotBlank();
          ctx.completeNow();
        })));
  }

  @Test
  void a_taken_app_name_is_invalid_with_the_name_taken_code(VertxTestContext ctx) {
    fly.createApp(new CreateAppRequest("beta", "personal", null))
        .compose(v -> apiFailure(fly.createApp(new CreateAppRequest("beta", "personal", null))))
        .onComplete(ctx.succeeding(e -> ctx.verify(() -> {
          assertThat(e.status()).isEqualTo(422);
          assertThat(e.errorClass()).isEqualTo(ErrorClass.INVALID);
          assertThat(e.apiStatus()).isEqualTo("name_taken");
          ctx.completeNow();
        })));
  }

  @Test
  void machines_are_listed_with_region_state_metadata_and_deleted_filters(VertxTestContext ctx) {
    fx.seed("web", 8, "stopped");
    fly.listMachines("web", ListMachinesQuery.ALL)
        .compose(all -> {
          ctx.verify(() -> {
            assertThat(all).hasSize(8);
            assertThat(all).allSatisfy(m -> {
              assertThat(m.id()).matches("[0-9a-f]{14}");
              assertThat(m.instanceId()).hasSize(26);
              assertThat(m.state()).isEqualTo("stopped");
              assertThat(m.config().image()).isEqualTo("registry.fly.io/web:v1");
              assertThat(m.createdAt()).isNotNull();
              assertThat(m.privateIp()).startsWith("fdaa:");
            });
          });
          return fly.listMachines("web", ListMachinesQuery.ALL.withRegion("ams"));
        })
        .compose(ams -> {
          ctx.verify(() -> assertThat(ams).hasSize(4).allMatch(m -> m.region().equals("ams")));
          return fly.listMachines("web", ListMachinesQuery.ALL.withMetadata(Map.of("fly_process_group", "worker")));
        })
        .compose(workers -> {
          ctx.verify(() -> assertThat(workers).hasSize(4).allMatch(m -> "worker".equals(m.processGroup())));
          return fly.listMachines("web", ListMachinesQuery.ALL.withRegion("ord")
              .withMetadata(Map.of("fly_process_group", "worker")));
        })
        .compose(both -> {
          ctx.verify(() -> assertThat(both).hasSize(2));
          return fly.createMachine("web", CreateMachineRequest.of(config("registry.fly.io/web:v1", "app")));
        })
        .compose(created -> started("web", created))
        .compose(m -> fly.listMachines("web", ListMachinesQuery.ALL.withStates(List.of("started"))))
        .compose(startedOnes -> {
          ctx.verify(() -> assertThat(startedOnes).hasSize(1));
          return fly.listMachines("web", ListMachinesQuery.ALL.withSummary(true));
        })
        .compose(summary -> {
          ctx.verify(() -> {
            assertThat(summary).hasSize(9);
            assertThat(summary).allSatisfy(m -> {
              assertThat(m.config().image()).isNull();
              assertThat(m.events()).isEmpty();
            });
          });
          String victim = summary.get(0).id();
          return fly.deleteMachine("web", victim, false, null)
              .compose(v -> fly.waitMachine("web", victim, WaitOptions.forState("destroyed", 10)))
              .compose(v -> fly.listMachines("web", ListMachinesQuery.ALL))
              .compose(live -> {
                ctx.verify(() -> assertThat(live).hasSize(8).noneMatch(m -> m.id().equals(victim)));
                return fly.listMachines("web", ListMachinesQuery.ALL.withIncludeDeleted(true));
              });
        })
        .onComplete(ctx.succeeding(withDeleted -> ctx.verify(() -> {
          assertThat(withDeleted).hasSize(9).anyMatch(m -> m.state().equals("destroyed"));
          ctx.completeNow();
        })));
  }

  @Test
  void start_suspend_resume_restart_and_stop_follow_the_state_machine(VertxTestContext ctx) {
    fx.seed("svc", 1, "stopped");
    fly.listMachines("svc", ListMachinesQuery.ALL).compose(ms -> {
      String id = ms.get(0).id();
      return fly.startMachine("svc", id, null)
          .compose(r -> {
            ctx.verify(() -> assertThat(r.previousState()).isEqualTo("stopped"));
            return fly.waitMachine("svc", id, WaitOptions.forState("started", 10));
          })
          .compose(w -> {
            ctx.verify(() -> {
              assertThat(w.ok()).isTrue();
              assertThat(w.state()).isEqualTo("started");
              assertThat(w.version()).isEqualTo(ms.get(0).instanceId());
            });
            return fly.suspendMachine("svc", id, null);
          })
          .compose(v -> fly.waitMachine("svc", id, WaitOptions.forState("suspended", 10)))
          .compose(v -> fly.startMachine("svc", id, null))
          .compose(r -> {
            ctx.verify(() -> assertThat(r.previousState()).isEqualTo("suspended"));
            return fly.waitMachine("svc", id, WaitOptions.forState("started", 10));
          })
          .compose(v -> fly.restartMachine("svc", id, new RestartOptions("SIGTERM", "5s", false), null))
          .compose(v -> fly.waitMachine("svc", id, WaitOptions.forState("started", 10)))
          .compose(v -> fly.stopMachine("svc", id, new StopOptions("SIGTERM", "10s"), null))
          .compose(v -> fly.waitMachine("svc", id, new WaitOptions(List.of("stopped"), null, 10, null)))
          .compose(v -> fly.listEvents("svc", id, 50));
    }).onComplete(ctx.succeeding(events -> ctx.verify(() -> {
      List<String> types = events.stream().map(e -> e.type() + ":" + e.status()).toList();
      // newest first
      assertThat(types.get(0)).isEqualTo("exit:stopped");
      assertThat(types).containsSubsequence("stop:stopping", "restart:restarting", "start:starting", "suspend:suspended",
          "suspend:suspending", "start:started", "start:starting");
      assertThat(events).isSortedAccordingTo((a, b) -> Long.compare(b.timestamp(), a.timestamp()));
      ctx.completeNow();
    })));
  }

  @Test
  void update_keeps_config_fields_flightdeck_does_not_model_and_makes_a_new_version(VertxTestContext ctx) {
    JsonObject rich = config("registry.fly.io/app:v1", "app").toJson()
        .put("services", new io.vertx.core.json.JsonArray().add(new JsonObject().put("internal_port", 8080)
            .put("protocol", "tcp").put("autostop", "suspend")))
        .put("x_future_setting", new JsonObject().put("nested", List.of(1, 2, 3)))
        .put("restart", new JsonObject().put("policy", "always"));
    fly.createApp(new CreateAppRequest("rich", "personal", null))
        .compose(v -> fly.createMachine("rich", CreateMachineRequest.of(MachineConfig.of(rich)).withSkipLaunch(true)))
        .compose(created -> {
          ctx.verify(() -> assertThat(created.state()).isEqualTo("created"));
          return fly.getMachine("rich", created.id());
        })
        .compose(current -> fly.updateMachine("rich", current.id(),
                UpdateMachineRequest.of(current.config().withImage("registry.fly.io/app:v2"), current.instanceId()), null)
            .compose(updated -> {
              ctx.verify(() -> {
                assertThat(updated.instanceId()).isNotEqualTo(current.instanceId());
                assertThat(updated.config().image()).isEqualTo("registry.fly.io/app:v2");
                JsonObject sent = updated.config().toJson();
                assertThat(sent.getJsonObject("x_future_setting")).isEqualTo(rich.getJsonObject("x_future_setting"));
                assertThat(sent.getJsonArray("services")).isEqualTo(rich.getJsonArray("services"));
                assertThat(updated.config().restartPolicy()).isEqualTo("always");
              });
              return apiFailure(fly.updateMachine("rich", current.id(),
                  UpdateMachineRequest.of(current.config(), current.instanceId()), null));
            }))
        .onComplete(ctx.succeeding(stale -> ctx.verify(() -> {
          assertThat(stale.errorClass()).isEqualTo(ErrorClass.PRECONDITION);
          assertThat(stale.status()).isEqualTo(412);
          ctx.completeNow();
        })));
  }

  @Test
  void deleting_a_running_machine_needs_force(VertxTestContext ctx) {
    fx.seed("del", 1, "started");
    fly.listMachines("del", ListMachinesQuery.ALL).compose(ms -> {
      String id = ms.get(0).id();
      return apiFailure(fly.deleteMachine("del", id, false, null))
          .compose(e -> {
            ctx.verify(() -> assertThat(e.errorClass()).isEqualTo(ErrorClass.PRECONDITION));
            return fly.deleteMachine("del", id, true, null);
          })
          .compose(v -> fly.waitMachine("del", id, WaitOptions.forState("destroyed", 10)))
          .compose(v -> fly.getMachine("del", id));
    }).onComplete(ctx.succeeding(m -> ctx.verify(() -> {
      assertThat(m.state()).isEqualTo("destroyed");
      ctx.completeNow();
    })));
  }

  @Test
  void cordon_uncordon_and_signal(VertxTestContext ctx) {
    fx.seed("cord", 1, "started");
    fly.listMachines("cord", ListMachinesQuery.ALL).compose(ms -> {
      String id = ms.get(0).id();
      return fly.cordonMachine("cord", id, null)
          .compose(v -> fly.getMachine("cord", id))
          .compose(m -> {
            ctx.verify(() -> assertThat(m.cordoned()).isTrue());
            return fly.uncordonMachine("cord", id, null);
          })
          .compose(v -> fly.signalMachine("cord", id, "SIGUSR1"))
          .compose(v -> fly.getMachine("cord", id));
    }).onComplete(ctx.succeeding(m -> ctx.verify(() -> {
      assertThat(m.cordoned()).isFalse();
      ctx.completeNow();
    })));
  }

  @Test
  void metadata_is_read_set_deleted_and_guarded_by_machine_version(VertxTestContext ctx) {
    fx.seed("meta", 1, "stopped");
    fly.listMachines("meta", ListMachinesQuery.ALL).compose(ms -> {
      Machine m = ms.get(0);
      return fly.setMetadata("meta", m.id(), "owner", "team-a")
          .compose(v -> fly.getMetadataKey("meta", m.id(), "owner"))
          .compose(v -> {
            ctx.verify(() -> assertThat(v).isEqualTo("team-a"));
            return fly.updateMetadata("meta", m.id(), Map.of("tier", "gold"), m.instanceId());
          })
          .compose(v -> fly.getMetadata("meta", m.id()))
          .compose(md -> {
            ctx.verify(() -> assertThat(md).containsEntry("owner", "team-a").containsEntry("tier", "gold")
                .containsEntry("fly_process_group", "app"));
            return fly.deleteMetadata("meta", m.id(), "owner");
          })
          .compose(v -> apiFailure(fly.getMetadataKey("meta", m.id(), "owner")))
          .compose(e -> {
            ctx.verify(() -> assertThat(e.errorClass()).isEqualTo(ErrorClass.NOT_FOUND));
            return apiFailure(fly.updateMetadata("meta", m.id(), Map.of("x", "y"), "01HSTALEVERSION0000000000"));
          });
    }).onComplete(ctx.succeeding(e -> ctx.verify(() -> {
      assertThat(e.errorClass()).isEqualTo(ErrorClass.PRECONDITION);
      assertThat(e.status()).isEqualTo(412);
      ctx.completeNow();
    })));
  }

  @Test
  void leases_are_acquired_refreshed_enforced_and_released(VertxTestContext ctx) {
    fx.seed("lease", 1, "stopped");
    fly.listMachines("lease", ListMachinesQuery.ALL).compose(ms -> {
      Machine m = ms.get(0);
      return fly.acquireLease("lease", m.id(), 13, "flightdeck test")
          .compose(lease -> {
            ctx.verify(() -> {
              assertThat(lease.nonce()).matches("[0-9a-f]{12}");
              assertThat(lease.owner()).isEqualTo("flightdeck@sim.local");
              assertThat(lease.version()).isEqualTo(m.instanceId());
              assertThat(lease.toString()).doesNotContain(lease.nonce());
            });
            return fly.refreshLease("lease", m.id(), lease.nonce(), 30)
                .compose(refreshed -> {
                  ctx.verify(() -> {
                    assertThat(refreshed.nonce()).isEqualTo(lease.nonce());
                    assertThat(refreshed.expiresAt()).isGreaterThanOrEqualTo(lease.expiresAt());
                  });
                  return apiFailure(fly.startMachine("lease", m.id(), null));
                })
                .compose(conflict -> {
                  ctx.verify(() -> {
                    assertThat(conflict.errorClass()).isEqualTo(ErrorClass.LEASE_CONFLICT);
                    assertThat(conflict.status()).isEqualTo(409);
                    assertThat(conflict.leaseHolder()).isEqualTo("flightdeck@sim.local");
                    assertThat(conflict.leaseExpiresAt()).endsWith("Z");
                  });
                  return apiFailure(fly.acquireLease("lease", m.id(), 13, null));
                })
                .compose(second -> {
                  ctx.verify(() -> assertThat(second.errorClass()).isEqualTo(ErrorClass.LEASE_CONFLICT));
                  return fly.startMachine("lease", m.id(), lease.nonce());
                })
                .compose(v -> fly.getLease("lease", m.id()))
                .compose(shown -> {
                  ctx.verify(() -> assertThat(shown.nonce()).isEqualTo(lease.nonce()));
                  return fly.releaseLease("lease", m.id(), lease.nonce());
                });
          })
          .compose(v -> apiFailure(fly.getLease("lease", m.id())));
    }).onComplete(ctx.succeeding(e -> ctx.verify(() -> {
      assertThat(e.errorClass()).isEqualTo(ErrorClass.NOT_FOUND);
      assertThat(e.apiError()).contains(" lease not found");
      ctx.completeNow();
    })));
  }

  @Test
  void a_foreign_lease_names_its_holder(VertxTestContext ctx) {
    fx.seed("deploying", 1, "stopped");
    fly.listMachines("deploying", ListMachinesQuery.ALL)
        .compose(ms -> fx.sim.foreignLeases("deploying", List.of(ms.get(0).id()), "deploy@example.com", 60)
            .compose(v -> apiFailure(fly.stopMachine("deploying", ms.get(0).id(), null, null))))
        .onComplete(ctx.succeeding(e -> ctx.verify(() -> {
          assertThat(e.errorClass()).isEqualTo(ErrorClass.LEASE_CONFLICT);
          assertThat(e.leaseHolder()).isEqualTo("deploy@example.com");
          assertThat(e.getMessage()).contains("lease currently held by deploy@example.com");
          ctx.completeNow();
        })));
  }

  @Test
  void invalid_requests_and_unknown_machines_are_classified(VertxTestContext ctx) {
    fly.createApp(new CreateAppRequest("inv", "personal", null))
        .compose(v -> apiFailure(fly.createMachine("inv", CreateMachineRequest.of(MachineConfig.of(new JsonObject())))))
        .compose(e -> {
          ctx.verify(() -> {
            assertThat(e.errorClass()).isEqualTo(ErrorClass.INVALID);
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.apiError()).contains("image");
          });
          return apiFailure(fly.getMachine("inv", "0000000000dead"));
        })
        .compose(e -> {
          ctx.verify(() -> assertThat(e.errorClass()).isEqualTo(ErrorClass.NOT_FOUND));
          return apiFailure(fly.listMachines("nope", ListMachinesQuery.ALL));
        })
        .onComplete(ctx.succeeding(e -> ctx.verify(() -> {
          assertThat(e.errorClass()).isEqualTo(ErrorClass.NOT_FOUND);
          assertThat(e.apiError()).isEqualTo("app not found");
          ctx.completeNow();
        })));
  }

  @Test
  void a_bad_token_is_unauthorized_and_never_echoed(VertxTestContext ctx) {
    String token = "not-the-right-token-4f8a2";
    FlyClient bad = fx.clientWithToken(token);
    apiFailure(bad.listApps("personal")).onComplete(ctx.succeeding(e -> ctx.verify(() -> {
      assertThat(e.errorClass()).isEqualTo(ErrorClass.UNAUTHORIZED);
      assertThat(e.status()).isEqualTo(401);
      assertThat(e.apiError()).isEqualTo("Authenticate: token validation error");
      assertThat(e.getMessage()).doesNotContain(token);
      assertThat(e.toString()).doesNotContain(token);
      assertThat(TestConfigs.flyFor(fx.baseUrl(), token).toString()).doesNotContain(token);
      bad.close();
      ctx.completeNow();
    })));
  }

  @Test
  void rate_limited_calls_are_retryable_and_flagged(VertxTestContext ctx) {
    fx.seed("busy", 1, "started");
    fx.sim.setRateLimits(new SimConfig.RateLimits(true, 1, 3, 5, 10, 100, false)).await();
    fly.listMachines("busy", ListMachinesQuery.ALL).compose(ms -> {
      String id = ms.get(0).id();
      // burst of 3 cordons is allowed, the 4th inside the same second is not
      return fly.cordonMachine("busy", id, null)
          .compose(v -> fly.cordonMachine("busy", id, null))
          .compose(v -> fly.cordonMachine("busy", id, null))
          .compose(v -> apiFailure(fly.cordonMachine("busy", id, null)));
    }).onComplete(ctx.succeeding(e -> ctx.verify(() -> {
      assertThat(e.status()).isEqualTo(429);
      assertThat(e.errorClass()).isEqualTo(ErrorClass.RETRYABLE);
      assertThat(e.rateLimited()).isTrue();
      ctx.completeNow();
    })));
  }

  @Test
  void server_errors_are_retryable_for_reads_and_ambiguous_for_creates(VertxTestContext ctx) {
    fx.seed("flaky", 1, "stopped");
    fx.sim.setFaults(new SimConfig.Faults(3, 1.0, 0, 0, 0, 0, 0, false, java.util.List.of(), 0)).await();
    apiFailure(fly.listMachines("flaky", ListMachinesQuery.ALL))
        .compose(e -> {
          ctx.verify(() -> {
            assertThat(e.status()).isBetween(500, 599);
            assertThat(e.errorClass()).isEqualTo(ErrorClass.RETRYABLE);
          });
          return apiFailure(fly.createMachine("flaky", CreateMachineRequest.of(config("img:1", "app"))));
        })
        .onComplete(ctx.succeeding(e -> ctx.verify(() -> {
          assertThat(e.status()).isBetween(500, 599);
          assertThat(e.errorClass()).isEqualTo(ErrorClass.AMBIGUOUS);
          ctx.completeNow();
        })));
  }

  @Test
  void a_connection_dropped_after_the_create_applied_is_ambiguous(VertxTestContext ctx) {
    fx.seed("drop", 0, "stopped");
    fx.sim.setFaults(new SimConfig.Faults(3, 0, 0, 0, 0, 0, 1.0, false, java.util.List.of(), 0)).await();
    MachineConfig cfg = config("img:1", "app").withMetadata("flightdeck_slot", "job1-0");
    apiFailure(fly.createMachine("drop", CreateMachineRequest.of(cfg)))
        .compose(e -> {
          ctx.verify(() -> {
            assertThat(e.status()).isZero();
            assertThat(e.errorClass()).isEqualTo(ErrorClass.AMBIGUOUS);
          });
          return apiFailure(fly.getApp("drop"));
        })
        .compose(e -> {
          ctx.verify(() -> assertThat(e.errorClass()).isEqualTo(ErrorClass.RETRYABLE));
          return fx.sim.setFaults(SimConfig.Faults.none());
        })
        .compose(v -> fly.listMachines("drop", ListMachinesQuery.ALL.withMetadata(Map.of("flightdeck_slot", "job1-0"))))
        .onComplete(ctx.succeeding(found -> ctx.verify(() -> {
          assertThat(found).as("the create did apply before the connection dropped").hasSize(1);
          ctx.completeNow();
        })));
  }

  @Test
  void calls_still_get_a_connection_while_every_pooled_one_is_held_by_a_wait(Vertx vertx, VertxTestContext ctx) {
    fx.seed("busy", 2, "started");
    // two connections, and a queued request gives up after 300 ms (Vert.x times the wait for a
    // pooled connection by the connect timeout)
    FlyConfig d = TestConfigs.flyFor(fx.baseUrl());
    FlyClient small = new FlyClient(vertx, new FlyConfig(d.apiHostname(), d.token(), 300, 10_000, 2, d.userAgent()));
    small.listMachines("busy", ListMachinesQuery.ALL).compose(ms -> {
      // each wait holds a connection for two seconds: the machines never stop
      List<Future<WaitResult>> waits = ms.stream().map(m -> small.waitMachine("busy", m.id(),
          WaitOptions.forState("stopped", 2))).toList();
      long t0 = System.nanoTime();
      return vertx.timer(200).compose(t -> small.listMachines("busy", ListMachinesQuery.ALL))
          .compose(listed -> small.getMachine("busy", listed.get(0).id()))
          .map(m -> {
            long ms0 = (System.nanoTime() - t0) / 1_000_000;
            ctx.verify(() -> assertThat(ms0).as("answered while both waits still held their connections")
                .isLessThan(1_500));
            return waits;
          });
    }).compose(waits -> Future.join(new java.util.ArrayList<>(waits)).otherwiseEmpty())
        .onComplete(ctx.succeeding(v -> {
          small.close();
          ctx.completeNow();
        }));
  }

  @Test
  void a_refused_connection_is_retryable_even_for_a_create(Vertx vertx, VertxTestContext ctx) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    FlyClient nowhere = new FlyClient(vertx, TestConfigs.flyFor("http://127.0.0.1:" + port));
    apiFailure(nowhere.createMachine("x", CreateMachineRequest.of(config("img:1", "app"))))
        .onComplete(ctx.succeeding(e -> ctx.verify(() -> {
          assertThat(e.status()).isZero();
          assertThat(e.errorClass()).isEqualTo(ErrorClass.RETRYABLE);
          nowhere.close();
          ctx.completeNow();
        })));
  }

  @Test
  void the_authorization_header_follows_fly_gos_rules() {
    assertThat(FlyClient.authorization(dev.flightdeck.config.Secret.of("abc"))).isEqualTo("Bearer abc");
    assertThat(FlyClient.authorization(dev.flightdeck.config.Secret.of("fm2_xyz"))).isEqualTo("FlyV1 fm2_xyz");
    assertThat(FlyClient.authorization(dev.flightdeck.config.Secret.of("FlyV1 fm2_a,fm2_b"))).isEqualTo("FlyV1 fm2_a,fm2_b");
    assertThat(FlyClient.authorization(dev.flightdeck.config.Secret.empty())).isNull();
  }

  @Test
  void the_default_api_hostname_is_the_public_api() {
    FlyConfig d = ConfigLoader.bind(ConfigLoader.defaults().getJsonObject("fly"), FlyConfig.class, "fly");
    assertThat(d.endpoint().toString()).isEqualTo("https://api.machines.dev");
  }
}
