package dev.flightdeck.cron;

import dev.flightdeck.jobs.JobService;

import dev.flightdeck.jobs.JobIds;
import dev.flightdeck.jobs.JobJson;
import dev.flightdeck.jobs.JobRunner;
import dev.flightdeck.store.JobFilter;
import dev.flightdeck.store.JobRecord;
import dev.flightdeck.store.NewJob;
import dev.flightdeck.store.Page;
import dev.flightdeck.store.ScheduleRecord;
import dev.flightdeck.store.ScheduleStore;
import dev.flightdeck.time.TimeSource;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** Schedules, independent of HTTP: create, read, replace, delete, pause, resume, trigger. */
public final class ScheduleService {

  /** A schedule name already used in its app. */
  public static final class NameTaken extends RuntimeException implements dev.flightdeck.api.ApiException {
    public NameTaken(String message) {
      super(message, null, false, false);
    }

    @Override
    public int status() {
      return 409;
    }

    @Override
    public String code() {
      return "name_taken";
    }

    @Override
    public String field() {
      return "name";
    }
  }

  private final ScheduleStore store;
  private final JobRunner runner;
  private final TimeSource time;
  private final long defaultJobTimeoutSeconds;

  public ScheduleService(ScheduleStore store, JobRunner runner, TimeSource time, long defaultJobTimeoutSeconds) {
    this.store = store;
    this.runner = runner;
    this.time = time;
    this.defaultJobTimeoutSeconds = defaultJobTimeoutSeconds;
  }

  public ScheduleSpec parse(JsonObject body) {
    return ScheduleSpec.parse(body, defaultJobTimeoutSeconds);
  }

  private Long firstTickAfter(ScheduleSpec spec, long now) {
    return spec.cron().next(Instant.ofEpochMilli(now), spec.zone()).map(Instant::toEpochMilli).orElse(null);
  }

  public Future<ScheduleRecord> create(ScheduleSpec spec, String createdBy) {
    long now = time.millis();
    String id = "sch_" + JobIds.next(now).substring(4);
    Long first = firstTickAfter(spec, now);
    ScheduleRecord r = new ScheduleRecord(id, spec.app(), spec.name(), spec.toJson(), spec.paused(), first,
        TickPlanning.dueAt(id, first, spec), 1, now, now, createdBy);
    return store.createSchedule(r).compose(ok -> ok ? store.getSchedule(id)
        : Future.failedFuture(new NameTaken("app " + spec.app() + " already has a schedule named '" + spec.name()
            + "'")));
  }

  public Future<ScheduleRecord> get(String id) {
    return store.getSchedule(id);
  }

  public Future<Page<ScheduleRecord>> list(JobFilter filter, String cursor, int limit) {
    return store.listSchedules(filter, cursor, limit);
  }

  /** Replaces the definition; the next tick is computed afresh from now. */
  public Future<ScheduleStore.Replaced> replace(String id, ScheduleSpec spec) {
    long now = time.millis();
    Long first = firstTickAfter(spec, now);
    return store.replaceSchedule(id, spec.name(), spec.toJson(), spec.paused(), first, TickPlanning.dueAt(id, first,
        spec), now);
  }

  public Future<Boolean> delete(String id) {
    return store.deleteSchedule(id);
  }

  public Future<ScheduleRecord> pause(String id) {
    return store.setPaused(id, true, null, null, time.millis());
  }

  /** Resumes: ticks that fell in the pause are not run; the next is the first after now. */
  public Future<ScheduleRecord> resume(ScheduleRecord s) {
    long now = time.millis();
    ScheduleSpec spec = parse(s.spec());
    Long first = firstTickAfter(spec, now);
    return store.setPaused(s.id(), false, first, TickPlanning.dueAt(s.id(), first, spec), now);
  }

  /** Runs the schedule's job now, outside its ticks. */
  public Future<JobRecord> trigger(ScheduleRecord s, String by) {
    ScheduleSpec spec = parse(s.spec());
    long now = time.millis();
    NewJob job = JobService.newJob(spec.app(), spec.jobSpec().kind(), spec.job(),
        spec.jobSpec().options().priority(), null, null, by, now);
    return store.insertTriggered(new ScheduleStore.NewScheduledJob(job, s.id(), null, "manual", now))
        .onSuccess(j -> {
          if (runner != null) {
            runner.wake();
          }
        });
  }

  /** The schedule as the API shows it; with {@code detail}, next fire times, runs and skips too. */
  public Future<JsonObject> render(ScheduleRecord s, boolean detail) {
    JsonObject o = s.spec().copy()
        .put("id", s.id())
        .put("app", s.app())
        .put("paused", s.paused())
        .put("next_fire_at", s.paused() || s.nextFireAt() == null ? null : iso(s.nextFireAt()))
        .put("created_at", iso(s.createdAt()))
        .put("updated_at", iso(s.updatedAt()))
        .put("created_by", s.createdBy())
        .put("version", s.version());
    if (!detail) {
      return Future.succeededFuture(o);
    }
    ScheduleSpec spec = parse(s.spec());
    JsonArray next = new JsonArray();
    if (!s.paused()) {
      long from = s.nextFireAt() == null ? time.millis() : s.nextFireAt() - 1;
      spec.cron().next(Instant.ofEpochMilli(from), spec.zone(), 5).forEach(t -> next.add(t.toString()));
    }
    o.put("next_fire_times", next);
    return store.scheduleJobs(s.id(), 20).compose(jobs -> store.scheduleSkips(s.id(), 20).map(skips -> {
      JsonArray runs = new JsonArray();
      for (JobRecord j : jobs) {
        runs.add(new JsonObject().put("job_id", j.id()).put("scheduled_at", j.scheduledAt() == null ? null
                : iso(j.scheduledAt())).put("fired_as", j.firedAs()).put("state", j.state())
            .put("created_at", iso(j.createdAt())).put("finished_at", j.finishedAt() == null ? null
                : iso(j.finishedAt())).put("error", j.error()).put("progress", JobJson.progress(j.progress())));
      }
      JsonArray sk = new JsonArray();
      for (ScheduleStore.Skip k : skips) {
        sk.add(new JsonObject().put("scheduled_at", iso(k.scheduledAt())).put("reason", k.reason())
            .put("recorded_at", iso(k.recordedAt())));
      }
      return o.put("runs", runs).put("skips", sk);
    }));
  }

  private static String iso(long ms) {
    return Instant.ofEpochMilli(ms).toString();
  }
}
