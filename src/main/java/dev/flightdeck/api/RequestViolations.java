package dev.flightdeck.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Says what is wrong with a request the contract refused, in the API's error shape: the field's
 * path ({@code options.max_concurrent}, {@code target.machine_ids[2]}), a code, and a sentence built
 * from the schema keyword that failed and its value in openapi.yaml. Body problems are 422 (400 when
 * the body is not a JSON object at all), parameters 400, a body of another media type 415.
 */
public final class RequestViolations {

  /** Keywords that only say "something below me failed". */
  private static final Set<String> WRAPPERS = Set.of("properties", "$ref", "items", "prefixItems", "allOf", "anyOf",
      "oneOf", "patternProperties", "$dynamicRef");
  private static final Pattern PARAMETER = Pattern.compile("(query|path|header|cookie) parameter (\\S+?)(?:[ .]|$)");
  private static final Pattern REQUIRED = Pattern.compile("required property \"([^\"]+)\"");
  private static final Pattern ACTUAL_TYPE = Pattern.compile("Instance type (\\S+) is invalid");

  private final JsonObject spec;

  public RequestViolations(JsonObject spec) {
    this.spec = spec;
  }

  /** {@code ctx} gives the values that were refused, quoted back in the message. */
  public BadRequest explain(Operation op, ValidatorException e, RoutingContext ctx) {
    Matcher param = PARAMETER.matcher(e.getMessage() == null ? "" : e.getMessage());
    boolean isParam = param.find();
    if (e.type() == ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT && !isParam) {
      return new BadRequest(415, "unsupported_media_type", null, "send the body as application/json");
    }
    if (!isParam) {
      return body(op, e, ctx);
    }
    String where = param.group(1);
    String name = param.group(2);
    String code = "header".equals(where) ? "invalid_header" : "invalid_parameter";
    if (e.type() == ValidatorErrorType.MISSING_REQUIRED_PARAMETER) {
      return new BadRequest(400, code, name, name + " is required");
    }
    if (e instanceof SchemaValidationException s && s.getOutputUnit() != null) {
      OutputUnit leaf = mostRelevant(s.getOutputUnit());
      if (leaf != null) {
        String raw = "header".equals(where) ? ctx.request().getHeader(name)
            : "query".equals(where) ? ctx.queryParams().get(name) : null;
        Object schema = parameterSchema(op, name);
        return new BadRequest(400, code, name, sentence(name, leaf, schema, typed(raw, schema)));
      }
    }
    return new BadRequest(400, code, name, name + " could not be read");
  }

  private BadRequest body(Operation op, ValidatorException e, RoutingContext ctx) {
    if (e.type() == ValidatorErrorType.MISSING_REQUIRED_PARAMETER) {
      return new BadRequest(400, "malformed_json", null, "the request body is empty; send a JSON object");
    }
    if (!(e instanceof SchemaValidationException s) || s.getOutputUnit() == null) {
      return new BadRequest(400, "malformed_json", null, "the request body is not valid JSON");
    }
    OutputUnit leaf = mostRelevant(s.getOutputUnit());
    if (leaf == null) {
      return new BadRequest(422, "invalid_field", null, "the request body does not match openapi.yaml");
    }
    String field = field(leaf.getInstanceLocation());
    String keyword = keyword(leaf);
    if (field.isEmpty() && "type".equals(keyword)) {
      return new BadRequest(400, "malformed_json", null, "the request body must be a JSON object");
    }
    if ("required".equals(keyword)) {
      Matcher m = REQUIRED.matcher(String.valueOf(leaf.getError()));
      String missing = m.find() ? join(field, m.group(1)) : field;
      return new BadRequest(422, "missing_field", missing, missing + " is required");
    }
    if ("additionalProperties".equals(keyword) || "unevaluatedProperties".equals(keyword)) {
      return new BadRequest(422, "unknown_field", field, "unknown field " + field);
    }
    // a value matching none of several forms is not of one wrong type
    String code = "type".equals(keyword) && !alternatives(leaf) ? "invalid_type" : "invalid_field";
    return new BadRequest(422, code, field.isEmpty() ? null : field,
        sentence(field, leaf, bodySchema(op), instance(ctx, leaf.getInstanceLocation())));
  }

  /**
   * The error that says most: the deepest location, a real keyword over a wrapper, and over
   * additionalProperties, which the validator also reports for declared properties whose value failed.
   */
  static OutputUnit mostRelevant(OutputUnit root) {
    List<OutputUnit> all = new ArrayList<>();
    flatten(root, all);
    OutputUnit best = null;
    int bestScore = Integer.MIN_VALUE;
    for (OutputUnit u : all) {
      if (u.getKeywordLocation() == null || u.getInstanceLocation() == null) {
        continue;
      }
      String k = keyword(u);
      int rank = WRAPPERS.contains(k) ? 0 : "additionalProperties".equals(k) ? 1 : 2;
      int score = depth(u.getInstanceLocation()) * 4 + rank;
      if (score > bestScore) {
        best = u;
        bestScore = score;
      }
    }
    return best;
  }

