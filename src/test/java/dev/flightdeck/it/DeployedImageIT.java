package dev.flightdeck.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.flightdeck.testing.ChildProcess;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar started exactly as the shipped image starts it: the runtime stage's {@code ENV}
 * lines and {@code ENTRYPOINT} + {@code CMD}, parsed from the {@code Dockerfile}, in its
 * {@code WORKDIR} with the files it copies in; and again with {@code fly.toml}'s {@code [env]} on
 * top, as Fly runs it. There is no Docker engine here, so the image's filesystem is laid out under a
 * temporary root: absolute paths of the image (the jar, the working directory, the volume) are
 * mapped into it; nothing else is changed. Ports are the image's defaults, so nothing else may
 * listen on them.
 */
class DeployedImageIT {

  private static final Duration START = Duration.ofSeconds(60);
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  Path dir;

  /** The image's filesystem: what it copies in, its working directory and volumes, under {@code root}. */
  private static Path layOut(Dockerfile image, Path root) throws IOException {
    for (Dockerfile.Copy c : image.copies()) {
      Path source;
      if (c.from() == null) {
        source = Path.of(c.source()); // the build context: the project directory
      } else {
        assertThat(c.source()).as("copied from the build stage's working directory").startsWith(image.buildWorkdir());
        source = Path.of(image.buildWorkdir()).relativize(Path.of(c.source()));
      }
      Path target = inImage(root, c.destination());
      Files.createDirectories(target.getParent());
      Files.copy(source, target);
    }
    Files.createDirectories(inImage(root, image.workdir()));
    for (String v : image.volumes()) {
      Files.createDirectories(inImage(root, v));
    }
    return root;
  }

  private static Path inImage(Path root, String absolute) {
    assertThat(absolute).startsWith("/");
    return root.resolve(absolute.substring(1));
  }

  /** An environment value naming a path of the image (a volume, the working directory) is mapped under root. */
  private static Map<String, String> mapPaths(Dockerfile image, Path root, Map<String, String> env) {
    List<String> imagePaths = new ArrayList<>(image.volumes());
    imagePaths.add(image.workdir());
    Map<String, String> out = new LinkedHashMap<>();
    env.forEach((k, v) -> out.put(k, imagePaths.stream().anyMatch(p -> v.equals(p) || v.startsWith(p + "/"))
        ? inImage(root, v).toString() : v));
    return out;
  }

  private static List<String> command(Dockerfile image, Path root) {
    List<String> out = new ArrayList<>();
    for (String word : image.command()) {
      if (word.equals("java")) {
        out.add(Path.of(System.getProperty("java.home"), "bin", "java").toString()); // the image's JRE on PATH
      } else if (word.startsWith("/")) {
        out.add(inImage(root, word).toString());
      } else {
        out.add(word);
      }
    }
    return out;
  }

  private static void assertFree(int... ports) {
    for (int port : ports) {
      try (ServerSocket s = new ServerSocket(port)) {
        s.setReuseAddress(true);
      } catch (IOException e) {
        throw new AssertionError("port " + port + " (the image's default) is in use; stop what listens there", e);
      }
    }
  }

  private static HttpResponse<String> get(String url, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Starts the image's command with {@code env}; checks it serves, is ready and stops cleanly on SIGTERM. */
  private ChildProcess runImage(Dockerfile image, Path root, Map<String, String> env, Duration killTimeout)
      throws Exception {
    JsonObject conf = new JsonObject(Files.readString(inImage(root, image.workdir()).resolve("conf/flightdeck.json")));
    int api = conf.getJsonObject("api").getInteger("port");
    int mgmt = conf.getJsonObject("management").getInteger("port");
    assertFree(api, mgmt, conf.getJsonObject("sim").getInteger("port"));
    ChildProcess p = ChildProcess.start(command(image, root), inImage(root, image.workdir()), env, false);
    try {
      p.awaitLine("Flightdeck ready", START);
      assertThat(p.outputText()).doesNotContain("invalid configuration");
      ProcessCluster.await(() -> get("http://127.0.0.1:" + mgmt + "/ready", null).statusCode() == 200,
          Duration.ofSeconds(30), "/ready 200 on the management port");
      assertThat(get("http://127.0.0.1:" + api + "/health", null).statusCode()).isEqualTo(200);
      assertThat(p.rawOutput()).as("FLIGHTDECK_LOG_FORMAT=json: log lines are JSON")
          .filteredOn(l -> l.contains("Flightdeck ready")).singleElement()
          .satisfies(l -> assertThat(new JsonObject(l).getString("level")).isEqualTo("INFO"));

      Path data = Path.of(env.get("FLIGHTDECK_STORE__DATA_DIR"));
      assertThat(data).as("the data directory is the volume").startsWith(root);
      assertThat(data.resolve("flightdeck.db")).exists();
      String token = Files.readString(data.resolve("api-token")).strip();
      assertThat(get("http://127.0.0.1:" + api + "/v1/jobs", token).statusCode()).isEqualTo(200);

      p.terminate();
      assertThat(p.waitFor(killTimeout)).as("exit code after SIGTERM").isZero();
      assertThat(p.outputText()).contains("Shut down cleanly");
      return p;
    } finally {
      p.close();
    }
  }

  @Test
  void the_image_starts_with_its_declared_environment_and_command_and_gets_ready() throws Exception {
    Dockerfile image = Dockerfile.parse(Path.of("Dockerfile"));
    assertThat(image.env()).containsKey("FLIGHTDECK_LOG_FORMAT").containsKey("FLIGHTDECK_STORE__DATA_DIR")
        .containsKey("JAVA_TOOL_OPTIONS");
    assertThat(image.command()).as("java -jar … serve").contains("serve");
    Path root = layOut(image, dir.resolve("root"));

    ChildProcess p = runImage(image, root, mapPaths(image, root, image.env()), Duration.ofSeconds(30));
    assertThat(p.outputText()).as("the image's JVM flags applied").contains("Picked up JAVA_TOOL_OPTIONS");
  }

  @Test
  void with_fly_toml_env_on_top_it_gets_ready_and_stops_within_the_kill_timeout() throws Exception {
    Dockerfile image = Dockerfile.parse(Path.of("Dockerfile"));
    JsonNode toml = new TomlMapper().readTree(Files.readString(Path.of("fly.toml")));
    Path root = layOut(image, dir.resolve("root"));

    Map<String, String> env = new LinkedHashMap<>(image.env());
    toml.get("env").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
    // what Fly itself sets on every machine (the FLY_API_TOKEN secret is deliberately not set here)
    env.put("FLY_APP_NAME", toml.get("app").asText());
    env.put("FLY_MACHINE_ID", "e7843d4a1e2318");
    env.put("FLY_REGION", toml.get("primary_region").asText());
    Duration killTimeout = Duration.ofSeconds(Long.parseLong(toml.get("kill_timeout").asText().replace("s", "")));

    ChildProcess p = runImage(image, root, mapPaths(image, root, env), killTimeout);
    assertThat(p.outputText()).contains("Instance id e7843d4a1e2318")
        .as("without the token secret it says loudly that the machines are simulated")
        .contains("there is no FLY_API_TOKEN: jobs act on SIMULATED machines");
  }
}
