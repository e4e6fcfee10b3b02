// The lists of what went wrong or is held: failed commands, what is blocked, locks.

import { get, listen } from "./api.js";
import { h, idLink, show, table, when } from "./dom.js";

export async function failedView() {
  const failed = await get("/failed?limit=200");
  const rows = failed.map((f) => h("tr", {},
    h("td", {}, when(f.ended_at)), h("td", {}, idLink("history", f.command_id, f.command_type)),
    h("td", {}, f.job_id ? idLink("job", f.job_id, "timeline") : ""),
    h("td", {}, f.failed_step_type ? `${f.failed_step_number}. ${f.failed_step_type}` : ""),
    h("td", { class: "reason" }, f.storage_error ?? ""), h("td", {}, f.messages.join(", ")),
    h("td", {}, f.user), h("td", {}, f.correlation_id)));
  show(h("h1", {}, "Failed commands"),
    table(["Ended", "Command", "Job", "Failed step", "Storage error", "Messages", "User", "Correlation id"], rows, "No command failed."));
}

export async function blockedView() {
  const list = h("div");
  show(h("h1", {}, "Blocked"), h("p", { class: "muted" }, "Every command and storage task not yet ended, what it waits on, longest idle first."), list);
  const refresh = async () => {
    const blocked = await get("/blocked");
    list.replaceChildren(table(["What", "Kind", "State", "Waits on", "Idle"], blocked.map((b) => h("tr", {},
      h("td", {}, idLink("history", b.id)), h("td", {}, b.kind), h("td", {}, b.state),
      h("td", {}, b.waiting_on.join("; ")), h("td", { class: "num" }, `${b.idle_seconds.toFixed(1)} s`))), "Nothing is in flight."));
  };
  listen(() => true, refresh);
  await refresh();
}

export async function locksView() {
  const list = h("div");
  show(h("h1", {}, "Locks"), list);
  const refresh = async () => {
    const locks = await get("/locks");
    list.replaceChildren(table(["Group", "Entity", "Exclusive", "Held by", "Since", "Message"], locks.map((l) => h("tr", {},
      h("td", {}, l.lock_group), h("td", {}, idLink("history", l.entity_id)), h("td", {}, l.exclusive ? "yes" : "no"),
      h("td", {}, idLink("history", l.command_id)), h("td", {}, when(l.since)), h("td", {}, l.message))), "No lock is held."));
  };
  listen((event) => event.aggregate_type === "Lock", refresh);
  await refresh();
}
