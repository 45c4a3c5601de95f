package dev.flightdeck.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The command-line client of a running Flightdeck: {@code jobs}, {@code schedules},
 * {@code policies} and {@code fleet}, each with {@code --help}. Human output by default (tables,
 * summaries, ages in human units), {@code --output json} for scripts. An API error is one line on
 * stderr and exit code 1; a usage error prints the command's usage and exits 2.
 */
public final class Cli {

  /** Where commands write, and what they know of the environment. */
  record Io(Map<String, String> env, PrintStream out, PrintStream err, boolean tty) {}

  /** Options every client command takes. */
  static final class ClientOptions {
    @Option(names = "--server", paramLabel = "URL",
        description = "Flightdeck's job API (default: $FLIGHTDECK_URL, else http://127.0.0.1:8080)")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN",
        description = "API token (default: $FLIGHTDECK_TOKEN, else ./data/api-token)")
    String token;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
        description = "text (default) or json")
    Format output;
  }

  enum Format { text, json }

  private Cli() {}

  static List<Object> commands(Io io) {
    return List.of(new Jobs(io), new Schedules(io), new Policies(io), new Fleet(io));
  }

  /** The client commands, for {@link dev.flightdeck.Main} to add under its own. */
  public static List<Object> clientCommands(Map<String, String> env, PrintStream out, PrintStream err) {
    return commands(new Io(env, out, err, System.console() != null));
  }

  /** Runs one client command ({@code args} starts with its noun); returns the exit code. */
  public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err, boolean tty) {
    Io io = new Io(env, out, err, tty);
    CommandLine root = new CommandLine(new Root());
    for (Object c : commands(io)) {
      root.addSubcommand(c);
    }
    return execute(root, args.toArray(String[]::new), io);
  }

  /** Executes {@code args} on {@code root} with Flightdeck's error handling. */
  public static int execute(CommandLine root, String[] args, Map<String, String> env, PrintStream out,
      PrintStream err) {
    return execute(root, args, new Io(env, out, err, System.console() != null));
  }

  static int execute(CommandLine root, String[] args, Io io) {
    root.setOut(new PrintWriter(io.out(), true));
    root.setErr(new PrintWriter(io.err(), true));
    root.setCaseInsensitiveEnumValuesAllowed(true);
    root.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      if (ex instanceof CliFailure f) {
        io.err().println("flightdeck: " + f.getMessage());
        if (f.code == 2) {
          cmd.usage(io.err());
        }
        return f.code;
      }
      throw ex;
    });
    root.setParameterExceptionHandler((ex, a) -> {
      io.err().println("flightdeck: " + ex.getMessage());
      ex.getCommandLine().usage(io.err());
      return 2;
    });
    return root.execute(args);
  }

  @Command(name = "flightdeck", mixinStandardHelpOptions = true, description = "Flightdeck's command-line client.")
  static final class Root implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      throw new CommandLine.ParameterException(spec.commandLine(), "say what to do");
    }
  }

  /** A noun without a verb: its usage, exit 2. */
  abstract static class Noun implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      throw new CommandLine.ParameterException(spec.commandLine(), "say what to do with " + spec.name());
    }
  }

  // ------------------------------------------------------------------ jobs

  @Command(name = "jobs", mixinStandardHelpOptions = true, description = "Submit, follow and manage jobs.")
  static final class Jobs extends Noun {
    private final Io io;

    Jobs(Io io) {
      this.io = io;
    }

    @Command(name = "submit", mixinStandardHelpOptions = true, description = "Submit a job from a JSON file.")
    int submit(@Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE",
        description = "the job as JSON (- for stdin)") String file,
        @Option(names = "--watch", description = "follow the job to its end") boolean watch,
        @Mixin ClientOptions o) {
      ApiClient api = client(o);
      JsonObject job = api.call("POST", "/v1/jobs", ApiClient.readBody(file));
      if (o.output == Format.json || job.containsKey("plan")) {
        io.out().println(job.encodePrettily());
      } else {
        io.out().println(job.getString("id") + " " + job.getString("state") + " (" + job.getString("app") + " "
            + job.getString("kind") + ")");
      }
      return watch ? new Watch(io, api, job.getString("id")).run() : 0;
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show a job: a summary, or all of it as JSON.")
    int get(@Parameters(paramLabel = "ID") String id, @Mixin ClientOptions o) {
      JsonObject j = client(o).call("GET", "/v1/jobs/" + enc(id), null);
      if (o.output == Format.json) {
        io.out().println(j.encodePrettily());
      } else {
        io.out().print(JobSummary.of(j, Instant.now()));
      }
      return 0;
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a queued or running job.")
    int cancel(@Parameters(paramLabel = "ID") String id, @Mixin ClientOptions o) {
      JsonObject j = client(o).call("POST", "/v1/jobs/" + enc(id) + "/cancel", new JsonObject());
      return o.output == Format.json ? json(j) : line(j.getString("id") + " " + j.getString("state")
          + (j.getBoolean("cancel_requested", false) && !"cancelled".equals(j.getString("state"))
              ? " (cancel requested: its running operations stop at their next step)" : ""));
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List jobs, newest first.")
    int list(@Option(names = "--app") String app, @Option(names = "--state",
            description = "queued, running, succeeded, failed or cancelled") String state,
        @Option(names = "--kind") String kind, @Option(names = "--limit", defaultValue = "20") int limit,
        @Mixin ClientOptions o) {
      StringBuilder q = new StringBuilder("/v1/jobs?limit=" + limit);
      query(q, "app", app);
      query(q, "state", state);
      query(q, "kind", kind);
      JsonObject page = client(o).call("GET", q.toString(), null);
      if (o.output == Format.json) {
        return json(page);
      }
      Instant now = Instant.now();
      return table(page.getJsonArray("jobs", new JsonArray()), List.of("ID", "STATE", "KIND", "APP", "PROGRESS",
          "CREATED"), j -> {
            JsonObject p = j.getJsonObject("progress", new JsonObject());
            return List.of(j.getString("id"), j.getString("state"), j.getString("kind"), j.getString("app"),
                (p.getInteger("succeeded", 0) + p.getInteger("skipped", 0)) + "/" + p.getInteger("total", 0)
                    + (p.getInteger("failed", 0) > 0 ? " (" + p.getInteger("failed") + " failed)" : ""),
                Human.age(j.getString("created_at"), now));
          });
    }

    @Command(name = "watch", mixinStandardHelpOptions = true,
        description = "Follow a job to its end; exit 0 only if it succeeded. Survives server restarts.")
    int watch(@Parameters(paramLabel = "ID") String id, @Mixin ClientOptions o) {
      return new Watch(io, client(o), enc(id)).run();
    }

    private ApiClient client(ClientOptions o) {
      return new ApiClient(o.server, o.token, io.env());
    }

    private int json(JsonObject o) {
      io.out().println(o.encodePrettily());
      return 0;
    }

    private int line(String s) {
      io.out().println(s);
      return 0;
    }

    private int table(JsonArray rows, List<String> header, Function<JsonObject, List<String>> cells) {
      return Cli.table(io.out(), rows, header, cells);
    }
  }

  // ------------------------------------------------------------------ schedules

  @Command(name = "schedules", mixinStandardHelpOptions = true, description = "Cron schedules that submit jobs.")
  static final class Schedules extends Noun {
    private final Io io;

    Schedules(Io io) {
      this.io = io;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List schedules.")
    int list(@Option(names = "--limit", defaultValue = "100") int limit, @Mixin ClientOptions o) {
      return listed(io, o, "/v1/schedules?limit=" + limit, "schedules", List.of("ID", "APP/NAME", "CRON",
          "TIME ZONE", "NEXT"), s -> List.of(s.getString("id"), s.getString("app") + "/" + s.getString("name"),
              s.getString("cron"), s.getString("time_zone"), s.getBoolean("paused", false) ? "paused"
                  : String.valueOf(s.getString("next_fire_at"))));
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show a schedule (JSON).")
    int get(@Parameters(paramLabel = "ID") String id, @Mixin ClientOptions o) {
      return print(io, o, "GET", "/v1/schedules/" + enc(id), null);
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a schedule from a JSON file.")
    int create(@Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE") String file,
        @Mixin ClientOptions o) {
      return print(io, o, "POST", "/v1/schedules", ApiClient.readBody(file));
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a schedule.")
    int delete(@Parameters(paramLabel = "ID") String id, @Mixin ClientOptions o) {
      return deleted(io, o, "/v1/schedules/", id);
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Pause a schedule.")
    int pause(@Parameters(paramLabel = "ID") String id, @Mixin ClientOptions o) {
      return print(io, o, "POST", "/v1/schedules/" + enc(id) + "/pause", new JsonObject());
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume a paused schedule.")
    int resume(@Parameters(paramLabel = "ID") String id, @Mixin ClientOptions o) {
      return print(io, o, "POST", "/v1/schedules/" + enc(id) + "/resume", new JsonObject());
    }

    @Command(name = "trigger", mixinStandardHelpOptions = true, description = "Fire a schedule's job now.")
    int trigger(@Parameters(paramLabel = "ID") String id, @Mixin ClientOptions o) {
      return print(io, o, "POST", "/v1/schedules/" + enc(id) + "/trigger", new JsonObject());
    }
  }

  // ------------------------------------------------------------------ policies

  @Command(name = "policies", mixinStandardHelpOptions = true, description = "Autoscaling policies.")
  static final class Policies extends Noun {
    private final Io io;

    Policies(Io io) {
      this.io = io;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List scaling policies.")
    int list(@Option(names = "--limit", defaultValue = "100") int limit, @Mixin ClientOptions o) {
      return listed(io, o, "/v1/scaling-policies?limit=" + limit, "policies", List.of("ID", "APP/NAME", "GROUP",
          "STARTED"), p -> List.of(p.getString("id"), p.getString("app") + "/" + p.getString("name"),
              p.getString("process_group"), p.getInteger("min") + "-" + p.getInteger("max")));
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show a policy (JSON).")
    int get(@Parameters(paramLabel = "ID") String id, @Mixin ClientOptions o) {
      return print(io, o, "GET", "/v1/scaling-policies/" + enc(id), null);
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a policy from a JSON file.")
    int create(@Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE") String file,
        @Mixin ClientOptions o) {
      return print(io, o, "POST", "/v1/scaling-policies", ApiClient.readBody(file));
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a policy.")
    int delete(@Parameters(paramLabel = "ID") String id, @Mixin ClientOptions o) {
      return deleted(io, o, "/v1/scaling-policies/", id);
    }

    @Command(name = "decisions", mixinStandardHelpOptions = true, description = "A policy's recent decisions.")
    int decisions(@Parameters(paramLabel = "ID") String id, @Mixin ClientOptions o) {
      return listed(io, o, "/v1/scaling-policies/" + enc(id) + "/decisions", "decisions", List.of("AT", "OUTCOME",
          "DIRECTION",
          "REASON", "JOB"), d -> List.of(d.getString("at"), d.getString("outcome"), d.getString("direction", ""),
              d.getString("reason"), d.getString("job_id", "")));
    }
  }

  // ------------------------------------------------------------------ fleet

  @Command(name = "fleet", mixinStandardHelpOptions = true, description = "The cached fleet model.")
  static final class Fleet extends Noun {
    private final Io io;

    Fleet(Io io) {
      this.io = io;
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List an app's machines.")
    int ls(@Parameters(paramLabel = "APP") String app, @Option(names = "--state") String state,
        @Option(names = "--process-group") String group, @Option(names = "--region") String region,
        @Mixin ClientOptions o) {
      StringBuilder q = new StringBuilder("/v1/fleet/apps/" + enc(app) + "/machines?x=1");
      query(q, "state", state);
      query(q, "process_group", group);
      query(q, "region", region);
      JsonObject f = new ApiClient(o.server, o.token, io.env()).call("GET", q.toString(), null);
      if (o.output == Format.json) {
        io.out().println(f.encodePrettily());
        return 0;
      }
      table(io.out(), f.getJsonArray("machines", new JsonArray()), List.of("ID", "STATE", "REGION", "GROUP", "NAME"),
          m -> List.of(m.getString("id"), m.getString("state"), m.getString("region"),
              String.valueOf(m.getString("process_group")), String.valueOf(m.getString("name"))));
      io.out().println(f.getInteger("count") + " machines, data " + Human.duration(f.getLong("age_ms", 0L)) + " old"
          + (f.getBoolean("stale", false) ? " (stale)" : ""));
      return 0;
    }
  }

  // ------------------------------------------------------------------ helpers

  /** Follows a job's event stream to its end, reconnecting with backoff when the server goes away. */
  static final class Watch {
    private final Io io;
    private final ApiClient api;
    private final String id;

    Watch(Io io, ApiClient api, String id) {
      this.io = io;
      this.api = api;
      this.id = id;
    }

    int run() {
      ProgressBar bar = new ProgressBar(io.out(), io.tty(), ProgressBar.terminalColumns(io.env(), io.tty()),
          System::currentTimeMillis);
      String[] state = {"queued"};
      JsonObject[] progress = {new JsonObject()};
      boolean[] ended = {false};
      Thread onInterrupt = new Thread(() -> {
        if (!ended[0]) {
          io.err().println("\nstopped watching; job " + id + " keeps running (jobs watch " + id
              + " follows it again)");
        }
      });
      Runtime.getRuntime().addShutdownHook(onInterrupt);
      try {
        long backoffMs = 250;
        boolean lost = false;
        while (!ended[0]) {
          try (Stream<String> lines = api.stream("/v1/jobs/" + id + "/events")) {
            if (lost) {
              io.err().println("reconnected to " + api.server);
              lost = false;
            }
            backoffMs = 250;
            String[] event = {""};
            lines.forEach(line -> {
              if (line.startsWith("event:")) {
                event[0] = line.substring(6).trim();
              } else if (line.startsWith("data:")) {
                JsonObject ev = new JsonObject(line.substring(5).trim());
                if (ev.getJsonObject("progress") != null) {
                  state[0] = ev.getString("state", state[0]);
                  progress[0] = ev.getJsonObject("progress");
                  if ("end".equals(event[0])) {
                    ended[0] = true;
                  } else {
                    bar.update(progress[0], state[0]);
                  }
                }
              }
            });
          } catch (IOException | java.io.UncheckedIOException e) {
            // the server went away (a restart, a deploy): the stream resumes with a fresh snapshot
          }
          if (!ended[0]) {
            if (!lost) {
              io.err().println((io.tty() ? "\n" : "") + "lost the connection to " + api.server + "; reconnecting");
              lost = true;
            }
            sleep(backoffMs);
            backoffMs = Math.min(5_000, backoffMs * 2);
          }
        }
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(onInterrupt);
        } catch (IllegalStateException e) {
          // already shutting down
        }
      }
      bar.finish(progress[0], state[0]);
      io.out().println(id + " " + state[0]);
      return state[0].equals("succeeded") ? 0 : 1;
    }

    private static void sleep(long ms) {
      try {
        Thread.sleep(ms); // the CLI's reconnect backoff: a plain blocking program, not an event loop
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliFailure(1, "interrupted");
      }
    }
  }

  /** A list: the page as JSON, or its {@code key} array as a table. */
  private static int listed(Io io, ClientOptions o, String path, String key, List<String> header,
      Function<JsonObject, List<String>> cells) {
    JsonObject page = new ApiClient(o.server, o.token, io.env()).call("GET", path, null);
    if (o.output == Format.json) {
      io.out().println(page.encodePrettily());
      return 0;
    }
    return table(io.out(), page.getJsonArray(key, new JsonArray()), header, cells);
  }

  private static int deleted(Io io, ClientOptions o, String collection, String id) {
    new ApiClient(o.server, o.token, io.env()).call("DELETE", collection + enc(id), null);
    io.out().println("deleted " + id);
    return 0;
  }

  private static int print(Io io, ClientOptions o, String method, String path, JsonObject body) {
    JsonObject res = new ApiClient(o.server, o.token, io.env()).call(method, path, body);
    io.out().println(res.encodePrettily());
    return 0;
  }

  /** A table with a header row; "(none)" when empty. */
  static int table(PrintStream out, JsonArray rows, List<String> header, Function<JsonObject, List<String>> cells) {
    if (rows.isEmpty()) {
      out.println("(none)");
      return 0;
    }
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    for (Object o : rows) {
      all.add(cells.apply((JsonObject) o).stream().map(c -> c == null ? "" : c).toList());
    }
    int[] widths = new int[header.size()];
    for (List<String> r : all) {
      for (int i = 0; i < r.size(); i++) {
        widths[i] = Math.max(widths[i], r.get(i).length());
      }
    }
    for (List<String> r : all) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < r.size(); i++) {
        b.append(i == r.size() - 1 ? r.get(i) : r.get(i) + " ".repeat(widths[i] - r.get(i).length() + 2));
      }
      out.println(b.toString().stripTrailing());
    }
    return 0;
  }

  private static void query(StringBuilder q, String key, String value) {
    if (value != null) {
      q.append('&').append(key).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }
  }

  private static String enc(String arg) {
    if (arg == null || arg.isBlank()) {
      throw new CliFailure(2, "an id (or app) is needed");
    }
    return URLEncoder.encode(arg, StandardCharsets.UTF_8);
  }

  /** Durations and ages in human units. */
  static final class Human {
    private Human() {}

    static String duration(long ms) {
      Duration d = Duration.ofMillis(ms);
      if (ms < 1_000) {
        return ms + " ms";
      }
      if (ms < 60_000) {
        return String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
      }
      if (ms < 3_600_000) {
        return d.toMinutes() + " min " + d.toSecondsPart() + " s";
      }
      if (ms < 86_400_000) {
        return d.toHours() + " h " + d.toMinutesPart() + " min";
      }
      return d.toDays() + " d " + d.toHoursPart() + " h";
    }

    static String age(String iso, Instant now) {
      if (iso == null) {
        return "";
      }
      try {
        long ms = Math.max(0, now.toEpochMilli() - Instant.parse(iso).toEpochMilli());
        return ms < 1_000 ? "just now" : duration(ms).replaceAll("\\.\\d s$", " s") + " ago";
      } catch (RuntimeException e) {
        return iso;
      }
    }
  }
}
