package dev.flightdeck.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightdeck.config.ConfigLoader;
import dev.flightdeck.config.FlightdeckConfig;
import dev.flightdeck.sim.SimConfig;
import dev.flightdeck.testing.ServerFixture;
import dev.flightdeck.testing.TestConfigs;
import dev.flightdeck.time.VertxTimeSource;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (Debian's chromium and chromium-driver; .ci/run
 * installs them): log in, see the fleet grid, submit a job through the API, watch the progress bar
 * and the grid change. A screenshot goes to target/ (and on failure target/dashboard-failure.png).
 */
@ExtendWith(VertxExtension.class)
class DashboardBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  @TempDir
  Path dir;

  private ServerFixture fx;
  private WebDriver browser;

  @BeforeEach
  void start(Vertx vertx) {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
        "needs Debian's chromium and chromium-driver (bash .ci/run installs them)");
    JsonObject cfg = TestConfigs.serveJson(dir);
    // slow enough (12 machines one at a time, 0.8 s each) for the page to see the job move
    cfg.getJsonObject("sim").getJsonObject("latency").put("start_ms", 800);
    fx = ServerFixture.start(vertx, ConfigLoader.bind(cfg, FlightdeckConfig.class, ""), new VertxTimeSource(vertx));
    fx.server.simulator().seed(new SimConfig.SeedApp("demo", 24, List.of("ord", "ams"), List.of("app", "worker"),
        "registry.fly.io/demo:v1", "stopped")).await();
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
        .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--window-size=1280,900");
    browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build(),
        options);
  }

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (fx != null) {
      fx.close();
    }
  }

  private WebDriverWait waiting() {
    // the page re-renders its lists every second, so an element found may be replaced before it is read
    return (WebDriverWait) new WebDriverWait(browser, Duration.ofSeconds(60), Duration.ofMillis(50))
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class);
  }

  private long count(String css) {
    return browser.findElements(By.cssSelector(css)).size();
  }

  private void shot(String name) throws Exception {
    Path png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
    Files.createDirectories(Path.of("target"));
    Files.copy(png, Path.of("target", name), StandardCopyOption.REPLACE_EXISTING);
  }

  private void logIn(String base, String token) {
    browser.get(base);
    waiting().until(d -> d.findElement(By.id("login")).isDisplayed());
    browser.findElement(By.id("token")).sendKeys(token);
    browser.findElement(By.cssSelector("#login-form button")).click();
    waiting().until(d -> d.findElement(By.id("nav")).isDisplayed());
  }

  @Test
  void an_operator_submits_and_cancels_a_job_creates_and_pauses_a_schedule_creates_and_deletes_a_policy_and_sees_the_server_go_away() throws Exception {
    try {
      String base = "http://127.0.0.1:" + fx.server.apiPort() + "/";
      logIn(base, TestConfigs.ADMIN_TOKEN);
      browser.get(base + "#/jobs");
      browser.findElement(By.cssSelector("#submit-job summary")).click();
      waiting().until(d -> d.findElement(By.id("job-json")).getAttribute("value").contains("\"kind\": \"start\""));
      var json = browser.findElement(By.id("job-json"));
      json.clear();
      // one machine at a time, 0.8 s each: time to cancel it
      json.sendKeys(new JsonObject().put("app", "demo").put("kind", "start").put("target", new JsonObject()
          .put("all", true)).put("options", new JsonObject().put("max_concurrent", 1)).encode());
      browser.findElement(By.cssSelector("#submit-form button")).click();
      waiting().until(d -> d.getCurrentUrl().contains("#/jobs/job_"));
      String id = browser.getCurrentUrl().substring(browser.getCurrentUrl().indexOf("#/jobs/") + 7);
      waiting().until(d -> d.findElement(By.id("job-cancel")).isDisplayed());
      browser.findElement(By.id("job-cancel")).click();
      waiting().until(d -> d.findElement(By.id("job-summary")).getText().startsWith("cancelled"));
      JsonObject job = fx.get("/v1/jobs/" + id).json();
      assertThat(job.getString("state")).isEqualTo("cancelled");
      assertThat(job.getJsonObject("progress").getInteger("cancelled")).as("machines not started yet").isPositive();

      // a schedule created from the form's template for the app shown
      browser.get(base + "#/schedules");
      browser.findElement(By.cssSelector("#create-schedule summary")).click();
      waiting().until(d -> d.findElement(By.id("schedule-json")).getAttribute("value").contains("\"cron\": \"0 3 * * *\""));
      browser.findElement(By.cssSelector("#schedule-form button")).click();
      waiting().until(d -> d.findElement(By.id("schedules")).getText().contains("nightly-restart"));
      String sid = fx.get("/v1/schedules?app=demo").json().getJsonArray("schedules").getJsonObject(0).getString("id");
      By pause = By.cssSelector("[data-schedule='" + sid + "'] button[data-action='pause']");
      waiting().until(d -> !d.findElements(pause).isEmpty());
      browser.findElement(pause).click();
      waiting().until(d -> !d.findElements(By.cssSelector("[data-schedule='" + sid + "'] button[data-action='resume']"))
          .isEmpty());
      assertThat(fx.get("/v1/schedules/" + sid).json().getBoolean("paused")).isTrue();
      assertThat(browser.findElement(By.id("schedules")).getText()).contains("nightly-restart (paused)");
      browser.findElement(By.cssSelector("[data-schedule='" + sid + "'] button[data-action='resume']")).click();
      waiting().until(d -> !d.findElements(By.cssSelector("#schedules .fire")).isEmpty());
      assertThat(browser.findElement(By.cssSelector("#schedules .fire")).getAttribute("title"))
          .as("the next fire in the schedule's zone, UTC on hover").endsWith(" UTC").contains("03:00");

      // a scaling policy: refused with the field named, then created from the template, then deleted
      browser.get(base + "#/policies");
      browser.findElement(By.cssSelector("#create-policy summary")).click();
      waiting().until(d -> d.findElement(By.id("policy-json")).getAttribute("value").contains("\"alertname\": \"HighLoad\""));
      String template = browser.findElement(By.id("policy-json")).getAttribute("value");
      browser.findElement(By.id("policy-json")).clear();
      browser.findElement(By.id("policy-json")).sendKeys("{\"name\": \"p\", \"app\": \"demo\", \"min\": 1}");
      browser.findElement(By.cssSelector("#policy-form button")).click();
      waiting().until(d -> d.findElement(By.id("banner")).isDisplayed()
          && d.findElement(By.id("banner")).getText().contains("422 missing_field (max)"));
      assertThat(fx.get("/v1/scaling-policies").json().getJsonArray("policies")).isEmpty();
      ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
          "document.getElementById('policy-json').value = arguments[0]", template);
      browser.findElement(By.cssSelector("#policy-form button")).click();
      waiting().until(d -> !d.findElements(By.cssSelector("#policies [data-policy]")).isEmpty()
          && !d.findElement(By.id("banner")).isDisplayed());
      assertThat(browser.findElement(By.id("policies")).getText()).contains("demo/app-autoscale: app, 1–10 started");
      browser.findElement(By.cssSelector("#policies [data-action='delete']")).click();
      browser.switchTo().alert().accept();
      waiting().until(d -> d.findElement(By.id("policies")).getText().contains("No scaling policies."));
      assertThat(fx.get("/v1/scaling-policies").json().getJsonArray("policies")).isEmpty();

      browser.get(base + "#/fleet/demo");
      waiting().until(d -> count("#fleet-grid .cells .m") == 24);
      new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("fleet-filter"))).selectByVisibleText(
          "started");
      // as many as the fleet endpoint says are started (the cancelled job started one or two), none stopped
      waiting().until(d -> count("#fleet-grid .cells .m") == fx.get("/v1/fleet/apps/demo/machines?state=started")
          .json().getInteger("count") && count("#fleet-grid .cells .m.stopped") == 0);
      new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("fleet-filter"))).selectByValue("");
      waiting().until(d -> count("#fleet-grid .cells .m") == 24);
      String mid = browser.findElement(By.cssSelector("#fleet-grid .cells .m")).getAttribute("data-id");
      browser.findElement(By.cssSelector("#fleet-grid .cells .m")).click();
      waiting().until(d -> d.findElement(By.id("machine-details")).isDisplayed()
          && d.findElement(By.id("machine-details")).getText().contains(mid)
          && d.findElement(By.id("machine-details")).getText().contains("registry.fly.io/demo:v1"));

      browser.get(base + "#/jobs");
      waiting().until(d -> d.findElement(By.id("jobs-recent")).getText().contains(id));
      assertThat(browser.findElements(By.cssSelector("#jobs-recent .bar .cancelled"))).as("cancelled shown as such")
          .isNotEmpty();
      assertThat(browser.findElement(By.cssSelector("#jobs-recent .bar")).getAttribute("title")).contains("cancelled");
      fx.server.stop().await();
      waiting().until(d -> d.findElement(By.id("banner")).isDisplayed()
          && d.findElement(By.id("banner")).getText().contains("Cannot reach Flightdeck"));
      shot("dashboard-server-down.png");
    } catch (Throwable t) {
      shot("dashboard-failure.png");
      throw t;
    }
  }

  @Test
  void a_read_only_token_sees_no_controls_that_would_change_something() throws Exception {
    try {
      String base = "http://127.0.0.1:" + fx.server.apiPort() + "/";
      logIn(base, TestConfigs.READ_TOKEN);
      browser.get(base + "#/jobs");
      waiting().until(d -> d.findElement(By.tagName("body")).getAttribute("class").contains("read-only"));
      assertThat(browser.findElement(By.id("submit-job")).isDisplayed()).isFalse();

      // an unchanged fleet is neither sent again (304) nor redrawn: a cell drawn before a poll is the same
      // node after it, unless the fleet's ETag moved meanwhile (a periodic re-list), then look again
      browser.get(base + "#/fleet/demo");
      waiting().until(d -> count("#fleet-grid .cells .m") == 24);
      for (int attempt = 0; ; attempt++) {
        String tagBefore = fx.get("/v1/fleet/apps/demo/machines").headers().get("ETag");
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
            "document.querySelector('#fleet-grid .m').dataset.probe = 'held'");
        String ageBefore = browser.findElement(By.id("fleet-age")).getText();
        waiting().until(d -> !d.findElement(By.id("fleet-age")).getText().equals(ageBefore));
        if (tagBefore.equals(fx.get("/v1/fleet/apps/demo/machines").headers().get("ETag"))) {
          assertThat(count("#fleet-grid [data-probe='held']")).as("the grid was not redrawn").isEqualTo(1);
          break;
        }
        assertThat(attempt).as("the fleet kept changing").isLessThan(3);
      }
    } catch (Throwable t) {
      shot("dashboard-failure.png");
      throw t;
    }
  }

  @Test
  void an_operator_logs_in_and_watches_a_job_move_the_grid_and_the_progress_bar() throws Exception {
    try {
      String base = "http://127.0.0.1:" + fx.server.apiPort() + "/";
      browser.get(base);
      waiting().until(d -> d.findElement(By.id("login")).isDisplayed());
      browser.findElement(By.id("token")).sendKeys("not-a-token");
      browser.findElement(By.cssSelector("#login-form button")).click();
      waiting().until(d -> d.findElement(By.id("login-error")).getText().contains("not accepted"));

      browser.findElement(By.id("token")).clear();
      browser.findElement(By.id("token")).sendKeys(TestConfigs.ADMIN_TOKEN);
      browser.findElement(By.cssSelector("#login-form button")).click();
      waiting().until(d -> count("#fleet-grid .cells .m") == 24);
      assertThat(count("#fleet-grid .group")).as("grouped by process group and region").isEqualTo(4);
      assertThat(count("#fleet-grid .m.stopped")).isEqualTo(24);

      String id = fx.submit(new JsonObject().put("app", "demo").put("kind", "start")
          .put("target", new JsonObject().put("process_group", "worker"))
          .put("options", new JsonObject().put("max_concurrent", 1)));
      // the grid follows the fleet cache while the job runs
      waiting().until(d -> count("#fleet-grid .m.started") > 0 && count("#fleet-grid .m.started") < 12);
      shot("dashboard-fleet.png");

      browser.get(base + "#/jobs");
      waiting().until(d -> !d.findElements(By.cssSelector("[data-job='" + id + "'] .bar .done")).isEmpty());
      String first = waiting().until(d -> d.findElement(By.cssSelector("[data-job='" + id + "'] .progress-text"))
          .getText());
      waiting().until(d -> {
        var t = d.findElements(By.cssSelector("[data-job='" + id + "'] .progress-text"));
        return !t.isEmpty() && !t.get(0).getText().equals(first);
      });
      shot("dashboard-jobs.png");
      waiting().until(d -> d.findElement(By.id("jobs-recent")).getText().contains(id)
          && d.findElement(By.cssSelector("#jobs-recent tbody tr:first-child .state-succeeded")) != null);

      browser.get(base + "#/jobs/" + id);
      waiting().until(d -> count("#job-machines tbody tr") == 12);
      waiting().until(d -> d.findElement(By.id("job-summary")).getText().contains("succeeded"));
      assertThat(browser.findElement(By.id("job-meta")).getText()).contains("submitted by admin").contains("took");
      assertThat(browser.findElement(By.id("page-info")).getText()).isEqualTo("12 machine(s), page 1 of 1");
      browser.findElement(By.id("failed-only")).click();
      waiting().until(d -> count("#job-machines tbody tr") == 0);
      assertThat(browser.findElement(By.id("page-info")).getText()).startsWith("0 machine(s)");
      browser.findElement(By.id("failed-only")).click();
      waiting().until(d -> count("#job-machines tbody tr") == 12);

      browser.get(base + "#/fleet");
      waiting().until(d -> count("#fleet-grid .m.started") == 12);
      waiting().until(d -> d.findElement(By.id("fleet-counts")).getText().contains("started 12")
          && d.findElement(By.id("fleet-counts")).getText().contains("stopped 12"));
      shot("dashboard.png");
    } catch (Throwable t) {
      shot("dashboard-failure.png");
      throw t;
    }
  }
}
