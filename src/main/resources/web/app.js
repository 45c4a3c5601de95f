// Flightdeck dashboard: plain JavaScript, no build step. The token lives in sessionStorage only.
"use strict";

const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
};

let timer = null;
let stream = null;

function token() { return sessionStorage.getItem("flightdeck-token"); }

async function send(method, path, body) {
  return (await exchange(method, path, body, {})).body;
}

// one request: errors thrown with the API's code and field; a 304 comes back with no body
async function exchange(method, path, body, headers) {
  const opts = { method, headers: { Authorization: "Bearer " + token(), ...headers } };
  if (body !== undefined) { opts.headers["content-type"] = "application/json"; opts.body = JSON.stringify(body); }
  let res;
  try {
    res = await fetch(path, opts);
  } catch (e) {
    if (e.name === "AbortError") throw e;
    throw new Error("Cannot reach Flightdeck at " + location.host + " — is it running? Retrying.");
  }
  if (res.status === 401) { logout(); throw new Error("the token was refused"); }
  const text = await res.text();
  let parsed = {};
  try { parsed = text ? JSON.parse(text) : {}; } catch (e) { parsed = {}; }
  if (!res.ok && res.status !== 304) {
    const err = parsed.error || {};
    throw new Error(`${res.status} ${err.code || ""}${err.field ? " (" + err.field + ")" : ""}: ${err.message || text}`);
  }
  return { status: res.status, etag: res.headers.get("ETag"), body: parsed };
}

const api = (path) => send("GET", path);

// errors sit at the top of the page until something succeeds again
function showError(e) {
  const b = $("#banner");
  b.textContent = e ? String(e.message || e) : "";
  b.hidden = !e;
}

// what the token may do: read-only tokens see no buttons or forms that would change something
async function whoAmI() {
  try {
    const me = await api("/v1/me");
    document.body.classList.toggle("read-only", me.role === "read");
  } catch (e) { showError(e); }
}

function logout() {
  sessionStorage.removeItem("flightdeck-token");
  route();
}

async function login(ev) {
  ev.preventDefault();
  const t = $("#token").value.trim();
  const res = await fetch("/v1/jobs?limit=1", { headers: { Authorization: "Bearer " + t } });
  if (!res.ok) { $("#login-error").textContent = "That token was not accepted (" + res.status + ")."; return; }
  sessionStorage.setItem("flightdeck-token", t);
  $("#login-error").textContent = "";
  await whoAmI();
  location.hash = "#/fleet";
  route();
}

function stop() {
  if (timer) clearInterval(timer);
  timer = null;
  if (stream) stream.abort();
  stream = null;
}

function every(ms, fn) {
  stop();
  const run = () => fn().then(() => showError(null)).catch(showError);
  run();
  timer = setInterval(run, ms);
}

function route() {
  stop();
  document.querySelectorAll("section").forEach((s) => (s.hidden = true));
  if (!token()) { $("#nav").hidden = true; $("#login").hidden = false; return; }
  $("#nav").hidden = false;
  const [, view, id] = (location.hash || "#/fleet").split("/");
  document.querySelectorAll("nav a").forEach((a) => a.classList.toggle("active", a.dataset.view === view));
  if (view === "jobs" && id) { $("#view-job").hidden = false; showJob(id); return; }
  if ((view || "fleet") === "fleet" && id) $("#app").value = decodeURIComponent(id);
  const section = $("#view-" + (view || "fleet")) || $("#view-fleet");
  section.hidden = false;
  if (view === "jobs") every(1000, loadJobs);
  else if (view === "schedules") every(5000, loadSchedules);
  else if (view === "policies") every(5000, loadPolicies);
  else every(1000, loadFleet);
}

// ---------------------------------------------------------------- fleet

let fleetMachines = {};
// the last answer for the app shown: polled with its ETag, so an unchanged fleet is neither sent nor redrawn
let fleetLast = null;

async function loadFleet() {
  const app = $("#app").value.trim() || "demo";
  const path = "/v1/fleet/apps/" + encodeURIComponent(app) + "/machines";
  const held = fleetLast && fleetLast.app === app ? fleetLast : null;
  const [apps, answer] = await Promise.all([api("/v1/fleet/apps"),
    exchange("GET", path, undefined, held && held.etag ? { "If-None-Match": held.etag } : {})]);
  $("#apps").replaceChildren(...apps.apps.map((a) => el("option", { value: a.app })));
  if (answer.status === 304 && held) {
    showFleetAge();
    return;
  }
  fleetLast = { app, etag: answer.etag, fleet: answer.body, at: performance.now() };
  drawFleet();
}