  private static void flatten(OutputUnit u, List<OutputUnit> out) {
    out.add(u);
    if (u.getErrors() != null) {
      u.getErrors().forEach(e -> flatten(e, out));
    }
  }

  private static int depth(String location) {
    return location.equals("#") || location.isEmpty() ? 0 : location.split("/").length - 1;
  }

  private static String keyword(OutputUnit u) {
    String loc = u.getKeywordLocation();
    return loc.substring(loc.lastIndexOf('/') + 1);
  }

  /** {@code #/target/machine_ids/2} → {@code target.machine_ids[2]}. */
  static String field(String instanceLocation) {
    StringBuilder sb = new StringBuilder();
    for (String seg : segments(instanceLocation)) {
      if (seg.chars().allMatch(Character::isDigit)) {
        sb.append('[').append(seg).append(']');
      } else {
        sb.append(sb.length() == 0 ? "" : ".").append(seg);
      }
    }
    return sb.toString();
  }

  private static String join(String parent, String child) {
    return parent.isEmpty() ? child : parent + "." + child;
  }

  private static boolean alternatives(OutputUnit leaf) {
    return leaf.getKeywordLocation().contains("/oneOf/") || leaf.getKeywordLocation().contains("/anyOf/");
  }

  /** A parameter's text as the JSON value it stands for, when its schema is not a string's. */
  private static Object typed(String raw, Object schema) {
    boolean text = !(schema instanceof JsonObject o) || "string".equals(o.getValue("type"));
    if (raw == null || text) {
      return raw;
    }
    if (raw.matches("-?\\d{1,18}")) {
      return Long.parseLong(raw);
    }
    return "true".equals(raw) || "false".equals(raw) ? Boolean.valueOf(raw) : raw;
  }

  /** The refused value in the body, or null when it cannot be told. */
  private static Object instance(RoutingContext ctx, String instanceLocation) {
    Object node;
    try {
      node = ctx.body() == null ? null : io.vertx.core.json.Json.decodeValue(ctx.body().buffer());
    } catch (RuntimeException notJson) {
      return null;
    }
    for (String seg : segments(instanceLocation)) {
      node = child(node, seg);
    }
    return node;
  }

  /** The segments of a JSON pointer ({@code #/a/b~1c}), unescaped. */
  private static List<String> segments(String pointer) {
    List<String> out = new ArrayList<>();
    for (String seg : pointer.replaceFirst("^#/?", "").split("/")) {
      if (!seg.isEmpty()) {
        out.add(seg.replace("~1", "/").replace("~0", "~"));
      }
    }
    return out;
  }

  /** One step down a JSON value; null when there is no such member or element. */
  private static Object child(Object node, String seg) {
    if (node instanceof JsonObject o) {
      return o.getValue(seg);
    }
    if (node instanceof JsonArray a && seg.chars().allMatch(Character::isDigit) && seg.length() < 10
        && Integer.parseInt(seg) < a.size()) {
      return a.getValue(Integer.parseInt(seg));
    }
    return null;
  }

  /** ", got 'launch'" for a short scalar; nothing for objects, arrays and long strings. */
  private static String got(Object value) {
    if (value instanceof String str) {
      return str.length() > 80 ? "" : ", got '" + str + "'";
    }
    return value instanceof Number || value instanceof Boolean ? ", got " + value : "";
  }

  private String sentence(String field, OutputUnit leaf, Object schema, Object actual) {
    // a wrong type is said as "got string"; quoting the value would say it twice
    boolean typeOnly = "type".equals(keyword(leaf)) && !alternatives(leaf);
    return explanation(field, leaf, schema) + (typeOnly ? "" : got(actual));
  }

