package dev.flightdeck.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Builds {@link FlightdeckConfig} from four layers, each overriding the one before: the built-in
 * defaults (conf/flightdeck.json, packed into the jar), a config file, environment variables, and
 * command-line flags.
 *
 * <ul>
 *   <li>File: {@code --config PATH}, else {@code $FLIGHTDECK_CONFIG}, else ./conf/flightdeck.json if
 *       it exists.
 *   <li>Environment: {@code FLY_API_TOKEN} and {@code FLY_API_HOSTNAME}, and
 *       {@code FLIGHTDECK_<SECTION>__<KEY>} for any setting, e.g. {@code FLIGHTDECK_API__PORT=9000}.
 *       Only names with a double underscore are settings: the other {@code FLIGHTDECK_*} variables
 *       belong to the logger ({@code FLIGHTDECK_LOG_FORMAT}) or the CLI ({@code FLIGHTDECK_URL},
 *       {@code FLIGHTDECK_TOKEN}) and are left alone.
 *   <li>Flags: {@code --api.port=9000} or {@code --api.port 9000}.
 * </ul>
 */
public final class ConfigLoader {

  public static final String DEFAULTS_RESOURCE = "/flightdeck.json";
  private static final String ENV_PREFIX = "FLIGHTDECK_";

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .build();

  /** Variables of ours that are not settings (the logger's and the CLI's). */
  private static final java.util.Set<String> NOT_SETTINGS = java.util.Set.of("FLIGHTDECK_CONFIG",
      "FLIGHTDECK_LOG_FORMAT", "FLIGHTDECK_URL", "FLIGHTDECK_TOKEN");

  /**
   * The parsed config, the arguments that were not flags (the subcommand and its operands), and
   * warnings to log once logging is up (variables that look like misspelt settings).
   */
  public record Loaded(FlightdeckConfig config, List<String> arguments, String source, List<String> warnings) {}

  private ConfigLoader() {}

  public static Loaded load(List<String> args, Map<String, String> env) {
    return load(args, env, Path.of("conf", "flightdeck.json"));
  }

