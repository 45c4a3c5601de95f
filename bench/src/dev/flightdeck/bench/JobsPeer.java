package dev.flightdeck.bench;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.event.AbstractSchedulerListener;
import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The peer of {@code bench/run jobs}: db-scheduler 16.7.1 on PostgreSQL, run as its own process
 * (as an application embedding it would be), executing one-time tasks that make the same four
 * Machines API calls per machine as a Flightdeck job (acquire lease, start or restart, wait for
 * started, release lease) against the same simulator. Tasks are scheduled by the bench through
 * db-scheduler's {@code SchedulerClient}; this process only executes them.
 *
 * <p>A task instance id is {@code action|app|machine}, so no task data is serialized. A small HTTP
 * server on {@code --port} reports what ended ({@code GET /status}, {@code GET /ended}) and resets
 * its counters ({@code POST /reset}).
 */
public final class JobsPeer {

  static final String TASK = "machine-op";
  static final OneTimeTask<Void> TASK_DESCRIPTOR = Tasks.oneTime(TASK).execute((inst, ctx) -> {
    throw new IllegalStateException("the bench only schedules; the peer process executes");
  });

  /** db-scheduler's PostgreSQL table (db-scheduler/src/test/resources/postgresql_tables.sql, 16.x). */
  static final String DDL = """
      create table scheduled_tasks (
        task_name text not null,
        task_instance text not null,
        task_data bytea,
        execution_time timestamp with time zone,
        picked boolean not null,
        picked_by text,
        last_success timestamp with time zone,
        last_failure timestamp with time zone,
        consecutive_failures int,
        last_heartbeat timestamp with time zone,
        version bigint not null,
        priority smallint,
        state text,
        primary key (task_name, task_instance));
      create index execution_time_idx on scheduled_tasks (execution_time);
      create index last_heartbeat_idx on scheduled_tasks (last_heartbeat);
      create index priority_execution_time_idx on scheduled_tasks (priority desc, execution_time asc);
      """;

  private static final Pattern NONCE = Pattern.compile("\"nonce\"\\s*:\\s*\"([^\"]+)\"");

  private JobsPeer() {}

  static String instanceId(String action, String app, String machine) {
    return action + "|" + app + "|" + machine;
  }

  // ------------------------------------------------------------------ the worker process

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    String jdbc = a.get("jdbc");
    String user = a.getOrDefault("user", "postgres");
    String password = a.getOrDefault("password", "");
    String sim = a.get("sim");
    String simToken = a.getOrDefault("sim-token", "flightdeck-sim-token");
    int port = Integer.parseInt(a.get("port"));
    int threads = Integer.parseInt(a.getOrDefault("threads", "32"));
    int pollMs = Integer.parseInt(a.getOrDefault("poll-ms", "100"));
    double lower = Double.parseDouble(a.getOrDefault("lower", "0.5"));
    double upper = Double.parseDouble(a.getOrDefault("upper", "1.0"));
    int pool = Integer.parseInt(a.getOrDefault("pool", Integer.toString(threads)));
    int leaseTtl = Integer.parseInt(a.getOrDefault("lease-ttl", "13"));

    AtomicLong writes = new AtomicLong();
    AtomicLong retries = new AtomicLong();
    AtomicLong apiCalls = new AtomicLong();
    ConcurrentLinkedQueue<String> ended = new ConcurrentLinkedQueue<>();
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();

    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(jdbc);
    hc.setUsername(user);
    if (!password.isEmpty()) {
      hc.setPassword(password);
    }
    hc.setMaximumPoolSize(pool);
    hc.setMinimumIdle(pool);
    hc.setPoolName("peer");
    HikariDataSource hikari = new HikariDataSource(hc);
    DataSource ds = counting(hikari, writes);

    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    Api api = new Api(http, sim, simToken, leaseTtl, retries, apiCalls);
    OneTimeTask<Void> task = Tasks.oneTime(TASK).execute((inst, ctx) -> {
      String[] p = inst.getId().split("\\|");
      api.run(p[0], p[1], p[2]);
    });

    Scheduler scheduler = Scheduler.create(ds, task)
        .threads(threads)
        .pollingInterval(Duration.ofMillis(pollMs))
        .pollUsingLockAndFetch(lower, upper)
        .shutdownMaxWait(Duration.ofSeconds(5))
        .addSchedulerListener(new AbstractSchedulerListener() {
          @Override
          public void onExecutionComplete(ExecutionComplete c) {
            boolean ok = c.getResult() == ExecutionComplete.Result.OK;
            ended.add(c.getExecution().taskInstance.getId() + " " + System.currentTimeMillis() + " " + (ok ? "ok" : "failed"));
            (ok ? done : failed).incrementAndGet();
            if (!ok && failed.get() <= 5) {
              System.err.println("task failed: " + c.getExecution().taskInstance.getId() + ": "
                  + c.getCause().map(Throwable::toString).orElse("?"));
            }
          }
        })
        .build();

