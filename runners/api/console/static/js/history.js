// An aggregate's history: every event, and a version slider showing the state at that
// version, what changed from the one before, and for a job its step tree as it stood then.

import { get, query } from "./api.js";
import { badge, h, idLink, json, show, table, when } from "./dom.js";

export async function eventView([position]) {
  const event = await get(`/events/${position}`);
  location.replace(`#/history/${event.aggregate_id}?v=${event.version}`);
}

export async function historyView([id], params) {
  const [now, indexed] = await Promise.all([
    get(`/replay/${id}`), get(`/history${query({ aggregate: id, limit: 10000 })}`)]);
  // the user may have gone elsewhere while the data came: never pull them back here
  const here = () => location.hash.startsWith(`#/history/${id}`);
  if (!here()) return;
  const positions = new Map(indexed.events.map((e) => [e.version, e.position]));
  const latest = now.state.version;
  const chosen = Math.min(Math.max(Number(params.get("v")) || latest, 1), latest);
  const slider = h("input", { type: "range", id: "version", min: 1, max: latest, value: chosen, step: 1 });
  const label = h("output", { for: "version", id: "version-label" });
  const panel = h("div", { class: "at-version" });
  const events = eventTable(now.path, positions);
  show(title(now.state), h("div", { class: "slider" }, h("span", {}, "version"), slider, label), panel,
    h("h2", {}, "Every event"), events);
  const choose = async (version) => {
    if (!here()) return;
    label.textContent = `${version} of ${latest}`;
    history.replaceState(null, "", `#/history/${id}?v=${version}`);
    for (const row of events.querySelectorAll("tr[data-version]")) {
      row.classList.toggle("chosen", Number(row.dataset.version) === version);
    }
    panel.replaceChildren(await atVersion(id, version, now.path));
  };
  slider.addEventListener("input", () => choose(Number(slider.value)));
  await choose(chosen);
}

function title(state) {
  const parent = state.fields.job_id ? [" of job ", idLink("job", state.fields.job_id)] : [];
  const job = state.aggregate_type === "Job" ? [" — ", idLink("job", state.id, "timeline")] : [];
  return h("h1", {}, `${state.aggregate_type} `, h("span", { class: "id" }, state.id), ...parent, ...job);
}

async function atVersion(id, version, path) {
  const [then, before] = await Promise.all([get(`/replay/${id}/versions/${version}`),
    version > 1 ? get(`/replay/${id}/versions/${version - 1}`) : null]);
  const step = path.find((t) => t.version === version);
  return h("div", { id: "state", "data-version": version, "data-state": then.state.state },
    h("h2", {}, `At version ${version}: `, badge(then.state.state), ` ${when(then.state.modified_on)}`),
    h("div", { class: "columns" },
      h("div", {}, h("h3", {}, "State"), fieldTable(then.state.fields, before?.state.fields)),
      h("div", { id: "change" }, h("h3", {}, version > 1 ? `Change from version ${version - 1}` : "Created"),
        h("p", {}, `${step.event_type} (${step.trigger}): ${step.from_state ?? "∅"} → ${step.to_state}`),
        changes(then.state.fields, before?.state.fields), h("h3", {}, "Payload"), json(step.payload))),
    then.tree ? stepTree(then.tree) : null);
}

function fieldTable(fields, previous) {
  return table(["Field", "Value"], Object.entries(fields).map(([name, value]) =>
    h("tr", { class: previous && JSON.stringify(previous[name]) !== JSON.stringify(value) ? "changed" : null },
      h("td", {}, name), h("td", {}, json(value)))));
}

function changes(fields, previous) {
  if (!previous) return null;
  const changed = Object.keys(fields).filter((k) => JSON.stringify(previous[k]) !== JSON.stringify(fields[k]));
  if (!changed.length) return h("p", { class: "muted" }, "No field changed (the state did).");
  return h("ul", { class: "diff" }, changed.map((k) =>
    h("li", {}, `${k}: `, json(previous[k]), " → ", json(fields[k]))));
}

function stepTree(tree) {
  const nodes = (parent) => tree.steps.filter((s) => (s.fields.parent_step_id ?? null) === parent).map((s) =>
    h("li", {}, `${s.fields.step_number}. ${s.fields.step_type} `, badge(s.state), " ", idLink("history", s.id, "history"),
      h("ul", {}, nodes(s.id))));
  return h("section", { id: "tree-then" }, h("h3", {}, "The job's steps as they stood then"),
    h("p", {}, "Job ", badge(tree.job.state)), h("ul", { class: "tree" }, nodes(null)));
}

function eventTable(path, positions) {
  const rows = path.map((t) => h("tr", { "data-version": t.version },
    h("td", {}, positions.has(t.version) ? h("a", { href: `#/event/${positions.get(t.version)}` }, positions.get(t.version)) : ""),
    h("td", { class: "num" }, t.version), h("td", {}, when(t.timestamp)), h("td", {}, t.event_type),
    h("td", {}, t.trigger), h("td", {}, `${t.from_state ?? "∅"} → ${t.to_state}`), h("td", {}, t.user),
    h("td", {}, t.correlation_id), h("td", {}, json(t.payload))));
  return table(["Position", "Version", "Time", "Event", "Trigger", "From → to", "User", "Correlation id", "Payload"], rows);
}
