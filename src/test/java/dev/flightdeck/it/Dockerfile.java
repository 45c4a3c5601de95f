package dev.flightdeck.it;

import io.vertx.core.json.JsonArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runtime stage of a Dockerfile (the one after the last {@code FROM}) as far as a test needs it
 * to start the jar the way the image would: its environment, working directory, volumes, files
 * copied in, and entrypoint plus command.
 */
record Dockerfile(Map<String, String> env, String workdir, List<String> volumes, List<Copy> copies,
    List<String> entrypoint, List<String> cmd, String buildWorkdir) {

  /** {@code COPY [--from=stage] src dst}. */
  record Copy(String from, String source, String destination) {}

  static Dockerfile parse(Path file) throws IOException {
    List<String> stages = new ArrayList<>();
    StringBuilder stage = null;
    for (String instruction : instructions(Files.readString(file))) {
      if (keyword(instruction).equals("FROM")) {
        if (stage != null) {
          stages.add(stage.toString());
        }
        stage = new StringBuilder();
      }
      if (stage != null) {
        stage.append(instruction).append('\n');
      }
    }
    if (stage == null) {
      throw new IllegalArgumentException(file + " has no FROM");
    }
    stages.add(stage.toString());
    String buildWorkdir = "/";
    for (String instruction : stages.get(0).split("\n")) {
      if (keyword(instruction).equals("WORKDIR")) {
        buildWorkdir = rest(instruction);
      }
    }
    Map<String, String> env = new LinkedHashMap<>();
    String workdir = "/";
    List<String> volumes = new ArrayList<>();
    List<Copy> copies = new ArrayList<>();
    List<String> entrypoint = List.of();
    List<String> cmd = List.of();
    for (String instruction : stages.get(stages.size() - 1).split("\n")) {
      String rest = rest(instruction);
      switch (keyword(instruction)) {
        case "ENV" -> env.putAll(envPairs(rest));
        case "WORKDIR" -> workdir = rest.startsWith("/") ? rest : Path.of(workdir, rest).toString();
        case "VOLUME" -> volumes.addAll(rest.startsWith("[") ? strings(rest) : List.of(rest.split("\\s+")));
        case "COPY" -> {
          List<String> words = new ArrayList<>(List.of(rest.split("\\s+")));
          String from = null;
          if (words.get(0).startsWith("--from=")) {
            from = words.remove(0).substring("--from=".length());
          }
          copies.add(new Copy(from, words.get(0), words.get(1)));
        }
        case "ENTRYPOINT" -> entrypoint = strings(rest);
        case "CMD" -> cmd = strings(rest);
        default -> { }
      }
    }
    return new Dockerfile(env, workdir, volumes, copies, entrypoint, cmd, buildWorkdir);
  }

  /** The command the image runs: the entrypoint followed by the command. */
  List<String> command() {
    List<String> out = new ArrayList<>(entrypoint);
    out.addAll(cmd);
    return out;
  }

  /** Instructions with comments dropped and continuation lines joined. */
  private static List<String> instructions(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\n")) {
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      out.add(current.toString().strip());
      current.setLength(0);
    }
    return out;
  }

  private static String keyword(String instruction) {
    int space = instruction.indexOf(' ');
    return (space < 0 ? instruction : instruction.substring(0, space)).toUpperCase(java.util.Locale.ROOT);
  }

  private static String rest(String instruction) {
    int space = instruction.indexOf(' ');
    return space < 0 ? "" : instruction.substring(space + 1).strip();
  }

  /** Exec form: a JSON array of strings (shell form is not used by our Dockerfile and is refused). */
  private static List<String> strings(String json) {
    if (!json.startsWith("[")) {
      throw new IllegalArgumentException("only the exec (JSON) form is supported: " + json);
    }
    List<String> out = new ArrayList<>();
    new JsonArray(json).forEach(o -> out.add((String) o));
    return out;
  }

  /** {@code K=V K2="v w"}, or the legacy {@code K V}. */
  static Map<String, String> envPairs(String rest) {
    Map<String, String> out = new LinkedHashMap<>();
    int eq = rest.indexOf('=');
    int space = rest.indexOf(' ');
    if (eq < 0 || (space >= 0 && space < eq)) {
      out.put(rest.substring(0, space), rest.substring(space + 1).strip());
      return out;
    }
    int i = 0;
    while (i < rest.length()) {
      while (i < rest.length() && rest.charAt(i) == ' ') {
        i++;
      }
      if (i >= rest.length()) {
        break;
      }
      int keyEnd = rest.indexOf('=', i);
      String key = rest.substring(i, keyEnd);
      StringBuilder value = new StringBuilder();
      int j = keyEnd + 1;
      char quote = 0;
      for (; j < rest.length(); j++) {
        char c = rest.charAt(j);
        if (quote != 0) {
          if (c == quote) {
            quote = 0;
          } else if (c == '\\' && quote == '"' && j + 1 < rest.length()) {
            value.append(rest.charAt(++j));
          } else {
            value.append(c);
          }
        } else if (c == '"' || c == '\'') {
          quote = c;
        } else if (c == ' ') {
          break;
        } else if (c == '\\' && j + 1 < rest.length()) {
          value.append(rest.charAt(++j));
        } else {
          value.append(c);
        }
      }
      out.put(key, value.toString());
      i = j;
    }
    return out;
  }
}