// age_ms was true when the answer came; it has grown since by the time the page has held it
function showFleetAge() {
  const { fleet, at } = fleetLast;
  const age = fleet.age_ms + (performance.now() - at);
  $("#fleet-age").textContent = `${fleet.count} machines, data ${Math.round(age / 100) / 10} s old${fleet.stale ? " (stale)" : ""}`;
}

function drawFleet() {
  if (!fleetLast) return;
  const { fleet } = fleetLast;
  const only = $("#fleet-filter").value;
  showFleetAge();
  const byState = {};
  const groups = {};
  fleetMachines = {};
  for (const m of fleet.machines) {
    fleetMachines[m.id] = m;
    byState[m.state] = (byState[m.state] || 0) + 1;
    if (only && m.state !== only) continue;
    const key = (m.process_group || "—") + " · " + m.region;
    (groups[key] = groups[key] || []).push(m);
  }
  $("#fleet-counts").replaceChildren(...Object.keys(byState).sort().map((s) =>
    el("span", { "data-state": s }, el("span", { class: "m " + s }), ` ${s} ${byState[s]}`)));
  $("#fleet-grid").replaceChildren(...Object.keys(groups).sort().map((g) => {
    const ms = groups[g].sort((a, b) => a.id.localeCompare(b.id));
    return el("div", { class: "group" }, el("h3", { text: `${g} (${ms.length})` }),
      el("div", { class: "cells" }, ...ms.map((m) => el("span", { class: "m " + m.state, title: `${m.id} ${m.name || ""} — ${m.state}`, "data-id": m.id }))));
  }));
  const open = $("#machine-details").dataset.id;
  if (open && fleetMachines[open]) showMachine(open);
}

function showMachine(id) {
  const m = fleetMachines[id];
  const box = $("#machine-details");
  if (!m) { box.hidden = true; return; }
  box.dataset.id = id;
  const rows = [["id", m.id], ["name", m.name], ["state", m.state], ["region", m.region], ["process group", m.process_group],
    ["image", m.image], ["instance", m.instance_id], ["lease", m.lease ? `${m.lease.owner} until ${m.lease.expires_at}` : "none"], ["cordoned", m.cordoned ? "yes" : "no"],
    ["created", m.created_at], ["updated", m.updated_at],
    ["metadata", Object.entries(m.metadata || {}).map(([k, v]) => k + "=" + v).join(", ")]];
  box.replaceChildren(el("button", { type: "button", class: "close", text: "×", title: "close" }),
    el("dl", {}, ...rows.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v == null ? "" : String(v) })])));
  box.hidden = false;
}

// ---------------------------------------------------------------- jobs

function bar(p) {
  const total = Math.max(1, p.total);
  const done = ((p.succeeded + p.skipped) / total) * 100;
  const bad = (p.failed / total) * 100;
  const cancelled = (p.cancelled / total) * 100;
  return el("span", { class: "bar", title: `${p.succeeded + p.skipped} done, ${p.failed} failed, ${p.cancelled} cancelled, ${p.remaining} remaining` },
    el("span", { class: "done", style: `left:0;width:${done}%` }),
    el("span", { class: "bad", style: `left:${done}%;width:${bad}%` }),
    el("span", { class: "cancelled", style: `left:${done + bad}%;width:${cancelled}%` }));
}

function duration(j) {
  if (j.duration_ms == null) return "";
  return j.duration_ms < 1000 ? j.duration_ms + " ms" : (j.duration_ms / 1000).toFixed(1) + " s";
}

async function loadJobs() {
  const list = (await api("/v1/jobs?limit=50")).jobs;
  const running = list.filter((j) => j.state === "running" || j.state === "queued");
  $("#jobs-running").replaceChildren(...(running.length ? running.map((j) => el("div", { class: "job-card", "data-job": j.id },
    el("a", { href: "#/jobs/" + j.id, text: j.id }), el("span", { text: `${j.app} ${j.kind}` }), bar(j.progress),
    el("span", { class: "progress-text", text: `${j.progress.succeeded + j.progress.skipped}/${j.progress.total} done, ${j.progress.failed} failed, ${j.progress.cancelled} cancelled, ${j.progress.remaining} remaining` })))
    : [el("p", { class: "muted", text: "Nothing running." })]));
  $("#jobs-recent tbody").replaceChildren(...list.map((j) => el("tr", {},
    el("td", {}, el("a", { href: "#/jobs/" + j.id, text: j.id })), el("td", { text: j.app }), el("td", { text: j.kind }),
    el("td", { class: "state-" + j.state, text: j.state }), el("td", {}, bar(j.progress)), el("td", { text: duration(j) }),
    el("td", { text: j.submitted_by || "" }))));
}

