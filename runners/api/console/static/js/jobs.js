// Jobs, newest first: filters in the URL, paging, and the list kept current by the stream.

import { get, listen, query } from "./api.js";
import { badge, h, idLink, seconds, show, table, when } from "./dom.js";

const PAGE = 25;
const FILTERS = ["status", "action_type", "owner", "correlation_id", "since", "until"];
const STATUSES = ["", "STARTED", "FINISHED", "FAILED", "ABORTED", "UNKNOWN"];

export async function jobsView(args, params) {
  const page = Math.max(0, Number(params.get("page") ?? 0) || 0);
  const filters = Object.fromEntries(FILTERS.map((name) => [name, params.get(name) ?? ""]));
  const rows = h("div", { id: "jobs" });
  const pager = h("div", { class: "pager" });
  show(h("h1", {}, "Jobs"), filterForm(filters), rows, pager);
  const refresh = async () => {
    const asked = { ...filters, since: iso(filters.since), until: iso(filters.until), limit: PAGE + 1, offset: page * PAGE };
    const jobs = await get(`/jobs${query(asked)}`);
    rows.replaceChildren(jobTable(jobs.slice(0, PAGE)));
    pager.replaceChildren(pageLinks(filters, page, jobs.length > PAGE));
  };
  listen((event) => event.aggregate_type === "Job", refresh);
  await refresh();
}

function iso(local) {
  return local ? new Date(local).toISOString() : "";
}

function filterForm(filters) {
  const field = (name, label, input) => h("label", {}, label, input ?? h("input", { name, value: filters[name] }));
  const status = h("select", { name: "status" }, STATUSES.map((s) => h("option", { value: s, selected: s === filters.status }, s || "any")));
  const time = (name) => h("input", { name, type: "datetime-local", step: 1, value: filters[name] });
  const submit = (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    location.hash = `#/jobs${query(Object.fromEntries(FILTERS.map((n) => [n, form.get(n)])))}`;
  };
  return h("form", { class: "filters", onsubmit: submit },
    field("status", "Status", status), field("action_type", "Action"), field("owner", "User"),
    field("correlation_id", "Correlation id"), field("since", "Started from", time("since")),
    field("until", "to", time("until")), h("button", { type: "submit" }, "Filter"));
}

function jobTable(jobs) {
  const rows = jobs.map((job) => h("tr", { "data-job": job.id },
    h("td", {}, when(job.start_time)), h("td", {}, job.action_type),
    h("td", {}, h("a", { href: `#/job/${job.id}` }, job.description)), h("td", {}, badge(job.status)),
    h("td", {}, job.owner), h("td", {}, job.correlation_id), h("td", { class: "num" }, seconds(job.start_time, job.end_time)),
    h("td", {}, idLink("history", job.id, "history"))));
  return table(["Started", "Action", "Job", "Status", "User", "Correlation id", "Took", ""], rows, "No jobs match.");
}

function pageLinks(filters, page, more) {
  const to = (n) => `#/jobs${query({ ...filters, page: n || "" })}`;
  return [
    page > 0 ? h("a", { href: to(page - 1) }, "← newer") : h("span", { class: "muted" }, "← newer"),
    h("span", {}, ` page ${page + 1} `),
    more ? h("a", { href: to(page + 1) }, "older →") : h("span", { class: "muted" }, "older →"),
  ];
}