  static Loaded load(List<String> args, Map<String, String> env, Path conventionalFile) {
    JsonObject defaults = defaults();
    JsonObject merged = defaults.copy();

    List<String> positional = new ArrayList<>();
    List<String[]> flags = new ArrayList<>();
    String configFile = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--") || arg.equals("--")) {
        positional.add(arg);
        continue;
      }
      String body = arg.substring(2);
      String key;
      String value;
      int eq = body.indexOf('=');
      if (eq >= 0) {
        key = body.substring(0, eq);
        value = body.substring(eq + 1);
      } else if (!body.contains(".") && !body.equals("config")) {
        positional.add(arg); // --help, --watch and other subcommand flags
        continue;
      } else if (i + 1 < args.size()) {
        key = body;
        value = args.get(++i);
      } else {
        throw new ConfigException("flag --" + body + " needs a value");
      }
      if (key.equals("config")) {
        configFile = value;
      } else {
        flags.add(new String[] {key, value});
      }
    }

    String source = "built-in defaults";
    Path file = null;
    if (configFile != null) {
      file = Path.of(configFile);
    } else if (env.get("FLIGHTDECK_CONFIG") != null && !env.get("FLIGHTDECK_CONFIG").isBlank()) {
      file = Path.of(env.get("FLIGHTDECK_CONFIG"));
    } else if (conventionalFile != null && Files.isRegularFile(conventionalFile)) {
      file = conventionalFile;
    }
    if (file != null) {
      JsonObject fromFile = readFile(file);
      checkKnown(defaults, fromFile, "", "in " + file);
      deepMerge(merged, fromFile);
      source = file.toString();
    }

    List<String> warnings = new ArrayList<>();
    for (Map.Entry<String, String> e : new java.util.TreeMap<>(env).entrySet()) {
      String path = envPath(e.getKey());
      if (path != null) {
        set(defaults, merged, path, e.getValue(), "environment variable " + e.getKey());
      } else {
        misspeltSetting(defaults, e.getKey()).ifPresent(warnings::add);
      }
    }
    for (String[] flag : flags) {
      set(defaults, merged, flag[0], flag[1], "flag --" + flag[0]);
    }
    return new Loaded(bind(merged), List.copyOf(positional), source, List.copyOf(warnings));
  }

  /** Parses an already merged settings tree (used by tests and by {@link #load}). */
  public static FlightdeckConfig bind(JsonObject merged) {
    try {
      return MAPPER.readValue(merged.encode(), FlightdeckConfig.class);
    } catch (IOException e) {
      throw translate(new IllegalArgumentException(e.getMessage(), e));
    }
  }

  /**
   * Binds one section (e.g. the simulator's faults from its admin endpoint) with the same rules
   * and error messages as the config file; {@code prefix} is prepended to setting names.
   */
  public static <T> T bind(JsonObject json, Class<T> type, String prefix) {
    try {
      return MAPPER.readValue(json.encode(), type);
    } catch (IOException e) {
      RuntimeException t = translate(new IllegalArgumentException(e.getMessage(), e));
      if (t instanceof ConfigException && !prefix.isEmpty() && t.getMessage().startsWith("setting '")) {
        return sneaky(new ConfigException(t.getMessage().replaceFirst("setting '", "setting '" + prefix + ".")));
      }
      if (t instanceof ConfigException && !prefix.isEmpty() && t.getMessage().startsWith("unknown setting '")) {
        return sneaky(new ConfigException(t.getMessage().replaceFirst("unknown setting '", "unknown setting '" + prefix + ".")));
      }
      throw t;
    }
  }

  /** A settings record as snake_case JSON (secrets are written as their masked form). */
  public static JsonObject toJson(Object settings) {
    @SuppressWarnings("unchecked")
    Map<String, Object> map = MAPPER.convertValue(settings, Map.class);
    return new JsonObject(map);
  }

  private static <T> T sneaky(RuntimeException e) {
    throw e;
  }

  /** The built-in defaults, a copy of conf/flightdeck.json. */
  public static JsonObject defaults() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("built-in defaults " + DEFAULTS_RESOURCE + " missing from the classpath");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read built-in defaults", e);
    }
  }

  private static String envPath(String name) {
    return switch (name) {
      case "FLY_API_TOKEN" -> "fly.token";
      case "FLY_API_HOSTNAME" -> "fly.api_hostname";
      default -> {
        // FLIGHTDECK_<SECTION>__<KEY>; any other FLIGHTDECK_* variable is someone else's
        if (!name.startsWith(ENV_PREFIX) || !name.substring(ENV_PREFIX.length()).contains("__")) {
          yield null;
        }
        yield Arrays.stream(name.substring(ENV_PREFIX.length()).split("__", -1))
            .map(s -> s.toLowerCase(Locale.ROOT))
            .collect(Collectors.joining("."));
      }
    };
  }

  /** {@code FLIGHTDECK_API_PORT} is ignored, but is most likely meant as {@code FLIGHTDECK_API__PORT}. */
  private static java.util.Optional<String> misspeltSetting(JsonObject defaults, String name) {
    if (!name.startsWith(ENV_PREFIX) || NOT_SETTINGS.contains(name)) {
      return java.util.Optional.empty();
    }
    String rest = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
    for (String section : defaults.fieldNames()) {
      if (rest.startsWith(section + "_") && rest.length() > section.length() + 1) {
        String key = rest.substring(section.length() + 1);
        return java.util.Optional.of("environment variable " + name + " is not a setting and is ignored; settings "
            + "are FLIGHTDECK_<SECTION>__<KEY> with a double underscore, e.g. " + ENV_PREFIX
            + section.toUpperCase(Locale.ROOT) + "__" + key.toUpperCase(Locale.ROOT));
      }
    }
    return java.util.Optional.empty();
  }

  private static JsonObject readFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("config file " + file + " does not exist");
    }
    try {
      return new JsonObject(Files.readString(file));
    } catch (IOException e) {
      throw new ConfigException("config file " + file + " cannot be read: " + e.getMessage());
    } catch (DecodeException e) {
      throw new ConfigException("config file " + file + " is not valid JSON: " + e.getMessage());
    }
  }

  private static void checkKnown(JsonObject defaults, JsonObject given, String prefix, String where) {
    for (String key : given.fieldNames()) {
      String path = prefix.isEmpty() ? key : prefix + "." + key;
      if (!defaults.containsKey(key)) {
        throw new ConfigException("unknown setting '" + path + "' " + where);
      }
      Object d = defaults.getValue(key);
      Object g = given.getValue(key);
      if (d instanceof JsonObject dObj && g instanceof JsonObject gObj) {
        checkKnown(dObj, gObj, path, where);
      }
    }
  }

  private static void deepMerge(JsonObject target, JsonObject overlay) {
    for (String key : overlay.fieldNames()) {
      Object o = overlay.getValue(key);
      Object t = target.getValue(key);
      if (o instanceof JsonObject oObj && t instanceof JsonObject tObj) {
        deepMerge(tObj, oObj);
      } else {
        target.put(key, o);
      }
    }
  }

  private static void set(JsonObject defaults, JsonObject merged, String path, String raw, String from) {
    String[] parts = path.split("\\.");
    JsonObject d = defaults;
    JsonObject m = merged;
    for (int i = 0; i < parts.length - 1; i++) {
      if (!(d.getValue(parts[i]) instanceof JsonObject)) {
        throw new ConfigException("unknown setting '" + path + "' (from " + from + ")");
      }
      d = d.getJsonObject(parts[i]);
      if (!(m.getValue(parts[i]) instanceof JsonObject)) {
        m.put(parts[i], new JsonObject());
      }
      m = m.getJsonObject(parts[i]);
    }
    String leaf = parts[parts.length - 1];
    if (!d.containsKey(leaf)) {
      throw new ConfigException("unknown setting '" + path + "' (from " + from + ")");
    }
    m.put(leaf, convert(d.getValue(leaf), raw, path, from));
  }

  private static Object convert(Object sample, String raw, String path, String from) {
    String v = raw.trim();
    try {
      if (sample instanceof Boolean) {
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
          return Boolean.parseBoolean(v);
        }
        throw new IllegalArgumentException("true or false");
      }
      if (sample instanceof Integer || sample instanceof Long) {
        return Long.parseLong(v);
      }
      if (sample instanceof Number) {
        return Double.parseDouble(v);
      }
      if (sample instanceof JsonArray) {
        if (v.startsWith("[")) {
          return new JsonArray(v);
        }
        JsonArray out = new JsonArray();
        for (String s : v.split(",")) {
          if (!s.isBlank()) {
            out.add(s.trim());
          }
        }
        return out;
      }
      if (sample instanceof JsonObject) {
        return new JsonObject(v);
      }
      return raw;
    } catch (NumberFormatException e) {
      throw new ConfigException("setting '" + path + "' (from " + from + ") must be a number, got '" + raw + "'");
    } catch (DecodeException e) {
      throw new ConfigException("setting '" + path + "' (from " + from + ") must be JSON: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("setting '" + path + "' (from " + from + ") must be " + e.getMessage() + ", got '" + raw + "'");
    }
  }

  private static RuntimeException translate(IllegalArgumentException e) {
    Throwable cause = e.getCause();
    while (cause != null) {
      if (cause instanceof ConfigException ce) {
        return ce;
      }
      if (cause instanceof ValueInstantiationException vie && vie.getCause() instanceof ConfigException ce) {
        return ce;
      }
      if (cause instanceof UnrecognizedPropertyException upe) {
        return new ConfigException("unknown setting '" + path(upe) + "'");
      }
      if (cause instanceof MismatchedInputException mie) {
        String type = mie.getTargetType() == null ? "another type" : typeName(mie.getTargetType());
        return new ConfigException("setting '" + path(mie) + "' must be " + type);
      }
      if (cause instanceof JsonMappingException jme && cause.getCause() == null) {
        return new ConfigException("setting '" + path(jme) + "' is invalid: " + jme.getOriginalMessage());
      }
      cause = cause.getCause();
    }
    return new ConfigException("invalid configuration: " + e.getMessage());
  }

  private static String typeName(Class<?> type) {
    if (type == int.class || type == long.class || type == Integer.class || type == Long.class) {
      return "an integer";
    }
    if (type == double.class || type == Double.class) {
      return "a number";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type == String.class || type == Secret.class) {
      return "a string";
    }
    if (List.class.isAssignableFrom(type)) {
      return "a list";
    }
    return "an object";
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (!sb.isEmpty()) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }
}
