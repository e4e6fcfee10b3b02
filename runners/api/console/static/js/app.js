// The console's router: each hash route (#/jobs, #/job/<id>, #/history/<id>?v=3,
// #/event/<position>, …) names one view, so every link can be pasted into a ticket.

import { login, logout, may, session, stopListening } from "./api.js";
import { h, problem, show } from "./dom.js";

const VIEWS = {
  jobs: () => import("./jobs.js").then((m) => m.jobsView),
  job: () => import("./job.js").then((m) => m.jobView),
  history: () => import("./history.js").then((m) => m.historyView),
  event: () => import("./history.js").then((m) => m.eventView),
  failed: () => import("./pages.js").then((m) => m.failedView),
  blocked: () => import("./pages.js").then((m) => m.blockedView),
  locks: () => import("./pages.js").then((m) => m.locksView),
  projections: () => import("./projections.js").then((m) => m.projectionsView),
  run: () => import("./run.js").then((m) => m.runView),
};

export function route() {
  const [path, search = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const [name, ...rest] = path.split("/");
  return { name: name || "jobs", args: rest.map(decodeURIComponent), params: new URLSearchParams(search) };
}

export function go(hash) {
  location.hash = hash;
}

function routePath() {
  return location.hash.split("?")[0];
}

async function render() {
  stopListening();
  // the route without its query: a view rewrites its own query (the history's ?v=) as the
  // user moves, which is no new route and must not show the page again under them
  const started = routePath();
  const { name, args, params } = route();
  if (name === "login") return loginView(params.get("next"));
  if (!session()) return loginView(location.hash);  // a pasted link opens once logged in
  header();
  const view = VIEWS[name];
  if (!view) return show(problem(`There is no page ${name}.`));
  try {
    await (await view())(args, params);
    // a later route may have been shown while this one waited for its data: the last wins
    if (routePath() !== started) return render();
    performance.mark("tasktrail:shown", { detail: name });  // the page shows its data: W7 reads it
  } catch (error) {
    show(problem(error));
  }
}

function header() {
  const current = session();
  document.getElementById("nav").hidden = false;
  for (const link of document.querySelectorAll("#nav a[data-role]")) link.hidden = !may(link.dataset.role);
  const out = h("button", { type: "button", class: "link", onclick: () => logout().then(() => go("#/login")) }, "log out");
  document.getElementById("who").replaceChildren(`${current.name} (${current.role}) `, out);
  const { name } = route();
  for (const link of document.querySelectorAll("#nav a")) {
    link.classList.toggle("here", link.getAttribute("href") === `#/${name}`);
  }
}

function loginView(next) {
  document.getElementById("nav").hidden = true;
  document.getElementById("who").replaceChildren();
  const message = h("div");
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    try {
      await login(form.get("username"), form.get("password"));
      const target = next && !next.startsWith("#/login") ? next : "#/jobs";
      if (location.hash === target) render();  // the same hash fires no hashchange
      else go(target);
    } catch (error) {
      message.replaceChildren(problem(error));
    }
  };
  show(h("form", { class: "login", onsubmit: submit },
    h("h1", {}, "Log in"),
    h("label", {}, "User", h("input", { name: "username", autocomplete: "username", required: true, autofocus: true })),
    h("label", {}, "Password", h("input", { name: "password", type: "password", autocomplete: "current-password", required: true })),
    h("button", { type: "submit" }, "Log in"),
    message,
    h("p", { class: "muted" }, "The users of tasktrail's API (tasktrail user add).")));
}

window.addEventListener("hashchange", render);
render();