  private String explanation(String field, OutputUnit leaf, Object schema) {
    String name = field.isEmpty() ? "the body" : field;
    String keywordPath = leaf.getKeywordLocation();
    int alternative = Math.max(keywordPath.lastIndexOf("/oneOf/"), keywordPath.lastIndexOf("/anyOf/"));
    if (alternative >= 0 && resolve(schema, keywordPath.substring(0, alternative)) instanceof JsonObject owner
        && owner.getString("description") != null) {
      return name + " must be " + lowerFirst(owner.getString("description"));
    }
    Object value = resolve(schema, keywordPath);
    String error = String.valueOf(leaf.getError());
    return switch (keyword(leaf)) {
      case "type" -> {
        Matcher m = ACTUAL_TYPE.matcher(error);
        yield name + " must be " + types(value) + (m.find() ? ", got " + m.group(1) : "");
      }
      case "enum" -> name + " must be one of " + (value instanceof JsonArray a ? join(a) : error);
      case "const" -> name + " must be " + value;
      case "minimum" -> name + " must be at least " + value;
      case "exclusiveMinimum" -> name + " must be greater than " + value;
      case "maximum" -> name + " must be at most " + value;
      case "exclusiveMaximum" -> name + " must be less than " + value;
      case "minLength" -> name + " must be at least " + value + " characters long";
      case "maxLength" -> name + " must be at most " + value + " characters long";
      case "minItems" -> name + " must have at least " + value + " items";
      case "maxItems" -> name + " must have at most " + value + " items";
      case "pattern" -> name + " must be " + described(schema, keywordPath).orElse("a match of " + value);
      case "format" -> name + " must be a valid " + value;
      default -> name + " is invalid: " + error;
    };
  }

  /** The description of the schema that holds the keyword, when openapi.yaml gives one. */
  private java.util.Optional<String> described(Object schema, String keywordPath) {
    Object owner = resolve(schema, keywordPath.substring(0, keywordPath.lastIndexOf('/')));
    return java.util.Optional.ofNullable(owner instanceof JsonObject o ? o.getString("description") : null)
        .map(RequestViolations::lowerFirst);
  }

  private static String types(Object value) {
    List<String> names = new ArrayList<>();
    if (value instanceof JsonArray a) {
      a.forEach(t -> names.add(article(String.valueOf(t))));
    } else {
      names.add(article(String.valueOf(value)));
    }
    return String.join(" or ", names);
  }

  private static String article(String type) {
    return switch (type) {
      case "integer" -> "an integer";
      case "object" -> "an object";
      case "array" -> "an array";
      case "null" -> "null";
      default -> "a " + type;
    };
  }

  private static String join(JsonArray a) {
    List<String> out = new ArrayList<>();
    a.forEach(v -> out.add(String.valueOf(v)));
    return String.join(", ", out);
  }

  private static String lowerFirst(String s) {
    String t = s.strip();
    return t.isEmpty() ? t : Character.toLowerCase(t.charAt(0)) + t.substring(1);
  }

  private Object bodySchema(Operation op) {
    JsonObject operation = operationNode(op);
    JsonObject body = operation == null ? null : deref(operation.getJsonObject("requestBody"));
    JsonObject content = body == null ? null : body.getJsonObject("content");
    JsonObject json = content == null ? null : content.getJsonObject("application/json");
    return json == null ? null : json.getValue("schema");
  }

  private Object parameterSchema(Operation op, String name) {
    JsonObject path = spec.getJsonObject("paths").getJsonObject(op.getOpenAPIPath());
    JsonObject operation = operationNode(op);
    for (JsonObject owner : new JsonObject[] {operation, path}) {
      JsonArray params = owner == null ? null : owner.getJsonArray("parameters");
      for (int i = 0; params != null && i < params.size(); i++) {
        JsonObject p = deref(params.getJsonObject(i));
        if (p != null && name.equalsIgnoreCase(p.getString("name"))) {
          return p.getValue("schema");
        }
      }
    }
    return null;
  }

  private JsonObject operationNode(Operation op) {
    JsonObject path = spec.getJsonObject("paths").getJsonObject(op.getOpenAPIPath());
    return path == null ? null : path.getJsonObject(op.getHttpMethod().name().toLowerCase(java.util.Locale.ROOT));
  }

  /** The value at a keyword location ({@code #/properties/kind/$ref/enum}), following {@code $ref}s. */
  private Object resolve(Object schema, String keywordLocation) {
    Object node = schema;
    for (String seg : segments(keywordLocation)) {
      if (node instanceof JsonObject o && o.containsKey("$ref")) {
        node = deref(o); // whether the pointer names the $ref or steps through it, it means its target
        if ("$ref".equals(seg)) {
          continue;
        }
      }
      node = child(node, seg);
    }
    return node;
  }

  private JsonObject deref(JsonObject node) {
    int hops = 0;
    while (node != null && node.getString("$ref") != null && node.getString("$ref").startsWith("#/") && hops++ < 16) {
      Object target = spec;
      for (String seg : node.getString("$ref").substring(2).split("/")) {
        target = target instanceof JsonObject o ? o.getValue(seg) : null;
      }
      node = target instanceof JsonObject o ? o : null;
    }
    return node;
  }
}
