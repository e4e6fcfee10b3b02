// Run: remove a VM (force, correlation id) and go to its job; a refusal shows oVirt's message.

import { call, may, post } from "./api.js";
import { h, problem, show } from "./dom.js";

export async function runView() {
  if (!may("operator")) return show(h("h1", {}, "Run"), h("p", { class: "muted" }, "Running commands is for operators and admins."));
  const vms = (await call("GET", "/vms", undefined, "/ovirt-engine/api")).vm ?? [];
  const message = h("div", { id: "run-result" });
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = { action: "RemoveVm", params: { vm_id: form.get("vm_id"), force: form.get("force") === "on" } };
    if (form.get("correlation_id")) body.correlation_id = form.get("correlation_id");
    try {
      const returned = await post("/commands", body);
      location.hash = `#/job/${returned.job_id}`;
    } catch (error) {
      message.replaceChildren(problem(error));
    }
  };
  show(h("h1", {}, "Remove a VM"),
    h("form", { class: "run", onsubmit: submit },
      h("label", {}, "VM", h("select", { name: "vm_id", required: true },
        vms.map((vm) => h("option", { value: vm.id }, `${vm.name} (${vm.status})`)))),
      h("label", {}, h("input", { type: "checkbox", name: "force" }), " force (remove even while it is locked)"),
      h("label", {}, "Correlation id", h("input", { name: "correlation_id", pattern: "[A-Za-z0-9_\\-]{1,50}" })),
      h("button", { type: "submit" }, "Remove")),
    message);
}
