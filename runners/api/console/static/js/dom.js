// Building elements from data without innerHTML: text is always text, never markup.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "style" && typeof value === "object") Object.assign(element.style, value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return element;
}

export function show(...children) {
  document.getElementById("view").replaceChildren(...children);
}

export function when(iso) {
  if (!iso) return "";
  const moment = new Date(iso);
  return moment.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z").replace("Z", "");
}

export function seconds(from, to) {
  if (!from) return "";
  const end = to ? new Date(to) : new Date();
  return `${((end - new Date(from)) / 1000).toFixed(1)} s`;
}

export function badge(status) {
  return h("span", { class: `badge s-${String(status).toLowerCase()}` }, status);
}

export function idLink(kind, id, text) {
  return h("a", { href: `#/${kind}/${id}`, class: "id" }, text ?? String(id).slice(0, 8));
}

export function table(headings, rows, empty = "Nothing.") {
  if (!rows.length) return h("p", { class: "muted" }, empty);
  return h("table", {}, h("thead", {}, h("tr", {}, headings.map((t) => h("th", {}, t)))),
    h("tbody", {}, rows));
}

export function json(value) {
  return h("code", { class: "json" }, JSON.stringify(value));
}

export function problem(error) {
  return h("p", { class: "problem", role: "alert" }, String(error.message ?? error));
}
