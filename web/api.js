// api.js — the daemon's JSON API and its WebSocket stream (`dronewall run`).
//
// Every reply is JSON with "v":1. Operator actions carry the operator's token as
// "Authorization: Bearer <token>"; the token is kept in sessionStorage (this tab only).

const TOKEN_KEY = 'dronewall.operator';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function readError(r) {
  let msg = `${r.status} ${r.statusText}`;
  try {
    const j = await r.json();
    if (j && j.error) msg = j.error;
  } catch (_) { /* not JSON */ }
  return new ApiError(r.status, msg);
}

export async function getJSON(path) {
  const r = await fetch(path, { cache: 'no-store', headers: { Accept: 'application/json' } });
  if (!r.ok) throw await readError(r);
  return r.json();
}

export function getToken() {
  try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch (_) { return ''; }
}

export function setToken(t) {
  try {
    if (t) sessionStorage.setItem(TOKEN_KEY, t); else sessionStorage.removeItem(TOKEN_KEY);
  } catch (_) { /* storage disabled: the token lives only as long as the page */ }
}

// POST an operator action. Resolves to the reply's JSON; rejects with an ApiError whose
// message is the daemon's "error" (401: "operator token required").
export async function postAction(path, body) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
  const t = getToken();
  if (t) headers.Authorization = 'Bearer ' + t;
  const r = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body || {}), cache: 'no-store' });
  if (!r.ok) throw await readError(r);
  try { return await r.json(); } catch (_) { return {}; }
}

// The live stream: one JSON object per text frame, handed to onMessage(msg, bytes, t0)
// with t0 the performance.now() before it was parsed. Reconnects with backoff (0.5 s doubling
// to 10 s) whenever the socket closes; onState(true|false) reports the connection.
export class Stream {
  constructor(path, onMessage, onState) {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.url = `${proto}//${location.host}${path}`;
    this.onMessage = onMessage;
    this.onState = onState;
    this.backoff = 500;
    this.ws = null;
    this.timer = 0;
    this.stopped = false;
    this.messages = 0;
    this.bytes = 0;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  connect() {
    clearTimeout(this.timer);
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (_) {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.backoff = 500;
      this.onState(true);
    };
    ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      const t0 = performance.now();
      this.messages++;
      this.bytes += ev.data.length;
      let msg;
      try { msg = JSON.parse(ev.data); } catch (_) { return; }
      this.onMessage(msg, ev.data.length, t0);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.onState(false);
      this.retry();
    };
    ws.onerror = () => { /* onclose follows */ };
  }

  retry() {
    if (this.stopped) return;
    const d = this.backoff;
    this.backoff = Math.min(this.backoff * 2, 10000);
    this.timer = setTimeout(() => this.connect(), d);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) { const ws = this.ws; this.ws = null; ws.close(); }
  }
}