const PAGE = 100;
let jobView = { job: null, page: 0 };

function renderSummary(id, state, p, error, cancelRequested) {
  $("#job-summary").replaceChildren(el("span", { class: "state-" + state, text: state + " " }), bar(p),
    el("span", { text: ` ${p.succeeded} succeeded, ${p.failed} failed, ${p.skipped} skipped, ${p.cancelled} cancelled, ${p.remaining} remaining ${error ? "— " + error : ""}` }));
  $("#job-cancel").hidden = !(state === "queued" || state === "running") || cancelRequested;
  $("#job-cancel").dataset.job = id;
}

// the machine table a page at a time (a job can have thousands), optionally failed ones only
function renderMachines() {
  const j = jobView.job;
  if (!j) return;
  const all = (j.machines || []).filter((m) => !$("#failed-only").checked || m.state === "failed");
  const pages = Math.max(1, Math.ceil(all.length / PAGE));
  jobView.page = Math.min(jobView.page, pages - 1);
  const rows = all.slice(jobView.page * PAGE, (jobView.page + 1) * PAGE);
  $("#page-info").textContent = `${all.length} machine(s), page ${jobView.page + 1} of ${pages}`;
  $("#page-prev").disabled = jobView.page === 0;
  $("#page-next").disabled = jobView.page >= pages - 1;
  $("#job-machines tbody").replaceChildren(...rows.map((m) => el("tr", {},
    el("td", { text: m.slot }), el("td", { text: m.machine_id || "" }), el("td", { text: m.action }),
    el("td", { class: "state-" + m.state, text: m.state }), el("td", { text: m.attempts }),
    el("td", { text: m.error ? `${m.error_code || ""} ${m.error}` : "" }))));
}

function renderJob(j) {
  jobView.job = j;
  $("#job-title").textContent = `${j.id}: ${j.app} ${j.kind}`;
  renderSummary(j.id, j.state, j.progress, j.error, j.cancel_requested);
  $("#job-meta").textContent = [`submitted by ${j.submitted_by || "?"} at ${j.created_at}`,
    j.started_at ? `started ${j.started_at}` : "", j.duration_ms != null ? `${j.finished_at ? "took" : "running for"} ${duration(j)}` : "",
    j.claims > 1 ? `resumed ${j.claims - 1} time(s)` : ""].filter(Boolean).join(" · ");
  $("#job-spec pre").textContent = JSON.stringify(j.spec, null, 2);
  renderMachines();
  return j;
}

