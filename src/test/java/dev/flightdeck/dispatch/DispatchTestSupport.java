package dev.flightdeck.dispatch;

import dev.flightdeck.fly.ListMachinesQuery;
import dev.flightdeck.fly.Machine;
import dev.flightdeck.testing.DispatchFixture;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Helpers shared by the dispatcher tests. */
final class DispatchTestSupport {

  private DispatchTestSupport() {}

  static List<Machine> machines(DispatchFixture fx, String app) {
    return fx.sim.fly.listMachines(app, ListMachinesQuery.ALL).await();
  }

  static List<MachineOp> ops(String jobId, String app, List<Machine> ms, Action action, boolean await) {
    List<MachineOp> out = new ArrayList<>();
    for (int i = 0; i < ms.size(); i++) {
      out.add(MachineOp.of(jobId + "-" + i, jobId, app, ms.get(i).id(), action, await));
    }
    return out;
  }

  static List<OpResult> submitAndAwait(DispatchFixture fx, List<MachineOp> ops) {
    List<Future<OpResult>> futures = fx.dispatcher.submitAll(ops).await();
    return Future.all(futures).await().list();
  }

  static List<Future<OpResult>> submit(DispatchFixture fx, List<MachineOp> ops) {
    return fx.dispatcher.submitAll(ops).await();
  }

  /** action names per machine, in journal order. */
  static Map<String, List<String>> actionsByMachine(List<JsonObject> journal) {
    return journal.stream().filter(e -> e.getString("machine_id") != null)
        .collect(Collectors.groupingBy(e -> e.getString("machine_id"), TreeMap::new,
            Collectors.mapping(e -> e.getString("action"), Collectors.toList())));
  }

  static long count(List<JsonObject> journal, String action) {
    return journal.stream().filter(e -> action.equals(e.getString("action"))).count();
  }
}
