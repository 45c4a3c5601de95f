package dev.flightdeck.autoscale;

import dev.flightdeck.jobs.InvalidJobException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which alerts a policy listens to: an {@code alertname} and label matchers in Alertmanager's
 * syntax — {@code label=value}, {@code label!=value}, {@code label=~regex}, {@code label!~regex}
 * (regexes anchored, as in Prometheus). A missing label matches as the empty string.
 */
public record AlertMatcher(String alertname, List<LabelMatcher> matchers) {

  public record LabelMatcher(String label, String op, String value, Pattern regex) {

    boolean matches(Map<String, String> labels) {
      String v = labels.getOrDefault(label, "");
      return switch (op) {
        case "=" -> v.equals(value);
        case "!=" -> !v.equals(value);
        case "=~" -> regex.matcher(v).matches();
        default -> !regex.matcher(v).matches();
      };
    }

    @Override
    public String toString() {
      return label + op + value;
    }
  }

  private static final Pattern SYNTAX = Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*(.*?)\\s*");

  public boolean matches(Map<String, String> labels) {
    if (!alertname.equals(labels.get("alertname"))) {
      return false;
    }
    for (LabelMatcher m : matchers) {
      if (!m.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  /** Parses {@code {"alertname": "...", "matchers": ["k=v", ...]}} at {@code field}. */
  static AlertMatcher parse(Object raw, String field) {
    if (!(raw instanceof JsonObject o)) {
      throw new InvalidJobException("invalid_field", field, field + " must be an object: {\"alertname\": …, "
          + "\"matchers\": [\"label=value\", …]}");
    }
    for (String k : o.fieldNames()) {
      if (!k.equals("alertname") && !k.equals("matchers")) {
        throw new InvalidJobException("unknown_field", field + "." + k, "unknown field " + field + "." + k);
      }
    }
    if (!(o.getValue("alertname") instanceof String name) || name.isBlank()) {
      throw new InvalidJobException("missing_field", field + ".alertname", field + ".alertname is required");
    }
    Object ms = o.getValue("matchers");
    List<LabelMatcher> out = new ArrayList<>();
    if (ms != null) {
      if (!(ms instanceof JsonArray arr) || arr.size() > 50) {
        throw new InvalidJobException("invalid_field", field + ".matchers", field + ".matchers must be a list of at "
            + "most 50 strings such as \"process_group=worker\"");
      }
      for (int i = 0; i < arr.size(); i++) {
        String at = field + ".matchers[" + i + "]";
        if (!(arr.getValue(i) instanceof String s)) {
          throw new InvalidJobException("invalid_field", at, at + " must be a string such as \"severity=~page|critical\"");
        }
        out.add(label(s, at));
      }
    }
    return new AlertMatcher(name, List.copyOf(out));
  }

  private static LabelMatcher label(String s, String at) {
    Matcher m = SYNTAX.matcher(s);
    if (!m.matches()) {
      throw new InvalidJobException("invalid_field", at, at + " must look like label=value, label!=value, "
          + "label=~regex or label!~regex, got '" + s + "'");
    }
    String value = m.group(3);
    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
      value = value.substring(1, value.length() - 1);
    }
    Pattern regex = null;
    if (m.group(2).contains("~")) {
      try {
        regex = Pattern.compile(value);
      } catch (PatternSyntaxException e) {
        throw new InvalidJobException("invalid_field", at, at + ": invalid regex '" + value + "': "
            + e.getDescription());
      }
    }
    return new LabelMatcher(m.group(1), m.group(2), value, regex);
  }

  JsonObject toJson() {
    JsonArray ms = new JsonArray();
    matchers.forEach(m -> ms.add(m.toString()));
    return new JsonObject().put("alertname", alertname).put("matchers", ms);
  }
}
