// One job: its step tree as a Gantt timeline, kept current by the stream; running bars grow.

import { get, listen } from "./api.js";
import { badge, h, idLink, show, when } from "./dom.js";

const WATCHED = new Set(["Job", "Step", "AsyncTask", "Command"]);

export async function jobView([jobId]) {
  const head = h("div");
  const chart = h("div", { class: "gantt", id: "timeline" });
  show(head, chart);
  let job = null;
  const refresh = async () => {
    job = await recorded(jobId);
    head.replaceChildren(summary(job));
    chart.replaceChildren(...timeline(job));
  };
  listen((event) => WATCHED.has(event.aggregate_type), refresh);
  await refresh();
  const timer = setInterval(() => {
    if (!document.body.contains(chart)) return clearInterval(timer);
    if (job && job.status === "STARTED") grow(chart, job);
  }, 250);
}

// A job just run may not be in the read model yet: the API answered once it was recorded.
async function recorded(jobId) {
  for (let tries = 1; ; tries += 1) {
    try {
      return await get(`/jobs/${jobId}`);
    } catch (error) {
      if (error.status !== 404 || tries === 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function summary(job) {
  return h("section", { class: "summary" },
    h("h1", {}, job.description, " ", badge(job.status)),
    h("dl", {},
      h("dt", {}, "Action"), h("dd", {}, job.action_type),
      h("dt", {}, "User"), h("dd", {}, job.owner),
      h("dt", {}, "Correlation id"), h("dd", {}, h("a", { href: `#/jobs?correlation_id=${encodeURIComponent(job.correlation_id)}` }, job.correlation_id)),
      h("dt", {}, "Started"), h("dd", {}, when(job.start_time)),
      h("dt", {}, "Ended"), h("dd", {}, when(job.end_time) || "—"),
      h("dt", {}, "History"), h("dd", {}, idLink("history", job.id, "every event of this job"))),
    job.reason ? h("p", { class: "reason", id: "job-reason" }, job.reason) : null);
}

function flat(steps, depth = 0) {
  return steps.flatMap((step) => [{ step, depth }, ...flat(step.steps, depth + 1)]);
}

function bounds(job) {
  const rows = flat(job.steps);
  const start = Date.parse(job.start_time);
  const ends = rows.map(({ step }) => Date.parse(step.end_time ?? step.start_time));
  const end = job.end_time ? Date.parse(job.end_time) : Math.max(Date.now(), ...ends);
  return { rows, start, span: Math.max(end - start, 1) };
}

function timeline(job) {
  const { rows, start, span } = bounds(job);
  const axis = h("div", { class: "axis" }, [0, 0.25, 0.5, 0.75, 1].map((f) =>
    h("span", { style: { left: `${f * 100}%` } }, `${((f * span) / 1000).toFixed(1)} s`)));
  return [h("div", { class: "row axis-row" }, h("div", { class: "label" }), axis),
    ...rows.map(({ step, depth }) => stepRow(step, depth, start, span))];
}

function stepRow(step, depth, start, span) {
  const bar = h("div", { class: `bar s-${step.status.toLowerCase()}`, title: `${step.type} ${step.status}`, "data-start": step.start_time });
  place(bar, step, start, span);
  const links = [step.command_id ? idLink("history", step.command_id, "command") : null,
    step.external_system === "VDSM" && step.external_id ? idLink("history", step.external_id, "storage task") : null];
  return h("div", { class: "row", "data-step": step.id, "data-type": step.type, "data-status": step.status },
    h("div", { class: "label", style: { paddingLeft: `${depth * 1.2}em` } },
      h("span", { class: "step-name" }, `${step.number}. ${step.type}`), " ", badge(step.status), " ",
      h("span", { class: "links" }, links),
      h("div", { class: "desc" }, step.description),
      step.reason ? h("div", { class: "reason" }, step.reason) : null),
    h("div", { class: "track" }, bar));
}

function place(bar, step, start, span) {
  const from = Date.parse(step.start_time) - start;
  const to = (step.end_time ? Date.parse(step.end_time) : start + span) - start;
  bar.style.left = `${(100 * from) / span}%`;
  bar.style.width = `${Math.max((100 * (to - from)) / span, 0.4)}%`;
}

// While the job runs, time passes: the scale stretches to now and running bars reach it.
function grow(chart, job) {
  const { rows, start, span } = bounds(job);
  const bars = chart.querySelectorAll(".row[data-step] .bar");
  rows.forEach(({ step }, index) => bars[index] && place(bars[index], step, start, span));
  chart.querySelectorAll(".axis span").forEach((label, i) => {
    label.textContent = `${((i * 0.25 * span) / 1000).toFixed(1)} s`;
  });
}
