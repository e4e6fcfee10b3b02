// The read model: its position and lag; verify (admins) lists every difference; rebuild
// (admins) shows its progress by polling the position while the rebuild runs.

import { get, may, post } from "./api.js";
import { h, problem, show, table } from "./dom.js";

export async function projectionsView() {
  const status = h("div", { id: "projection-status" });
  const result = h("div", { id: "projection-result" });
  const refresh = async () => status.replaceChildren(statusTable(await get("/projections")));
  const controls = may("admin")
    ? h("p", {}, h("button", { type: "button", id: "verify", onclick: () => verify(result) }, "Verify"), " ",
        h("button", { type: "button", id: "rebuild", onclick: () => rebuild(result, refresh) }, "Rebuild"))
    : h("p", { class: "muted" }, "Verify and rebuild are for admins.");
  show(h("h1", {}, "Projections"), status, controls, result);
  await refresh();
}

function statusTable(projections) {
  return table(["Projection", "Position", "Head", "Lag"], projections.map((p) => h("tr", {},
    h("td", {}, p.name), h("td", { class: "num" }, p.position), h("td", { class: "num" }, p.head), h("td", { class: "num" }, p.lag))));
}

async function verify(result) {
  result.replaceChildren(h("p", { class: "muted" }, "Verifying: rebuilding into shadow tables…"));
  try {
    const drift = await post("/projections/verify");
    result.replaceChildren(drift.length
      ? h("div", {}, h("p", { class: "problem" }, `${drift.length} differences`),
          table(["Table", "Key", "Column", "Live", "Rebuilt"], drift.map((d) => h("tr", {},
            h("td", {}, d.table), h("td", {}, d.key), h("td", {}, d.column),
            h("td", {}, JSON.stringify(d.live)), h("td", {}, JSON.stringify(d.rebuilt))))))
      : h("p", { class: "ok", id: "no-drift" }, "No drift: the read model matches a rebuild from the log."));
  } catch (error) {
    result.replaceChildren(problem(error));
  }
}

async function rebuild(result, refresh) {
  const bar = h("progress", { max: 1, value: 0, id: "rebuild-progress" });
  const text = h("span");
  result.replaceChildren(h("p", {}, "Rebuilding ", bar, " ", text));
  let done = false;
  const poll = async () => {
    while (!done) {
      const [model] = await get("/projections");
      bar.max = Math.max(model.head, 1);
      bar.value = model.position;
      text.textContent = `${model.position} of ${model.head}`;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  poll();
  try {
    const rebuilt = await post("/projections/rebuild");
    result.replaceChildren(h("p", { class: "ok" }, `Rebuilt: ${rebuilt.applied} events applied.`));
  } catch (error) {
    result.replaceChildren(problem(error));
  } finally {
    done = true;
    await refresh();
  }
}
