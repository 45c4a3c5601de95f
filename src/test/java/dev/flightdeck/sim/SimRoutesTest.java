package dev.flightdeck.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;

class SimRoutesTest {

  private static SimRoutes.Route route(String op) {
    return new SimRoutes.Route(op, SimulatorVerticle.Limit.NONE, false, c -> null);
  }

  private final SimRoutes routes = new SimRoutes();

  SimRoutesTest() {
    routes.add(HttpMethod.GET, "/v1/apps", route("Apps_list"));
    routes.add(HttpMethod.GET, "/v1/apps/:app", route("Apps_show"));
    routes.add(HttpMethod.GET, "/v1/apps/:app/machines", route("Machines_list"));
    routes.add(HttpMethod.GET, "/v1/apps/:app/machines/:id", route("Machines_show"));
    routes.add(HttpMethod.POST, "/v1/apps/:app/machines/:id", route("Machines_update"));
    routes.add(HttpMethod.POST, "/v1/apps/:app/machines/:id/lease", route("Machines_create_lease"));
    routes.add(HttpMethod.DELETE, "/v1/apps/:app/machines/:id/metadata/:key", route("Machines_delete_metadata"));
  }

  @Test
  void a_path_finds_its_route_by_method_and_shape_with_its_parameters() {
    SimRoutes.Match m = routes.match(HttpMethod.POST, "/v1/apps/web/machines/m1/lease");
    assertThat(m.route().operationId()).isEqualTo("Machines_create_lease");
    assertThat(m.app()).isEqualTo("web");
    assertThat(m.id()).isEqualTo("m1");
    assertThat(m.key()).isNull();

    assertThat(routes.match(HttpMethod.GET, "/v1/apps/web/machines/m1").route().operationId()).isEqualTo("Machines_show");
    assertThat(routes.match(HttpMethod.POST, "/v1/apps/web/machines/m1").route().operationId())
        .isEqualTo("Machines_update");
    assertThat(routes.match(HttpMethod.GET, "/v1/apps").route().operationId()).isEqualTo("Apps_list");
    assertThat(routes.match(HttpMethod.GET, "/v1/apps/web/").route().operationId()).isEqualTo("Apps_show");
    SimRoutes.Match md = routes.match(HttpMethod.DELETE, "/v1/apps/web/machines/m1/metadata/team%2Fname+x");
    assertThat(md.route().operationId()).isEqualTo("Machines_delete_metadata");
    assertThat(md.key()).isEqualTo("team/name+x");
  }

  @Test
  void anything_else_finds_nothing() {
    assertThat(routes.match(HttpMethod.DELETE, "/v1/apps/web/machines/m1/lease")).isNull();
    assertThat(routes.match(HttpMethod.GET, "/v1/apps/web/machines/m1/nope")).isNull();
    assertThat(routes.match(HttpMethod.GET, "/v1/apps//machines")).isNull();
    assertThat(routes.match(HttpMethod.GET, "/v1/apps/web/machines/m1/metadata/k/extra")).isNull();
    assertThat(routes.match(HttpMethod.GET, "/v2/apps")).isNull();
    assertThat(routes.match(HttpMethod.GET, "v1/apps")).isNull();
  }

  @Test
  void a_route_of_another_shape_or_added_twice_is_refused() {
    assertThatThrownBy(() -> routes.add(HttpMethod.GET, "/v1/apps/:app/:id", route("x")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> routes.add(HttpMethod.GET, "/v1/apps/:app", route("again")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
