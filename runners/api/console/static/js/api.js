// The API as the console uses it: a bearer token from oVirt's SSO endpoint, JSON calls to
// /api/v1, and the live event stream read with fetch (EventSource cannot send a token).

const KEY = "tasktrail.session";

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

export function session() {
  return JSON.parse(localStorage.getItem(KEY) ?? "null");
}

export async function login(username, password) {
  const form = new URLSearchParams({ grant_type: "password", scope: "ovirt-app-api", username, password });
  const answer = await fetch("/ovirt-engine/sso/oauth/token", { method: "POST", body: form });
  if (!answer.ok) throw new ApiError(answer.status, "Wrong user name or password.");
  const token = (await answer.json()).access_token;
  localStorage.setItem(KEY, JSON.stringify({ token }));
  const me = await get("/me");
  localStorage.setItem(KEY, JSON.stringify({ token, name: me.name, role: me.role }));
  return session();
}

export async function logout() {
  const current = session();
  localStorage.removeItem(KEY);
  stopStream();
  if (current) {
    const form = new URLSearchParams({ scope: "ovirt-app-api", token: current.token });
    await fetch("/ovirt-engine/services/sso-logout", { method: "POST", body: form });
  }
}

const ORDER = ["read-only", "operator", "admin"];

export function may(role) {
  const current = session();
  return current !== null && ORDER.indexOf(current.role) >= ORDER.indexOf(role);
}

function headers(extra = {}) {
  const current = session();
  return { ...extra, ...(current ? { Authorization: `Bearer ${current.token}` } : {}) };
}

export async function call(method, path, body, base = "/api/v1") {
  const options = { method, headers: headers({ Accept: "application/json" }) };
  if (body !== undefined) {
    options.body = JSON.stringify(body);
    options.headers["Content-Type"] = "application/json";
  }
  const answer = await fetch(base + path, options);
  const text = await answer.text();
  const value = text ? JSON.parse(text) : null;
  if (answer.status === 401) {
    localStorage.removeItem(KEY);
    location.hash = `#/login?next=${encodeURIComponent(location.hash)}`;
  }
  if (!answer.ok) throw new ApiError(answer.status, detail(value, answer));
  return value;
}

function detail(value, answer) {
  if (value && typeof value.detail === "string") return value.detail;
  if (value && Array.isArray(value.detail)) return value.detail.map((d) => d.msg).join("; ");
  if (value && value.fault) return `${value.fault.reason}: ${value.fault.detail}`;
  return `${answer.status} ${answer.statusText}`;
}

export const get = (path) => call("GET", path);
export const post = (path, body) => call("POST", path, body);

export function query(values) {
  const present = Object.entries(values).filter(([, v]) => v !== "" && v !== null && v !== undefined);
  return present.length ? `?${new URLSearchParams(present)}` : "";
}

// The live stream: one connection for the whole page; views listen while they are shown.
const listeners = new Set();
let reader = null;
let last = null;

// `refresh` runs after a burst of events that `wanted` accepts, once the read model has
// applied them (the stream can be ahead of it), and each time the stream (re)connects, so
// that nothing stored between a view's first fetch and the stream's start is missed.
export function listen(wanted, refresh) {
  listeners.add({ wanted, refresh: settled(refresh) });
  startStream();
}

export function stopListening() {
  listeners.clear();
}

function settled(refresh) {
  let timer = null;
  let position = 0;
  return (at) => {
    position = Math.max(position, at);
    clearTimeout(timer);
    timer = setTimeout(async () => {
      await caughtUp(position);
      await refresh();
    }, 80);
  };
}

async function caughtUp(position) {
  for (let tries = 0; position > 0 && tries < 50; tries += 1) {
    const [model] = await get("/projections");
    if (model.position >= position) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function stopStream() {
  if (reader) reader.abort();
  reader = null;
}

async function startStream() {
  if (reader || !session()) return;
  const controller = new AbortController();
  reader = controller;
  try {
    const from = last === null ? "" : `?after=${last}`;
    const answer = await fetch(`/api/v1/events${from}`, { headers: headers(), signal: controller.signal });
    if (!answer.ok) throw new ApiError(answer.status, "stream refused");
    for (const listener of listeners) listener.refresh(0);
    await readMessages(answer.body, dispatch);
  } catch (error) {
    if (controller.signal.aborted) return;
  }
  if (reader === controller) {
    reader = null;
    setTimeout(startStream, 1000);  // resumes after the last id seen, missing nothing
  }
}

function dispatch(message) {
  if (!message.data) return;
  last = Number(message.id);
  const event = JSON.parse(message.data);
  for (const listener of listeners) {
    if (listener.wanted(event)) listener.refresh(event.position);
  }
}

async function readMessages(body, onMessage) {
  const decoder = new TextDecoderStream();
  const stream = body.pipeThrough(decoder).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await stream.read();
    if (done) return;
    buffer += value;
    const blocks = buffer.split(/\r\n\r\n|\n\n|\r\r/);
    buffer = blocks.pop();
    for (const block of blocks) onMessage(parse(block));
  }
}

function parse(block) {
  const message = { id: null, event: null, data: "" };
  for (const line of block.split(/\r\n|\n|\r/)) {
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "data") message.data += message.data ? `\n${value}` : value;
    else if (field in message) message[field] = value;
  }
  return message;
}
