package dev.flightdeck.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The command line client: talks to a running Flightdeck over HTTP. Server from {@code --server}
 * or {@code FLIGHTDECK_URL} (default http://127.0.0.1:8080); token from {@code --token},
 * {@code FLIGHTDECK_TOKEN}, or {@code data/api-token}. An API error is one line on stderr and a
 * non-zero exit code (1; 2 for a usage error).
 */
public final class Cli {

  static final String USAGE = """
      usage: java -jar flightdeck.jar COMMAND [--server URL] [--token TOKEN]

        jobs submit -f FILE [--watch]      submit a job (FILE: JSON, or - for stdin)
        jobs get ID | jobs cancel ID       show / cancel a job
        jobs list [--app A] [--state S] [--kind K] [--limit N]
        jobs watch ID                      follow a job to its end (a progress bar on a terminal)
        schedules list | get ID | create -f FILE | delete ID | pause ID | resume ID | trigger ID
        policies list | get ID | create -f FILE | delete ID | decisions ID
        fleet ls APP [--state S] [--process-group G] [--region R]

      server: --server, $FLIGHTDECK_URL (default http://127.0.0.1:8080)
      token:  --token, $FLIGHTDECK_TOKEN, or ./data/api-token
      """;

  /** A failure to report as one line. */
  static final class Failure extends Exception {
    final int code;

    Failure(int code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  private final PrintStream out;
  private final PrintStream err;
  private final boolean tty;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build(); // no h2c upgrade: one such request hung a test run
  private String server;
  private String token;

  private Cli(PrintStream out, PrintStream err, boolean tty) {
    this.out = out;
    this.err = err;
    this.tty = tty;
  }

  /** Runs one command; returns the exit code. */
  public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err, boolean tty) {
    Cli cli = new Cli(out, err, tty);
    try {
      return cli.dispatch(args, env);
    } catch (Failure f) {
      err.println("flightdeck: " + f.getMessage());
      if (f.code == 2) {
        err.println();
        err.print(USAGE);
      }
      return f.code;
    }
  }

  private int dispatch(List<String> all, Map<String, String> env) throws Failure {
    Map<String, String> flags = new LinkedHashMap<>();
    List<String> words = new ArrayList<>();
    for (Iterator<String> it = all.iterator(); it.hasNext(); ) {
      String a = it.next();
      if (a.equals("--watch")) {
        flags.put("watch", "true");
      } else if (a.startsWith("--") && a.contains("=")) {
        flags.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
      } else if (a.startsWith("--") || a.equals("-f")) {
        if (!it.hasNext()) {
          throw new Failure(2, a + " needs a value");
        }
        flags.put(a.equals("-f") ? "file" : a.substring(2), it.next());
      } else {
        words.add(a);
      }
    }
    server = flags.getOrDefault("server", env.getOrDefault("FLIGHTDECK_URL", "http://127.0.0.1:8080"))
        .replaceAll("/+$", "");
    token = flags.getOrDefault("token", env.get("FLIGHTDECK_TOKEN"));
    if (token == null && Files.isRegularFile(Path.of("data", "api-token"))) {
      try {
        token = Files.readString(Path.of("data", "api-token")).trim();
      } catch (IOException e) {
        throw new Failure(1, "cannot read data/api-token: " + e.getMessage());
      }
    }
    if (words.size() < 2) {
      throw new Failure(2, "say what to do");
    }
    String noun = words.get(0);
    String verb = words.get(1);
    String arg = words.size() > 2 ? words.get(2) : null;
    return switch (noun + " " + verb) {
      case "jobs submit" -> submit(flags);
      case "jobs get" -> print(call("GET", "/v1/jobs/" + id(arg), null));
      case "jobs cancel" -> print(call("POST", "/v1/jobs/" + id(arg) + "/cancel", new JsonObject()));
      case "jobs list" -> listJobs(flags);
      case "jobs watch" -> watch(id(arg));
      case "schedules list" -> listOf(call("GET", "/v1/schedules?limit=" + flags.getOrDefault("limit", "100"), null),
          "schedules", s -> s.getString("id") + "  " + s.getString("app") + "/" + s.getString("name") + "  "
              + s.getString("cron") + " " + s.getString("time_zone") + "  next " + s.getString("next_fire_at")
              + (s.getBoolean("paused", false) ? "  (paused)" : ""));
      case "schedules get" -> print(call("GET", "/v1/schedules/" + id(arg), null));
      case "schedules create" -> print(call("POST", "/v1/schedules", body(flags)));
      case "schedules delete" -> deleted(call("DELETE", "/v1/schedules/" + id(arg), null), arg);
      case "schedules pause", "schedules resume", "schedules trigger" ->
          print(call("POST", "/v1/schedules/" + id(arg) + "/" + verb, new JsonObject()));
      case "policies list" -> listOf(call("GET", "/v1/scaling-policies?limit=" + flags.getOrDefault("limit", "100"),
          null), "policies", p -> p.getString("id") + "  " + p.getString("app") + "/" + p.getString("name") + "  "
              + p.getString("process_group") + "  " + p.getInteger("min") + "-" + p.getInteger("max") + " started");
      case "policies get" -> print(call("GET", "/v1/scaling-policies/" + id(arg), null));
      case "policies create" -> print(call("POST", "/v1/scaling-policies", body(flags)));
      case "policies delete" -> deleted(call("DELETE", "/v1/scaling-policies/" + id(arg), null), arg);
      case "policies decisions" -> listOf(call("GET", "/v1/scaling-policies/" + id(arg) + "/decisions", null),
          "decisions", d -> d.getString("at") + "  " + d.getString("outcome") + " " + d.getString("direction", "")
              + "  " + d.getString("reason") + (d.getString("job_id") == null ? "" : "  job " + d.getString("job_id")));
      case "fleet ls" -> fleet(id(arg), flags);
      default -> throw new Failure(2, "unknown command: " + noun + " " + verb);
    };
  }

  private static String id(String arg) throws Failure {
    if (arg == null || arg.isBlank()) {
      throw new Failure(2, "an id (or app) is needed");
    }
    return URLEncoder.encode(arg, StandardCharsets.UTF_8);
  }

  private JsonObject body(Map<String, String> flags) throws Failure {
    String file = flags.get("file");
    if (file == null) {
      throw new Failure(2, "-f FILE (a JSON body, or - for stdin) is required");
    }
    try {
      String text = file.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
          : Files.readString(Path.of(file));
      return new JsonObject(text);
    } catch (IOException e) {
      throw new Failure(1, "cannot read " + file + ": " + e.getMessage());
    } catch (DecodeException | ClassCastException e) {
      throw new Failure(1, file + " is not a JSON object: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  private int submit(Map<String, String> flags) throws Failure {
    JsonObject job = call("POST", "/v1/jobs", body(flags));
    if (job.containsKey("plan")) {
      return print(job); // a dry run
    }
    out.println(job.getString("id") + " " + job.getString("state") + " (" + job.getString("app") + " "
        + job.getString("kind") + ")");
    return flags.containsKey("watch") ? watch(job.getString("id")) : 0;
  }

  private int listJobs(Map<String, String> flags) throws Failure {
    StringBuilder q = new StringBuilder("/v1/jobs?limit=" + flags.getOrDefault("limit", "20"));
    for (String k : List.of("app", "state", "kind")) {
      if (flags.containsKey(k)) {
        q.append('&').append(k).append('=').append(URLEncoder.encode(flags.get(k), StandardCharsets.UTF_8));
      }
    }
    return listOf(call("GET", q.toString(), null), "jobs", j -> {
      JsonObject p = j.getJsonObject("progress");
      return j.getString("id") + "  " + pad(j.getString("state"), 9) + " " + pad(j.getString("kind"), 8) + " "
          + pad(j.getString("app"), 16) + " " + (p.getInteger("succeeded") + p.getInteger("skipped")) + "/"
          + p.getInteger("total") + " done, " + p.getInteger("failed") + " failed";
    });
  }

  private int fleet(String app, Map<String, String> flags) throws Failure {
    StringBuilder q = new StringBuilder("/v1/fleet/apps/" + app + "/machines?x=1");
    for (String k : List.of("state", "region", "process_group", "process-group")) {
      if (flags.containsKey(k)) {
        q.append('&').append(k.replace('-', '_')).append('=')
            .append(URLEncoder.encode(flags.get(k), StandardCharsets.UTF_8));
      }
    }
    JsonObject f = call("GET", q.toString(), null);
    int n = listOf(f, "machines", m -> m.getString("id") + "  " + pad(m.getString("state"), 10) + " "
        + pad(m.getString("region"), 5) + " " + pad(String.valueOf(m.getString("process_group")), 10) + " "
        + m.getString("name"));
    out.println(f.getInteger("count") + " machines, data " + f.getLong("age_ms") + " ms old" + (f.getBoolean("stale",
        false) ? " (stale)" : ""));
    return n;
  }

  /** Follows a job's event stream to its end; exit 0 only if it succeeded. */
  private int watch(String id) throws Failure {
    HttpRequest req = request("GET", "/v1/jobs/" + id + "/events", null).timeout(Duration.ofHours(24)).build();
    HttpResponse<Stream<String>> res;
    try {
      res = http.send(req, HttpResponse.BodyHandlers.ofLines());
    } catch (IOException e) {
      throw new Failure(1, "cannot reach " + server + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure(1, "interrupted");
    }
    if (res.statusCode() != 200) {
      throw new Failure(1, apiError(res.statusCode(), String.join("\n", res.body().toList())));
    }
    String[] state = {"queued"};
    String[] lastLine = {""};
    res.body().forEach(line -> {
      if (!line.startsWith("data:")) {
        return;
      }
      JsonObject ev = new JsonObject(line.substring(5).trim());
      if (!ev.containsKey("progress") || ev.getJsonObject("progress") == null) {
        return;
      }
      state[0] = ev.getString("state", state[0]);
      String text = progressLine(ev.getJsonObject("progress"), state[0]);
      if (tty) {
        out.print("\r" + text + "   ");
        out.flush();
      } else if (!text.equals(lastLine[0])) {
        out.println(text);
      }
      lastLine[0] = text;
    });
    if (tty) {
      out.println();
    }
    out.println(id + " " + state[0]);
    return state[0].equals("succeeded") ? 0 : 1;
  }

  static String progressLine(JsonObject p, String state) {
    int total = Math.max(1, p.getInteger("total", 0));
    int done = p.getInteger("succeeded", 0) + p.getInteger("skipped", 0);
    int failed = p.getInteger("failed", 0) + p.getInteger("cancelled", 0);
    int width = 30;
    int d = done * width / total;
    int f = Math.min(width - d, failed * width / total);
    return "[" + "#".repeat(d) + "x".repeat(f) + "-".repeat(width - d - f) + "] " + done + "/" + p.getInteger("total",
        0) + " done, " + failed + " failed, " + p.getInteger("remaining", 0) + " remaining  " + state;
  }

  private int listOf(JsonObject body, String key, java.util.function.Function<JsonObject, String> line) {
    JsonArray arr = body.getJsonArray(key, new JsonArray());
    for (Object o : arr) {
      out.println(line.apply((JsonObject) o));
    }
    if (arr.isEmpty()) {
      out.println("(none)");
    }
    return 0;
  }

  private int print(JsonObject o) {
    out.println(o.encodePrettily());
    return 0;
  }

  private int deleted(JsonObject ignored, String id) {
    out.println("deleted " + id);
    return 0;
  }

  private static String pad(String s, int n) {
    s = s == null ? "" : s;
    return s.length() >= n ? s : s + " ".repeat(n - s.length());
  }

  private HttpRequest.Builder request(String method, String path, JsonObject body) throws Failure {
    if (token == null) {
      throw new Failure(1, "no API token: pass --token, set FLIGHTDECK_TOKEN, or run where data/api-token is");
    }
    URI uri;
    try {
      uri = URI.create(server + path);
    } catch (IllegalArgumentException e) {
      throw new Failure(2, "not a URL: " + server);
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token);
    if (body != null) {
      b.header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return b;
  }

  private JsonObject call(String method, String path, JsonObject body) throws Failure {
    HttpResponse<String> res;
    try {
      res = http.send(request(method, path, body).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new Failure(1, "cannot reach " + server + ": " + (e.getMessage() == null ? e.getClass().getSimpleName()
          : e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure(1, "interrupted");
    }
    if (res.statusCode() >= 300) {
      throw new Failure(1, apiError(res.statusCode(), res.body()));
    }
    return res.body().isBlank() ? new JsonObject() : new JsonObject(res.body());
  }

  /** "422 invalid_field (params.count): params.count must be …" from the API's error shape. */
  static String apiError(int status, String body) {
    try {
      JsonObject e = new JsonObject(body).getJsonObject("error");
      return status + " " + e.getString("code") + (e.getString("field") == null ? "" : " (" + e.getString("field")
          + ")") + ": " + e.getString("message");
    } catch (RuntimeException ex) {
      return status + ": " + (body.length() > 200 ? body.substring(0, 200) : body);
    }
  }
}