    HttpServer control = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
    control.createContext("/status", ex -> reply(ex, 200, String.format(Locale.ROOT,
        "{\"done\":%d,\"failed\":%d,\"writes\":%d,\"retries\":%d,\"api_calls\":%d}", done.get(), failed.get(),
        writes.get(), retries.get(), apiCalls.get())));
    control.createContext("/ended", ex -> {
      StringBuilder sb = new StringBuilder();
      for (String s : ended) {
        sb.append(s).append('\n');
      }
      reply(ex, 200, sb.toString());
    });
    control.createContext("/reset", ex -> {
      ended.clear();
      done.set(0);
      failed.set(0);
      writes.set(0);
      retries.set(0);
      apiCalls.set(0);
      reply(ex, 200, "{\"ok\":true}");
    });
    control.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      scheduler.stop();
      control.stop(0);
      hikari.close();
    }, "peer-shutdown"));
    scheduler.start();
    System.out.println("peer ready: db-scheduler 16.7.1, " + threads + " threads, lock-and-fetch (" + lower + ", "
        + upper + "), polling every " + pollMs + " ms, pool " + pool);
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(b);
    }
  }

  /** The four Machines API calls of one machine operation, blocking, as a db-scheduler task would make them. */
  static final class Api {
    private final HttpClient http;
    private final String base;
    private final String token;
    private final int leaseTtl;
    private final AtomicLong retries;
    private final AtomicLong calls;

    Api(HttpClient http, String base, String token, int leaseTtl, AtomicLong retries, AtomicLong calls) {
      this.http = http;
      this.base = base;
      this.token = token;
      this.leaseTtl = leaseTtl;
      this.retries = retries;
      this.calls = calls;
    }

    void run(String action, String app, String machine) {
      String m = base + "/v1/apps/" + app + "/machines/" + machine;
      String body = send("POST", m + "/lease", null, "{\"ttl\":" + leaseTtl + ",\"description\":\"db-scheduler bench\"}");
      Matcher n = NONCE.matcher(body);
      if (!n.find()) {
        throw new IllegalStateException("lease answer without a nonce: " + body);
      }
      String nonce = n.group(1);
      try {
        send("POST", m + "/" + action, nonce, null);
        send("GET", m + "/wait?state=started&timeout=60", null, null);
      } finally {
        send("DELETE", m + "/lease", nonce, null);
      }
    }

    private String send(String method, String url, String nonce, String json) {
      for (int attempt = 1; ; attempt++) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(90))
            .header("Authorization", "Bearer " + token);
        if (nonce != null) {
          b.header("fly-machine-lease-nonce", nonce);
        }
        if (json != null) {
          b.header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
          b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> res;
        try {
          calls.incrementAndGet();
          res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
          throw new IllegalStateException(method + " " + url + ": " + e, e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
        int s = res.statusCode();
        if (s >= 200 && s < 300) {
          return res.body();
        }
        if ((s == 429 || s >= 500) && attempt < 8) {
          retries.incrementAndGet();
          long wait = res.headers().firstValue("retry-after").map(v -> (long) (Double.parseDouble(v) * 1000))
              .orElse(200L << Math.min(5, attempt - 1));
          try {
            Thread.sleep(Math.min(wait, 5000));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
          }
          continue;
        }
        throw new IllegalStateException(method + " " + url + " answered " + s + ": " + res.body());
      }
    }
  }

  // ------------------------------------------------------------------ counting SQL writes

  /**
   * A data source whose statements count the writes they execute (INSERT, UPDATE, DELETE, including
   * db-scheduler's {@code UPDATE … RETURNING} lock-and-fetch run through {@code executeQuery}); a batch counts once.
   */
  static DataSource counting(DataSource ds, AtomicLong writes) {
    return (DataSource) Proxy.newProxyInstance(JobsPeer.class.getClassLoader(), new Class<?>[] {DataSource.class},
        (proxy, method, args) -> {
          Object r = invoke(ds, method, args);
          return r instanceof Connection c ? connection(c, writes) : r;
        });
  }

  private static Connection connection(Connection c, AtomicLong writes) {
    return (Connection) Proxy.newProxyInstance(JobsPeer.class.getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, method, args) -> {
          Object r = invoke(c, method, args);
          if (r instanceof PreparedStatement ps && args != null && args.length > 0 && args[0] instanceof String sql) {
            return statement(ps, PreparedStatement.class, sql, writes);
          }
          if (r instanceof Statement st && !(r instanceof PreparedStatement)) {
            return statement(st, Statement.class, null, writes);
          }
          return r;
        });
  }

  private static Object statement(Statement st, Class<?> type, String preparedSql, AtomicLong writes) {
    InvocationHandler h = (proxy, method, args) -> {
      String name = method.getName();
      if (name.startsWith("execute")) {
        String sql = args != null && args.length > 0 && args[0] instanceof String s ? s : preparedSql;
        if (name.equals("executeBatch") || name.equals("executeLargeBatch") || isWrite(sql)) {
          writes.incrementAndGet();
        }
      }
      return invoke(st, method, args);
    };
    return Proxy.newProxyInstance(JobsPeer.class.getClassLoader(), new Class<?>[] {type}, h);
  }

  static boolean isWrite(String sql) {
    if (sql == null) {
      return false;
    }
    String s = sql.stripLeading().toLowerCase(Locale.ROOT);
    return s.startsWith("insert") || s.startsWith("update") || s.startsWith("delete") || s.startsWith("with");
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