async function showJob(id) {
  const mine = stream = new AbortController();
  jobView = { job: null, page: 0 };
  $("#job-events").replaceChildren();
  let refetch = null;
  // events update the summary at once; the whole job (its machine rows) is read again at most every 2 s
  const later = () => {
    if (refetch) return;
    refetch = setTimeout(async () => {
      refetch = null;
      if (stream === mine) renderJob(await api("/v1/jobs/" + id));
    }, 2000);
  };
  for (let ended = false; !ended && stream === mine;) {
    try {
      const j = renderJob(await api("/v1/jobs/" + id));
      showError(null);
      if (!(j.state === "queued" || j.state === "running")) return;
      // EventSource cannot send a token: read the Server-Sent Events stream with fetch
      const res = await fetch("/v1/jobs/" + id + "/events", { headers: { Authorization: "Bearer " + token() }, signal: mine.signal });
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buf = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const chunk = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = chunk.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5)).join("\n");
          const type = (chunk.split("\n").find((l) => l.startsWith("event:")) || "event: message").slice(6).trim();
          if (!data) continue;
          $("#job-events").prepend(el("li", { text: `${type} ${data}` })); // newest first
          const ev = JSON.parse(data);
          if (ev.progress) renderSummary(id, ev.state || jobView.job.state, ev.progress, ev.error, jobView.job.cancel_requested);
          if (type === "end") ended = true; else later();
        }
      }
      if (!ended) throw new Error("Lost the job's event stream; reconnecting.");
      if (refetch) { clearTimeout(refetch); refetch = null; }
      renderJob(await api("/v1/jobs/" + id));
    } catch (e) {
      if (e.name === "AbortError" || stream !== mine) return;
      showError(e);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

async function cancelJob() {
  const id = $("#job-cancel").dataset.job;
  try {
    await send("POST", "/v1/jobs/" + encodeURIComponent(id) + "/cancel");
    $("#job-cancel").hidden = true;
    showError(null);
  } catch (e) { showError(e); }
}

// ---------------------------------------------------------------- submitting

const TEMPLATES = {
  start: (app) => ({ app, kind: "start", target: { all: true } }),
  stop: (app) => ({ app, kind: "stop", target: { all: true } }),
  restart: (app) => ({ app, kind: "restart", target: { process_group: "app" } }),
  suspend: (app) => ({ app, kind: "suspend", target: { machine_ids: [] } }),
  update: (app) => ({ app, kind: "update", target: { all: true }, params: { image: "registry.fly.io/" + app + ":v2", max_unavailable: 0.25 } }),
  scale: (app) => ({ app, kind: "scale", params: { process_group: "app", count: 3 } }),
  create: (app) => ({ app, kind: "create", params: { count: 1, config: { image: "registry.fly.io/" + app + ":v1" } } }),
  run: (app) => ({ app, kind: "run", params: { count: 1, config: { image: "registry.fly.io/" + app + ":v1" } } }),
};

function currentApp() { return $("#app").value.trim() || "demo"; }

function fillTemplate() {
  $("#job-json").value = JSON.stringify(TEMPLATES[$("#job-template").value](currentApp()), null, 2);
}

// examples to edit, for the app shown in the fleet view
const SCHEDULE_TEMPLATE = (app) => ({ name: "nightly-restart", cron: "0 3 * * *", time_zone: "UTC",
  job: { app, kind: "restart", target: { process_group: "app" } }, concurrency_policy: "forbid" });
const POLICY_TEMPLATE = (app) => ({ name: "app-autoscale", app, process_group: "app", min: 1, max: 10,
  step_up: 1, step_down: 1, cooldown_up_seconds: 60, cooldown_down_seconds: 300, down_action: "stop",
  up: { alertname: "HighLoad", matchers: ["app=" + app] }, down: { alertname: "LowLoad", matchers: ["app=" + app] } });

// a JSON textarea sent to the API; an answer's error (code, field) goes to the banner and nothing changes
async function postJson(ev, textarea, path, what) {
  ev.preventDefault();
  let body;
  try {
    body = JSON.parse($(textarea).value);
  } catch (e) {
    showError(new Error(`The ${what} is not valid JSON: ${e.message}`));
    return null;
  }
  try {
    const created = await send("POST", path, body);
    showError(null);
    return created;
  } catch (e) { showError(e); return null; }
}

async function submitJob(ev) {
  const created = await postJson(ev, "#job-json", "/v1/jobs", "job");
  if (created) location.hash = "#/jobs/" + created.id;
}

async function createSchedule(ev) {
  if (await postJson(ev, "#schedule-json", "/v1/schedules", "schedule")) {
    $("#create-schedule").open = false;
    await loadSchedules();
  }
}

async function createPolicy(ev) {
  if (await postJson(ev, "#policy-json", "/v1/scaling-policies", "scaling policy")) {
    $("#create-policy").open = false;
    await loadPolicies();
  }
}

// ---------------------------------------------------------------- schedules and policies

// a fire time in the schedule's own zone (the API gives UTC)
function inZone(iso, zone) {
  try {
    return new Date(iso).toLocaleString("sv-SE", { timeZone: zone || "UTC", dateStyle: "short", timeStyle: "short" }) + " " + (zone || "UTC");
  } catch (e) { return iso; }
}

async function loadSchedules() {
  const list = (await api("/v1/schedules?limit=100")).schedules;
  const rows = await Promise.all(list.map((s) => api("/v1/schedules/" + s.id)));
  $("#schedules tbody").replaceChildren(...rows.map((s) => el("tr", {},
    el("td", { text: s.name + (s.paused ? " (paused)" : "") }), el("td", { text: s.app }), el("td", {}, el("code", { text: s.cron })),
    el("td", { text: s.time_zone }), el("td", {}, ...(s.paused ? [el("span", { text: "paused" })]
      : (s.next_fire_times || []).slice(0, 3).map((t) => el("div", { class: "fire", title: t.replace("T", " ").replace("Z", " UTC"), text: inZone(t, s.time_zone) })))),
    el("td", {}, ...(s.runs || []).slice(0, 5).map((r) => el("div", {}, el("a", { href: "#/jobs/" + r.job_id, text: r.job_id }),
      el("span", { class: "state-" + r.state, text: " " + r.state + " " }), el("span", { class: "muted", text: r.scheduled_at || "manual" })))),
    el("td", { text: (s.skips || []).slice(0, 3).map((k) => k.scheduled_at + ": " + k.reason).join("\n") }),
    el("td", { class: "actions writer", "data-schedule": s.id },
      el("button", { type: "button", "data-action": s.paused ? "resume" : "pause", text: s.paused ? "Resume" : "Pause" }),
      el("button", { type: "button", "data-action": "trigger", text: "Run now" })))));
  if (!rows.length) $("#schedules tbody").replaceChildren(el("tr", {}, el("td", { colspan: 8, class: "muted", text: "No schedules." })));
}

async function loadPolicies() {
  const list = (await api("/v1/scaling-policies?limit=100")).policies;
  const cards = await Promise.all(list.map(async (p) => {
    const d = (await api("/v1/scaling-policies/" + p.id + "/decisions?limit=10")).decisions;
    return el("div", { class: "group", "data-policy": p.id },
      el("h3", { text: `${p.app}/${p.name}: ${p.process_group}, ${p.min}–${p.max} started${p.dry_run ? " (dry run)" : ""}` }),
      el("button", { type: "button", class: "writer", "data-action": "delete", text: "Delete policy" }),
      el("table", {}, el("thead", {}, el("tr", {}, ...["At", "Trigger", "Direction", "Outcome", "Started → wanted", "Reason", "Job"].map((h) => el("th", { text: h })))),
        el("tbody", {}, ...d.map((x) => el("tr", {}, el("td", { text: x.at }), el("td", { text: x.trigger }), el("td", { text: x.direction || "" }),
          el("td", { text: x.outcome }), el("td", { text: x.current == null ? "" : `${x.current} → ${x.desired}` }), el("td", { text: x.reason }),
          el("td", {}, x.job_id ? el("a", { href: "#/jobs/" + x.job_id, text: x.job_id }) : ""))))));
  }));
  $("#policies").replaceChildren(...(cards.length ? cards : [el("p", { class: "muted", text: "No scaling policies." })]));
}

async function scheduleAction(ev) {
  const b = ev.target.closest("button[data-action]");
  if (!b) return;
  const id = b.closest("[data-schedule]").dataset.schedule;
  try {
    await send("POST", "/v1/schedules/" + encodeURIComponent(id) + "/" + b.dataset.action);
    await loadSchedules();
    showError(null);
  } catch (e) { showError(e); }
}

async function policyAction(ev) {
  const b = ev.target.closest("button[data-action='delete']");
  if (!b) return;
  const id = b.closest("[data-policy]").dataset.policy;
  if (!window.confirm("Delete scaling policy " + id + "?")) return;
  try {
    await send("DELETE", "/v1/scaling-policies/" + encodeURIComponent(id));
    await loadPolicies();
    showError(null);
  } catch (e) { showError(e); }
}

$("#login-form").addEventListener("submit", login);
$("#submit-form").addEventListener("submit", submitJob);
$("#schedule-form").addEventListener("submit", createSchedule);
$("#policy-form").addEventListener("submit", createPolicy);
// a template for the app shown, filled when the form is opened and empty
for (const [box, area, template] of [["#create-schedule", "#schedule-json", SCHEDULE_TEMPLATE],
  ["#create-policy", "#policy-json", POLICY_TEMPLATE]]) {
  $(box).addEventListener("toggle", () => {
    if ($(box).open && !$(area).value.trim()) $(area).value = JSON.stringify(template(currentApp()), null, 2);
  });
}
$("#job-template").addEventListener("change", fillTemplate);
$("#job-cancel").addEventListener("click", cancelJob);
$("#failed-only").addEventListener("change", () => { jobView.page = 0; renderMachines(); });
$("#page-prev").addEventListener("click", () => { jobView.page = Math.max(0, jobView.page - 1); renderMachines(); });
$("#page-next").addEventListener("click", () => { jobView.page += 1; renderMachines(); });
$("#schedules").addEventListener("click", scheduleAction);
$("#policies").addEventListener("click", policyAction);
$("#logout").addEventListener("click", logout);
$("#app-form").addEventListener("submit", (e) => {
  e.preventDefault();
  $("#machine-details").hidden = true;
  delete $("#machine-details").dataset.id;
  location.hash = "#/fleet/" + encodeURIComponent($("#app").value.trim() || "demo"); // the app is in the URL
});
$("#fleet-filter").addEventListener("change", drawFleet); // the filter is applied here, to the answer held
$("#fleet-grid").addEventListener("click", (e) => { const c = e.target.closest("[data-id]"); if (c) showMachine(c.dataset.id); });
$("#machine-details").addEventListener("click", (e) => {
  if (e.target.classList.contains("close")) { $("#machine-details").hidden = true; delete $("#machine-details").dataset.id; }
});
window.addEventListener("hashchange", route);
fillTemplate();
if (token()) whoAmI();
route();
