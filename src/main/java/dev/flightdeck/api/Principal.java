package dev.flightdeck.api;

import java.util.List;
import java.util.regex.Pattern;

/** Who is calling: a token's name, role and the apps (names or globs) it may touch. */
public record Principal(String name, String role, List<String> apps) {

  public boolean canWrite() {
    return "write".equals(role) || "admin".equals(role);
  }

  public boolean isAdmin() {
    return "admin".equals(role);
  }

  public boolean allows(String app) {
    for (String glob : apps) {
      if (glob.equals(app) || glob.equals("*") || (glob.contains("*") && matches(glob, app))) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(String glob, String app) {
    // the common cases without a regex (this runs on every request)
    if (glob.equals("*")) {
      return true;
    }
    if (glob.indexOf('*') < 0) {
      return glob.equals(app);
    }
    StringBuilder re = new StringBuilder();
    for (String part : glob.split("\\*", -1)) {
      if (re.length() > 0) {
        re.append(".*");
      }
      re.append(Pattern.quote(part));
    }
    return app.matches(re.toString());
  }
}
