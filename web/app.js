// app.js — dronewall's live map: the picture from `dronewall run` over offline vector
// geography. See README.md for what it shows and how it gets its data.
//
// Data: GET /api/info (home country, time span, geography files), /api/geo/N,
// /api/tracks, /api/alerts, /api/sensors, /api/stats, /api/plan (response planning, when
// the daemon has effectors); the WebSocket /api/stream pushes track changes, alerts, sensor
// status, time, the plan and the operators' decisions. A time instant in the past is shown
// from /api/tracks?t_us= and /api/alerts?t_us= (history mode) until "Live".
//
// Rendering: Leaflet draws the geography (one canvas per pane, redrawn only when the view
// changes); the tracks and the sensors are each one canvas of our own, redrawn at most
// once per animation frame. A WebSocket frame only updates the data and asks for a frame.

import * as L from '/vendor/leaflet/dist/leaflet-src.esm.js';
import { getJSON, postAction, getToken, setToken, Stream } from './api.js';
import { Geography } from './geo.js';
import { TrackLayer, SensorLayer, PlanLayer, mercX, mercY, prepareSensor, partnersOf } from './tracklayer.js';

const $ = (id) => document.getElementById(id);

const TRAIL_STEP_US = 5e6;              // a short-trail point every 5 s of data time
const TRAIL_POINTS = 24;                // ... the last 2 minutes
const SEL_TRAIL_MAX = 20000;            // points of the selected track's full trail
const ALERTS_SHOWN = 300;

const S = {
  info: null,
  home: 'PL',
  mode: 'live',                         // 'live' | 'history'
  liveT: 0,                             // data time of the live picture, µs
  histT: 0,                             // the instant shown in history mode
  firstUs: null,
  lastUs: null,
  live: new Map(),                      // id -> {d: TRACK, mx, my, trail, trailT}
  hist: new Map(),
  alertsLive: new Map(),                // alert id -> latest ALERT record
  alertsHist: new Map(),
  sensors: [],                          // prepared sensors
  sensorById: new Map(),
  selected: null,                       // track id
  sel: { id: null, trail: [], pred: [], lastT: 0, detail: null, identity: [], fetchedAt: 0, fetching: false, missing: false },
  selectedAlert: null,
  plan: { available: false, data: null, recs: [], sel: null, fetchedAt: 0, fetching: false },
  ws: { connected: false, messages: 0, lastRate: 0, rateCount: 0, rateAt: 0 },
  apply: { n: 0, sum: 0, max: 0, last: 0, samples: [] },
  draw: { n: 0, sum: 0, max: 0, last: 0, samples: [] },
  stats: null,
  statsPrev: null,
  rtt: null,
  opts: { regions: true, sites: true, sensors: true, coverage: false, trails: true, labels: true },
  dirty: { tracks: true, sensors: true, alerts: true, detail: true, plan: true },
  sliderHeld: false,
};

// ---------------------------------------------------------------- formatting

function utc(us, withDate) {
  if (us == null || !isFinite(us)) return '--:--:--Z';
  const d = new Date(Math.floor(us / 1000));
  const iso = d.toISOString();
  return withDate ? iso.slice(0, 10) + ' ' + iso.slice(11, 19) + 'Z' : iso.slice(11, 19) + 'Z';
}

function fmtLatLon(lat, lon) {
  return `${Math.abs(lat).toFixed(4)}° ${lat >= 0 ? 'N' : 'S'}  ${Math.abs(lon).toFixed(4)}° ${lon >= 0 ? 'E' : 'W'}`;
}

function words(s) { return s == null ? '' : String(s).replace(/_/g, ' '); }

// ---------------------------------------------------------------- the map

const map = L.map('map', {
  preferCanvas: true,
  zoomControl: true,
  zoomAnimation: false,                 // our canvases follow the view exactly
  fadeAnimation: false,
  markerZoomAnimation: false,
  worldCopyJump: false,
  minZoom: 4,
  maxZoom: 14,
  attributionControl: true,
}).setView([52.0, 19.4], 6);
map.attributionControl.setPrefix(false);
map.attributionControl.addAttribution('borders © OpenStreetMap contributors (ODbL) · regions: Natural Earth · Leaflet');

const geo = new Geography(map, S.home);
const sensorLayer = new SensorLayer(map);
const trackLayer = new TrackLayer(map);
const planLayer = new PlanLayer(map);

// ---------------------------------------------------------------- drawing

let framePending = false;

function requestDraw(what) {
  if (what) S.dirty[what] = true;
  if (framePending) return;
  framePending = true;
  requestAnimationFrame(frame);
}

function picture() { return S.mode === 'live' ? S.live : S.hist; }
function alertBook() { return S.mode === 'live' ? S.alertsLive : S.alertsHist; }

function frame() {
  framePending = false;
  if (S.dirty.sensors) {
    S.dirty.sensors = false;
    sensorLayer.draw(S.sensors, S.opts);
  }
  if (S.dirty.tracks) {
    S.dirty.tracks = false;
    const t0 = performance.now();
    const p = picture();
    trackLayer.draw(p.values(), p.size, S.selected != null ? S.sel : null, S.opts);
    record(S.draw, t0, performance.now() - t0, p.size);
    planLayer.draw(S.mode === 'live' ? S.plan.recs : null, p, S.plan.sel);
  }
  if (S.dirty.alerts) renderAlertsSoon();
  if (S.dirty.plan) renderPlanSoon();
  if (S.dirty.detail) { S.dirty.detail = false; renderDetail(); }
  if (!viewFitted && geoReady && picture().size) fitToPicture();
  renderClock();
}

map.on('move zoom resize viewreset', () => { S.dirty.sensors = true; requestDraw('tracks'); });

// ---------------------------------------------------------------- the picture

function makeRec(d, old) {
  const mx = mercX(d.lon_deg), my = mercY(d.lat_deg);
  if (old) {
    old.d = d;
    old.mx = mx;
    old.my = my;
    if (d.t_us - old.trailT >= TRAIL_STEP_US) {
      old.trail.push(mx, my);
      old.trailT = d.t_us;
      if (old.trail.length > 2 * TRAIL_POINTS) old.trail.splice(0, 2);
    }
    return old;
  }
  return { d, mx, my, trail: [mx, my], trailT: d.t_us };
}

function applyTracks(list, dead, t) {
  for (const d of list) {
    if (d == null || d.id == null || d.lat_deg == null || d.lon_deg == null) continue;
    const old = S.live.get(d.id);
    S.live.set(d.id, makeRec(d, old));
    if (d.id === S.selected && S.mode === 'live') {
      const sel = S.sel;
      if (d.t_us > sel.lastT) {
        sel.trail.push(mercX(d.lon_deg), mercY(d.lat_deg));
        sel.lastT = d.t_us;
        if (sel.trail.length > 2 * SEL_TRAIL_MAX) sel.trail.splice(0, 2);
      }
      sel.detail = d;
      S.dirty.detail = true;
    }
  }
  if (dead) {
    for (const id of dead) {
      S.live.delete(id);
      if (id === S.selected && S.mode === 'live' && S.sel.detail) {
        S.sel.detail = Object.assign({}, S.sel.detail, { status: 'dead' });
        S.dirty.detail = true;
      }
    }
  }
  if (t != null && t > S.liveT) S.liveT = t;
}

// Replace a picture by a full list (a resync or a history instant); trails of tracks that
// carry on are kept.
function replacePicture(store, list, keepTrails) {
  const old = keepTrails ? new Map(store) : null;
  store.clear();
  for (const d of list || []) {
    if (d == null || d.id == null || d.lat_deg == null || d.lon_deg == null) continue;
    store.set(d.id, makeRec(d, old ? old.get(d.id) : undefined));
  }
}

function applyAlert(a, book) {
  if (!a || a.id == null) return;
  const prev = book.get(a.id);
  if (prev && prev.acked && a.acked === undefined) a.acked = prev.acked;
  book.set(a.id, a);
}

async function resync() {
  try {
    const [tr, al] = await Promise.all([getJSON('/api/tracks'), getJSON('/api/alerts')]);
    replacePicture(S.live, tr.tracks, true);
    if (tr.t_us != null && tr.t_us > S.liveT) S.liveT = tr.t_us;
    S.alertsLive.clear();
    for (const a of al.alerts || []) applyAlert(a, S.alertsLive);
    S.dirty.alerts = true;
    requestDraw('tracks');
    loadPlan();
  } catch (e) {
    showNotice('could not load the picture: ' + e.message);
  }
}

// ---------------------------------------------------------------- the stream

const SAMPLES = 4000;

function record(c, t0, dt, size) {
  c.n++; c.sum += dt; c.last = dt;
  if (dt > c.max) c.max = dt;
  c.samples.push([t0, dt, size]);
  if (c.samples.length > SAMPLES) c.samples.splice(0, c.samples.length - SAMPLES / 2);
}

function onMessage(msg, size, parsedFrom) {
  const t0 = parsedFrom != null ? parsedFrom : performance.now();
  S.ws.messages++;
  switch (msg.type) {
    case 'hello':
      if (msg.t_us != null && msg.t_us > S.liveT) S.liveT = msg.t_us;
      break;
    case 'tracks':
      applyTracks(msg.tracks || [], msg.dead, msg.t_us);
      if (S.mode === 'live') S.dirty.tracks = true;
      break;
    case 'alert':
      applyAlert(msg.alert, S.alertsLive);
      if (msg.alert && msg.alert.t_us > S.liveT) S.liveT = msg.alert.t_us;
      if (S.mode === 'live') S.dirty.alerts = true;
      break;
    case 'sensor': {
      const u = msg.sensor;
      const p = u && S.sensorById.get(u.id);
      if (p) {
        Object.assign(p.s, u);
        S.dirty.sensors = true;
      }
      break;
    }
    case 'time':
      if (msg.t_us != null && msg.t_us > S.liveT) S.liveT = msg.t_us;
      break;
    case 'resync':
      resync();
      break;
    case 'plan':
      setPlan(msg);
      break;
    case 'decision':
      applyDecision(msg.decision);
      break;
    default:
      break;
  }
  if (S.lastUs == null || S.liveT > S.lastUs) S.lastUs = S.liveT;
  if (S.firstUs == null && S.liveT) S.firstUs = S.liveT;
  record(S.apply, t0, performance.now() - t0, size);
  requestDraw();
}

let firstConnect = true;
const stream = new Stream('/api/stream', onMessage, (up) => {
  S.ws.connected = up;
  renderBadge();
  if (up && !firstConnect) resync();     // missed frames while away
  if (up) firstConnect = false;
});

// ---------------------------------------------------------------- selection and detail

function trackIn(id) { return picture().get(id); }

// The selected track's detail, history and prediction. Asked only while the track is in
// the picture shown (a track that ended, or that did not exist at the instant shown, keeps
// what the panel last had).
async function fetchDetail() {
  const id = S.selected;
  if (id == null || S.sel.fetching) return;
  if (!trackIn(id)) {
    S.sel.missing = true;
    S.dirty.detail = true;
    requestDraw();
    return;
  }
  S.sel.fetching = true;
  const q = S.mode === 'history' ? `?t_us=${S.histT}` : '';
  try {
    const r = await getJSON(`/api/tracks/${encodeURIComponent(id)}${q}`);
    if (S.selected !== id) return;
    const sel = S.sel;
    sel.missing = false;
    sel.detail = r.track || sel.detail;
    sel.identity = r.identity || [];
    const tr = [];
    let lastT = 0;
    for (const h of r.history || []) { tr.push(mercX(h[2]), mercY(h[1])); lastT = h[0]; }
    // keep live points newer than what the history holds
    if (S.mode === 'live' && sel.trail.length && sel.lastT > lastT && r.track) {
      const t = r.track;
      tr.push(mercX(t.lon_deg), mercY(t.lat_deg));
      lastT = Math.max(lastT, t.t_us);
    }
    sel.trail = tr;
    sel.lastT = lastT;
    const pr = [];
    for (const p of r.predicted || []) pr.push(mercX(p[2]), mercY(p[1]));
    sel.pred = pr;
    sel.fetchedAt = performance.now();
    S.dirty.detail = true;
    requestDraw('tracks');
  } catch (e) {
    if (S.selected === id && e.status === 404) { S.sel.missing = true; S.dirty.detail = true; requestDraw(); }
  } finally {
    S.sel.fetching = false;
  }
}

function select(id) {
  if (id === S.selected) return;
  S.selected = id;
  if (S.plan.sel != null) {
    const x = S.plan.recs.find((y) => y.r.id === S.plan.sel);
    if (!x || x.r.track !== id) { S.plan.sel = null; S.dirty.plan = true; }
  }
  const t = id != null ? trackIn(id) : null;
  S.sel = { id, trail: [], pred: [], lastT: 0, detail: t ? t.d : null, identity: [], fetchedAt: 0, fetching: false, missing: false };
  if (id != null) {
    const aff = t && t.d.affiliation;
    if (aff && [...$('d-aff').options].some((o) => o.value === aff)) $('d-aff').value = aff;
    fetchDetail();
  }
  S.dirty.detail = true;
  requestDraw('tracks');
}

// refresh the selected track's history and prediction every 2 s while live
setInterval(() => {
  if (S.selected != null && S.mode === 'live' && S.live.has(S.selected) && performance.now() - S.sel.fetchedAt > 2000) fetchDetail();
}, 1000);

function row(table, k, v, cls) {
  const tr = document.createElement('tr');
  const a = document.createElement('td');
  a.textContent = k;
  const b = document.createElement('td');
  b.textContent = v;
  if (cls) b.className = cls;
  tr.append(a, b);
  table.append(tr);
}

let detailRenderedAt = 0;
function renderDetail() {
  const panel = $('detail');
  if (S.selected == null) { panel.classList.add('hidden'); return; }
  const now = performance.now();
  if (now - detailRenderedAt < 250) { setTimeout(() => requestDraw('detail'), 260); return; }
  detailRenderedAt = now;
  panel.classList.remove('hidden');
  const d = S.sel.detail;
  const gone = S.sel.missing || !trackIn(S.selected);
  const why = S.mode === 'history' ? ' (not in the picture at this instant)' : ' (ended)';
  $('d-title').textContent = `track ${S.selected}` + (gone ? why : '');
  panel.dataset.track = String(S.selected);
  const t = $('d-table');
  t.replaceChildren();
  if (!d) { row(t, 'status', gone ? 'not known' : 'loading…'); return; }
  const cp = d.class_probs && d.class_probs[d.class];
  row(t, 'id', String(d.id));
  row(t, 'status', d.status || '');
  row(t, 'class', words(d.class || 'unknown') + (cp != null ? ` (${Math.round(cp * 100)} %)` : ''));
  row(t, 'affiliation', words(d.affiliation || 'pending'), 'aff-' + (d.affiliation || 'pending'));
  row(t, 'position', fmtLatLon(d.lat_deg, d.lon_deg));
  const where = geo.describe(d.lat_deg, d.lon_deg, true, false);
  if (where) row(t, 'over', where);
  row(t, 'altitude', d.alt_m != null ? `${Math.round(d.alt_m)} m` : '—');
  const v = d.vel_enu_mps || [0, 0, 0];
  const sp = Math.hypot(v[0], v[1]);
  row(t, 'speed', `${Math.round(sp * 3.6)} km/h (${sp.toFixed(1)} m/s)`);
  row(t, 'heading', sp >= 1 ? `${Math.round((Math.atan2(v[0], v[1]) * 180 / Math.PI + 360) % 360)}°` : '—');
  if (v[2]) row(t, 'climb', `${v[2].toFixed(1)} m/s`);
  if (d.sigma_m != null) row(t, 'position error', `${Math.round(d.sigma_m)} m (1σ)`);
  row(t, 'sensors', (d.sensors || []).join(', ') || '—');
  const via = partnersOf(d);
  if (via.length) row(t, 'from partners', via.join(', '));
  if (d.icao) row(t, 'ICAO', d.icao);
  if (d.callsign) row(t, 'callsign', d.callsign);
  if (d.rid) row(t, 'Remote ID', d.rid);
  if (d.mode3a) row(t, 'Mode 3/A', d.mode3a);
  if (d.threat != null) row(t, 'threat', Number(d.threat).toFixed(2));
  row(t, 'updated', utc(d.t_us, true));
  const id = $('d-ident');
  id.replaceChildren();
  if (S.sel.identity.length) {
    const h = document.createElement('div');
    h.className = 'muted';
    h.textContent = 'identity changes';
    id.append(h);
    for (const c of S.sel.identity.slice().reverse()) {
      const e = document.createElement('div');
      e.textContent = `${utc(c.t_us)} ${words(c.affiliation)} — ${c.rule || ''}`;
      id.append(e);
    }
  }
}

$('d-close').addEventListener('click', () => select(null));
document.addEventListener('keydown', (e) => { if (e.key === 'Escape') select(null); });

map.on('click', (e) => {
  const id = trackLayer.pick(e.containerPoint.x, e.containerPoint.y, 14);
  select(id);
});

// ---------------------------------------------------------------- hover

let hoverEv = null, hoverPending = false;
map.on('mousemove', (e) => {
  hoverEv = e;
  if (hoverPending) return;
  hoverPending = true;
  requestAnimationFrame(() => {
    hoverPending = false;
    const ev = hoverEv;
    if (!ev) return;
    const el = $('hover');
    const id = trackLayer.pick(ev.containerPoint.x, ev.containerPoint.y, 14);
    let text;
    if (id != null) {
      const t = trackIn(id);
      const d = t ? t.d : null;
      text = d ? `track ${d.id} · ${words(d.class)} · ${words(d.affiliation)} · ${Math.round(d.alt_m || 0)} m` : `track ${id}`;
      map.getContainer().style.cursor = 'pointer';
    } else {
      text = geo.describe(ev.latlng.lat, ev.latlng.lng, S.opts.regions, S.opts.sites);
      map.getContainer().style.cursor = '';
    }
    if (!text) { el.classList.add('hidden'); return; }
    el.textContent = text;
    el.style.left = (ev.containerPoint.x + 14) + 'px';
    el.style.top = (ev.containerPoint.y + 14) + 'px';
    el.classList.remove('hidden');
  });
});
map.on('mouseout', () => { hoverEv = null; $('hover').classList.add('hidden'); });

// ---------------------------------------------------------------- alerts

// The list is rebuilt at most 4 times a second: a swarm raises alerts by the hundred.
let alertsRenderedAt = 0, alertsTimer = 0;
function renderAlertsSoon() {
  const wait = alertsRenderedAt + 250 - performance.now();
  if (wait > 0) {
    if (!alertsTimer) alertsTimer = setTimeout(() => { alertsTimer = 0; requestDraw('alerts'); }, wait);
    return;
  }
  S.dirty.alerts = false;
  alertsRenderedAt = performance.now();
  renderAlerts();
}

function alertOrder(a, b) { return (b.t_us || 0) - (a.t_us || 0) || (b.id - a.id); }

// The list is keyed by alert id: an alert's <li> stays the same element while it is listed
// (a click on it is not lost to a rebuild) and is refilled only when the alert changed.
const alertItems = new Map();           // alert id -> {li, sig}

function fillAlert(li, a) {
  li.className = `sev-${a.severity || 'info'} st-${a.state || 'raised'}` + (a.id === S.selectedAlert ? ' sel' : '');
  li.dataset.id = String(a.id);
  li.dataset.kind = a.kind || '';
  li.dataset.state = a.state || '';
  const head = document.createElement('div');
  head.className = 'a-head';
  const kind = document.createElement('span');
  kind.className = 'a-kind';
  kind.textContent = words(a.kind);
  if (a.origin) {
    // A partner's alert or notice to us (federation): whose it is.
    const o = document.createElement('span');
    o.className = 'a-origin';
    o.textContent = a.via === 'ntf' ? `notice from ${a.origin}` : `from ${a.origin}`;
    kind.append(' ', o);
  }
  const st = document.createElement('span');
  st.className = 'a-state ' + (a.state || '');
  st.textContent = a.state || '';
  const tm = document.createElement('span');
  tm.className = 'a-time';
  tm.textContent = utc(a.t_us);
  head.append(kind, st, tm);
  const text = document.createElement('div');
  text.className = 'a-text';
  text.textContent = a.text || '';
  const foot = document.createElement('div');
  foot.className = 'a-foot';
  const area = document.createElement('span');
  area.textContent = (a.origin ? `${a.origin} #${a.origin_id}` : `#${a.id}`) + ` · ${a.area_name || a.area || ''}` + (a.region && a.region !== a.area ? ` · ${a.region}` : '') +
    (a.track != null ? ` · track ${a.track}` : '');
  foot.append(area);
  if (a.acked) {
    const ak = document.createElement('span');
    ak.textContent = `acked by ${a.acked.by || 'operator'} ${utc(a.acked.t_us)}`;
    foot.append(ak);
  } else if (S.mode === 'live' && a.state !== 'cleared') {
    const b = document.createElement('button');
    b.className = 'ack';
    b.textContent = 'Ack';
    b.dataset.ack = String(a.id);
    foot.append(b);
  }
  li.replaceChildren(head, text, foot);
}

function renderAlerts() {
  const ol = $('alerts');
  const hideCleared = $('a-hidecleared').checked;
  const list = [...alertBook().values()].filter((a) => !(hideCleared && a.state === 'cleared')).sort(alertOrder);
  const active = list.filter((a) => a.state !== 'cleared').length;
  $('a-count').textContent = `${active} in force · ${list.length} shown`;
  const shown = list.slice(0, ALERTS_SHOWN);
  const keep = new Set();
  let at = ol.firstChild;
  for (const a of shown) {
    keep.add(a.id);
    const sig = `${a.t_us}|${a.state}|${a.severity}|${a.text}|${a.acked ? a.acked.t_us : ''}|${a.id === S.selectedAlert}|${S.mode}`;
    let it = alertItems.get(a.id);
    if (!it) {
      it = { li: document.createElement('li'), sig: '' };
      alertItems.set(a.id, it);
    }
    if (it.sig !== sig) {
      fillAlert(it.li, a);
      it.sig = sig;
    }
    if (it.li !== at) ol.insertBefore(it.li, at);
    else at = at.nextSibling;
  }
  for (const [id, it] of alertItems) {
    if (!keep.has(id)) {
      it.li.remove();
      alertItems.delete(id);
    }
  }
}

$('a-hidecleared').addEventListener('change', () => requestDraw('alerts'));

$('alerts').addEventListener('click', (e) => {
  const ackId = e.target && e.target.dataset ? e.target.dataset.ack : undefined;
  const li = e.target.closest ? e.target.closest('li') : null;
  if (!li) return;
  const id = Number(li.dataset.id);
  if (ackId !== undefined) {
    e.stopPropagation();
    ack(id);
    return;
  }
  const a = alertBook().get(id);
  if (!a) return;
  S.selectedAlert = id;
  geo.highlight(a, (sid) => {
    const p = S.sensorById.get(sid);
    return p ? { lat: p.s.lat_deg, lon: p.s.lon_deg } : null;
  });
  if (a.track != null && trackIn(a.track)) select(a.track);
  requestDraw('alerts');
});

async function ack(id) {
  try {
    const r = await postAction(`/api/alerts/${id}/ack`, {});
    const a = S.alertsLive.get(id);
    if (a) a.acked = (r && r.alert && r.alert.acked) || (r && r.acked) || { t_us: S.liveT, by: 'operator' };
    showNotice(`alert ${id} acknowledged`, true);
    requestDraw('alerts');
  } catch (e) {
    showNotice(`ack refused: ${e.message}`);
  }
}

$('d-setaff').addEventListener('click', async () => {
  const id = S.selected;
  if (id == null) return;
  const aff = $('d-aff').value;
  try {
    await postAction(`/api/tracks/${id}/identity`, { affiliation: aff });
    showNotice(`track ${id} set ${words(aff)}`, true);
    fetchDetail();
  } catch (e) {
    showNotice(`identity refused: ${e.message}`);
  }
});

// ---------------------------------------------------------------- response planning

// The stream's "plan" frames (every re-plan) replace the plan and its "decision" frames
// mark a recommendation. GET /api/plan is asked only of a daemon known to plan: one whose
// /api/info names a `plan_url` (or `plan`), or that sent a plan frame; then again on every
// resync and every 10 s in case a frame was missed. A daemon without effectors is never
// asked, so a map without planning logs no 404; a 404 (no effectors, or no plan yet) or an
// empty plan hides the panel quietly.

function fmtEur(x) {
  if (x == null || !isFinite(x)) return '—';
  const n = Math.round(Number(x));
  return (n < 0 ? '-' : '') + String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',') + ' EUR';
}

function fmtSecs(s) {
  if (s == null || !isFinite(s)) return '—';
  const v = Math.max(0, Math.round(Number(s)));
  if (v < 60) return `${v} s`;
  const m = Math.floor(v / 60), r = v % 60;
  return r ? `${m} min ${r} s` : `${m} min`;
}

function fmtNum(x, digits) { return x == null || !isFinite(x) ? '—' : Number(x).toFixed(digits); }

function recWarn(r) { return !!r.over_site || (r.people_at_risk != null && Number(r.people_at_risk) >= 1); }

function prepareRecs(list) {
  const out = [];
  for (const r of list || []) {
    if (!r || r.id == null) continue;
    const ok = r.lat_deg != null && r.lon_deg != null;
    out.push({
      r,
      mx: ok ? mercX(r.lon_deg) : NaN,
      my: ok ? mercY(r.lat_deg) : NaN,
      key: r.decision && r.decision.decision === 'approve' ? 'approve' : r.decision && r.decision.decision === 'reject' ? 'reject' : 'pending',
      warn: recWarn(r),
    });
  }
  return out;
}

function setPlan(p) {
  if (!p || typeof p !== 'object') return;
  const data = Object.assign({}, p);
  delete data.type;
  // a decision known here and not yet in the new plan is kept (a frame may overtake it)
  const old = new Map((S.plan.data && S.plan.data.recommendations || []).map((r) => [r.id, r.decision]));
  data.recommendations = (Array.isArray(p.recommendations) ? p.recommendations : []).map((r) => {
    const d = r && r.decision == null ? old.get(r.id) : null;
    return d ? Object.assign({}, r, { decision: d }) : r;
  });
  S.plan.available = true;
  S.plan.data = data;
  S.plan.recs = prepareRecs(data.recommendations);
  if (S.plan.sel != null && !S.plan.recs.some((x) => x.r.id === S.plan.sel)) S.plan.sel = null;
  S.dirty.plan = true;
  requestDraw('tracks');
}

function applyDecision(dec) {
  if (!dec || !S.plan.data) return;
  const rr = dec.recommendation;
  const id = rr && typeof rr === 'object' ? rr.id : rr;
  if (id == null) return;
  const d = { decision: dec.decision, by: dec.by || 'operator', t_us: dec.t_us };
  let found = false;
  S.plan.data.recommendations = S.plan.data.recommendations.map((r) => {
    if (r.id !== id) return r;
    found = true;
    return Object.assign({}, r, { decision: d });
  });
  if (!found) return;
  S.plan.recs = prepareRecs(S.plan.data.recommendations);
  S.dirty.plan = true;
  requestDraw('tracks');
}

function planAdvertised() {
  const i = S.info;
  return !!(i && (i.plan_url || i.plan));
}

function planURL() { return (S.info && typeof S.info.plan_url === 'string' && S.info.plan_url) || '/api/plan'; }

async function loadPlan() {
  if (S.plan.fetching || !(S.plan.available || planAdvertised())) return;
  S.plan.fetching = true;
  S.plan.fetchedAt = performance.now();
  try {
    setPlan(await getJSON(planURL()));
  } catch (e) {
    if (e.status === 404 || e.status === 501) {
      // no response planning in this daemon: hide quietly
      S.plan.available = false;
      S.plan.data = null;
      S.plan.recs = [];
      S.plan.sel = null;
      S.dirty.plan = true;
      requestDraw('tracks');
    }
    // anything else (the daemon away): keep what is shown
  } finally {
    S.plan.fetching = false;
  }
}

setInterval(() => {
  if (performance.now() - S.plan.fetchedAt >= 10000) loadPlan();
}, 2000);

function planVisible() { return S.plan.available && S.plan.recs.length > 0; }

let planRenderedAt = 0, planTimer = 0;
function renderPlanSoon() {
  const wait = planRenderedAt + 250 - performance.now();
  if (wait > 0) {
    if (!planTimer) planTimer = setTimeout(() => { planTimer = 0; requestDraw('plan'); }, wait);
    return;
  }
  S.dirty.plan = false;
  planRenderedAt = performance.now();
  renderPlan();
}

const planItems = new Map();            // recommendation id -> {li, sig}

function fillRec(li, r) {
  const dec = r.decision && r.decision.decision;
  li.className = (dec ? 'dec-' + dec : 'dec-pending') + (r.id === S.plan.sel ? ' sel' : '');
  li.dataset.id = String(r.id);
  li.dataset.track = String(r.track);
  const head = document.createElement('div');
  head.className = 'r-head';
  const who = document.createElement('span');
  who.className = 'r-who';
  who.textContent = `${r.effector || '?'} → track ${r.track}`;
  head.append(who);
  if (recWarn(r)) {
    const w = document.createElement('span');
    w.className = 'r-warn';
    const bits = [];
    if (r.over_site) bits.push(`over ${r.over_site}`);
    if (r.people_at_risk != null && Number(r.people_at_risk) >= 1) bits.push(`${fmtNum(r.people_at_risk, 1)} people at risk`);
    w.textContent = '⚠ ' + bits.join(' · ');
    w.title = 'the intercept endangers people on the ground';
    head.append(w);
  }
  const tti = document.createElement('span');
  tti.className = 'r-tti';
  tti.textContent = `intercept in ${fmtSecs(r.t_intercept_s)}`;
  tti.title = `launch in ${fmtSecs(r.t_launch_s)}`;
  head.append(tti);
  const nums = document.createElement('div');
  nums.className = 'r-nums';
  const np = [`Pk ${fmtNum(r.pk, 2)}`];
  if (r.shots != null) np.push(`${r.shots} shot${r.shots === 1 ? '' : 's'}`);
  np.push(fmtEur(r.cost_eur));
  np.push(`exchange ${fmtNum(r.exchange_ratio, 2)}`);
  if (r.people_at_risk != null && !(Number(r.people_at_risk) >= 1)) np.push(`risk ${fmtNum(r.people_at_risk, 1)}`);
  nums.textContent = np.join(' · ');
  const text = document.createElement('div');
  text.className = 'r-text';
  text.textContent = r.reason || '';
  const foot = document.createElement('div');
  foot.className = 'r-foot';
  const idt = document.createElement('span');
  idt.textContent = `#${r.id}` + (r.effector_kind ? ` · ${words(r.effector_kind)}` : '') + ` · launch in ${fmtSecs(r.t_launch_s)}`;
  foot.append(idt);
  const live = S.mode === 'live';
  for (const [what, label] of [['approve', 'Approve'], ['reject', 'Reject']]) {
    const b = document.createElement('button');
    b.className = 'decide ' + what;
    b.textContent = label;
    b.dataset.decide = what;
    b.disabled = !!dec || !live;
    if (!live) b.title = 'decisions are taken on the live picture';
    foot.append(b);
  }
  if (dec) {
    const ds = document.createElement('span');
    ds.className = 'r-dec ' + dec;
    ds.textContent = `${dec === 'approve' ? 'approved' : dec === 'reject' ? 'rejected' : words(dec)} by ${r.decision.by || 'operator'}` +
      (r.decision.t_us != null ? ` ${utc(r.decision.t_us)}` : '');
    foot.append(ds);
  }
  li.replaceChildren(head, nums, text, foot);
}

function renderPlan() {
  const panel = $('planpanel');
  if (!planVisible()) {
    panel.classList.add('hidden');
    if (planItems.size) { $('plan').replaceChildren(); planItems.clear(); }
    return;
  }
  panel.classList.remove('hidden');
  const p = S.plan.data;
  const sm = p.summary || {};
  const parts = [];
  if (sm.threats != null) parts.push(`${sm.threats} threats`);
  if (sm.engaged != null) parts.push(`${sm.engaged} engaged`);
  if (sm.under_way) parts.push(`${sm.under_way} under way`);
  parts.push(`total ${fmtEur(sm.cost_eur)}`);
  parts.push(`expected leakage ${fmtNum(sm.expected_leakage, 2)}`);
  if (sm.people_at_risk != null && sm.people_at_risk > 0) parts.push(`people at risk ${fmtNum(sm.people_at_risk, 1)}`);
  if (sm.over_populated) parts.push(`${sm.over_populated} over populated areas`);
  if (sm.gap != null && sm.gap > 0) parts.push(`gap ${fmtNum(sm.gap, 3)}`);
  $('p-summary').textContent = parts.join(' · ');
  $('p-summary').title = `strategy ${p.strategy || '?'} · planned ${utc(p.t_us)}`;
  const recs = S.plan.recs;
  const pend = recs.filter((x) => x.key === 'pending').length;
  $('p-count').textContent = `${recs.length} recommendation${recs.length === 1 ? '' : 's'} · ${pend} awaiting decision`;
  const ol = $('plan');
  const keep = new Set();
  let at = ol.firstChild;
  for (const x of recs) {
    const r = x.r;
    keep.add(r.id);
    const sig = JSON.stringify(r) + `|${r.id === S.plan.sel}|${S.mode}`;
    let it = planItems.get(r.id);
    if (!it) {
      it = { li: document.createElement('li'), sig: '' };
      planItems.set(r.id, it);
    }
    if (it.sig !== sig) {
      fillRec(it.li, r);
      it.sig = sig;
    }
    if (it.li !== at) ol.insertBefore(it.li, at);
    else at = at.nextSibling;
  }
  for (const [id, it] of planItems) {
    if (!keep.has(id)) {
      it.li.remove();
      planItems.delete(id);
    }
  }
}

$('plan').addEventListener('click', (e) => {
  const what = e.target && e.target.dataset ? e.target.dataset.decide : undefined;
  const li = e.target.closest ? e.target.closest('li') : null;
  if (!li) return;
  const id = Number(li.dataset.id);
  if (what !== undefined) {
    e.stopPropagation();
    if (!e.target.disabled) decide(id, what);
    return;
  }
  const x = S.plan.recs.find((y) => y.r.id === id);
  if (!x) return;
  S.plan.sel = id;
  const t = trackIn(x.r.track);
  select(x.r.track);
  const lat = t ? t.d.lat_deg : x.r.lat_deg, lon = t ? t.d.lon_deg : x.r.lon_deg;
  if (lat != null && lon != null && !map.getBounds().contains([lat, lon])) map.panTo([lat, lon], { animate: false });
  S.dirty.plan = true;
  requestDraw('tracks');
});

async function decide(id, what) {
  try {
    await postAction('/api/decisions', { recommendation: id, decision: what });
    applyDecision({ recommendation: id, decision: what, by: 'operator', t_us: S.liveT });
    showNotice(`recommendation ${id} ${what === 'approve' ? 'approved' : 'rejected'}`, true);
  } catch (e) {
    showNotice(`decision refused: ${e.message}`);
  }
}

$('p-fold').addEventListener('click', () => {
  const panel = $('planpanel');
  const folded = panel.classList.toggle('folded');
  $('p-fold').textContent = folded ? '+' : '−';
  $('p-fold').setAttribute('aria-expanded', String(!folded));
});

// ---------------------------------------------------------------- operator token

function renderToken() {
  $('opstate').textContent = getToken() ? 'token set' : 'no token';
}
$('opform').addEventListener('submit', (e) => {
  e.preventDefault();
  setToken($('optoken').value.trim());
  $('optoken').value = '';
  renderToken();
});

let noticeTimer = 0;
function showNotice(text, ok) {
  const n = $('notice');
  n.textContent = text;
  n.classList.toggle('ok', !!ok);
  n.classList.remove('hidden');
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => n.classList.add('hidden'), 5000);
}

// ---------------------------------------------------------------- time: clock, slider, history

function renderClock() {
  const t = S.mode === 'live' ? S.liveT : S.histT;
  $('clock').textContent = utc(t, true);
  renderSlider();
  renderStatus();
}

function renderBadge() {
  const b = $('modebadge');
  if (S.mode === 'history') { b.className = 'badge history'; b.textContent = 'HISTORY'; }
  else if (!S.ws.connected) { b.className = 'badge offline'; b.textContent = 'NO LINK'; }
  else { b.className = 'badge live'; b.textContent = S.info && S.info.mode === 'replay' ? 'REPLAY' : 'LIVE'; }
  $('live').classList.toggle('on', S.mode === 'live');
}

function renderSlider() {
  const sl = $('slider');
  if (S.firstUs == null || S.lastUs == null) { sl.disabled = true; return; }
  sl.disabled = false;
  const max = Math.max(0, Math.floor((S.lastUs - S.firstUs) / 1e6));
  if (String(max) !== sl.max) sl.max = String(max);
  if (S.sliderHeld) return;
  const t = S.mode === 'live' ? S.lastUs : S.histT;
  const v = String(Math.max(0, Math.min(max, Math.round((t - S.firstUs) / 1e6))));
  if (sl.value !== v) sl.value = v;
  $('slidertime').textContent = S.mode === 'live' ? 'live' : utc(S.histT);
}

function sliderTime() {
  return S.firstUs + Number($('slider').value) * 1e6;
}

$('slider').addEventListener('pointerdown', () => { S.sliderHeld = true; });
$('slider').addEventListener('input', () => { $('slidertime').textContent = utc(sliderTime()); });
$('slider').addEventListener('change', () => {
  S.sliderHeld = false;
  const sl = $('slider');
  if (Number(sl.value) >= Number(sl.max) - 1) goLive();
  else goHistory(sliderTime());
});

let histSeq = 0;
async function goHistory(t) {
  const seq = ++histSeq;
  try {
    const [tr, al] = await Promise.all([getJSON(`/api/tracks?t_us=${t}`), getJSON(`/api/alerts?t_us=${t}`)]);
    if (seq !== histSeq) return;
    S.mode = 'history';
    S.histT = tr.t_us != null ? tr.t_us : t;
    replacePicture(S.hist, tr.tracks, false);
    S.alertsHist.clear();
    for (const a of al.alerts || []) applyAlert(a, S.alertsHist);
    if (S.selected != null) {
      const t = trackIn(S.selected);
      Object.assign(S.sel, { trail: [], pred: [], identity: [], detail: t ? t.d : null, missing: false });
      fetchDetail();
    }
    renderBadge();
    S.dirty.alerts = S.dirty.detail = S.dirty.plan = true;
    requestDraw('tracks');
  } catch (e) {
    showNotice('could not load that instant: ' + e.message);
  }
}

function goLive() {
  histSeq++;
  S.mode = 'live';
  S.hist.clear();
  S.alertsHist.clear();
  if (S.selected != null) {
    const t = trackIn(S.selected);
    Object.assign(S.sel, { trail: [], pred: [], fetchedAt: 0, missing: false });
    if (t) S.sel.detail = t.d;
    fetchDetail();
  }
  renderBadge();
  S.dirty.alerts = S.dirty.detail = S.dirty.plan = true;
  requestDraw('tracks');
}
$('live').addEventListener('click', goLive);

// ---------------------------------------------------------------- status line

function renderStatus() {
  const now = performance.now();
  if (now - S.ws.rateAt >= 1000) {
    S.ws.lastRate = ((S.ws.messages - S.ws.rateCount) * 1000) / (now - S.ws.rateAt || 1);
    S.ws.rateCount = S.ws.messages;
    S.ws.rateAt = now;
  }
  const parts = [`${picture().size} tracks`];
  const obs = obsRate();
  if (obs != null) parts.push(`${Math.round(obs)} obs/s`);
  parts.push(`ws ${S.ws.lastRate.toFixed(1)} msg/s`);
  const lat = wsLatency();
  if (lat != null) parts.push(`ws latency ${lat.toFixed(1)} ms`);
  if (S.apply.n) parts.push(`apply ${S.apply.last.toFixed(1)} ms`);
  if (S.draw.n) parts.push(`draw ${S.draw.last.toFixed(1)} ms`);
  if (S.rtt != null) parts.push(`api ${Math.round(S.rtt)} ms`);
  $('status').textContent = parts.join(' · ');
}

// obs/s from /api/stats: a rate the daemon gives, else the change of its observation
// count (at the top level or under "engine" / "pipeline") between two polls
function statsObs(o) {
  if (!o) return null;
  for (const k of ['obs', 'obs_total', 'observations']) if (typeof o[k] === 'number') return o[k];
  for (const k of ['engine', 'pipeline']) if (o[k] && typeof o[k].obs === 'number') return o[k].obs;
  return null;
}

function obsRate() {
  const s = S.stats;
  if (!s) return null;
  for (const k of ['obs_per_s', 'obs_rate']) if (typeof s[k] === 'number') return s[k];
  const p = S.statsPrev;
  const c1 = statsObs(s), c0 = p ? statsObs(p.s) : null;
  if (c1 == null || c0 == null) return null;
  const dt = (s._at - p._at) / 1000;
  return dt > 0 ? Math.max(0, (c1 - c0) / dt) : null;
}

// the daemon's own measure of the stream's latency (its p50), when it gives one
function wsLatency() {
  const st = S.stats && S.stats.stream;
  const l = st && st.latency_ms;
  return l && typeof l.p50 === 'number' && l.n > 0 ? l.p50 : null;
}

async function pollStats() {
  const t0 = performance.now();
  try {
    const s = await getJSON('/api/stats');
    S.rtt = performance.now() - t0;
    if (S.stats) S.statsPrev = { s: S.stats, _at: S.stats._at };
    s._at = t0;
    S.stats = s;
  } catch (_) { /* shown as missing */ }
}

// ---------------------------------------------------------------- sensors

async function loadSensors() {
  const url = (S.info && S.info.sensors_url) || '/api/sensors';
  try {
    const r = await getJSON(url);
    S.sensors = (r.sensors || []).filter((s) => s.lat_deg != null && s.lon_deg != null).map(prepareSensor);
    S.sensorById = new Map(S.sensors.map((p) => [p.s.id, p]));
    requestDraw('sensors');
  } catch (_) { /* kept as it was */ }
}

// ---------------------------------------------------------------- toggles

for (const [k, el] of [['regions', 't-regions'], ['sites', 't-sites'], ['sensors', 't-sensors'],
  ['coverage', 't-coverage'], ['trails', 't-trails'], ['labels', 't-labels']]) {
  const box = $(el);
  S.opts[k] = box.checked;
  box.addEventListener('change', () => {
    S.opts[k] = box.checked;
    if (k === 'regions' || k === 'sites') geo.show(k, box.checked);
    S.dirty.sensors = true;
    requestDraw('tracks');
  });
}

// ---------------------------------------------------------------- info and start

async function loadInfo() {
  const info = await getJSON('/api/info');
  S.info = info;
  if (info.first_us != null) S.firstUs = info.first_us;
  if (info.last_us != null && (S.lastUs == null || info.last_us > S.lastUs)) S.lastUs = info.last_us;
  if (info.t_us != null && info.t_us > S.liveT) S.liveT = info.t_us;
  const bits = [];
  if (info.node && info.node !== 'dronewall') bits.push(info.node);
  if (info.home) bits.push(info.home);
  if (info.mode) bits.push(info.mode + (info.speed && info.speed !== 1 ? ` ×${info.speed}` : ''));
  if (info.version) bits.push('v' + String(info.version).replace(/^v/, ''));
  $('node').textContent = bits.join(' · ');
  return info;
}

let geoReady = false;
let viewFitted = false;                 // the view has been fitted to the home country or the picture

// Without geography (no home country to frame), frame the first picture instead.
function fitToPicture() {
  viewFitted = true;
  let s = 90, w = 180, n = -90, e = -180;
  for (const t of picture().values()) {
    const d = t.d;
    if (d.lat_deg < s) s = d.lat_deg;
    if (d.lat_deg > n) n = d.lat_deg;
    if (d.lon_deg < w) w = d.lon_deg;
    if (d.lon_deg > e) e = d.lon_deg;
  }
  if (s <= n) map.fitBounds([[s, w], [n, e]], { padding: [40, 40], maxZoom: 10, animate: false });
}
let geoBuildMs = null;

async function start() {
  renderToken();
  let info;
  try {
    info = await loadInfo();
  } catch (e) {
    showNotice('daemon not reachable: ' + e.message);
    setTimeout(start, 3000);
    return;
  }
  S.home = info.home || 'PL';
  geo.home = S.home;
  stream.start();
  resync();
  loadSensors();
  pollStats();
  setInterval(pollStats, 2000);
  setInterval(() => { loadInfo().catch(() => {}); renderBadge(); }, 10000);
  setInterval(loadSensors, 30000);
  renderBadge();
  try {
    const list = info.geo || [];
    const fcs = await Promise.all(list.map((g) => getJSON(g.url)));
    const tb = performance.now();
    geo.build(fcs);
    geoBuildMs = performance.now() - tb;
    const b = geo.homeBounds();
    if (b) {
      map.fitBounds(b, { padding: [10, 10], animate: false });
      viewFitted = true;
    }
  } catch (e) {
    showNotice('could not load the geography: ' + e.message);
  }
  geoReady = true;
  requestDraw('tracks');
}

// ---------------------------------------------------------------- read-only test hook

function pageXY(p) {
  if (!p) return null;
  const r = map.getContainer().getBoundingClientRect();
  return { x: r.left + p.x, y: r.top + p.y };
}

window.dronewall = Object.freeze({
  state() {
    return {
      geoReady,
      geoBuildMs,
      borders: geo.countries.length,
      homeDrawnRings: geo.homeDrawnRings(),
      borderLines: geo.borderRuns,
      regions: geo.regions.length,
      sites: geo.sites.length,
      sensors: S.sensors.length,
      tracks: picture().size,
      tracksDrawn: trackLayer.n,
      alerts: alertBook().size,
      recommendations: S.plan.recs.length,
      planVisible: !$('planpanel').classList.contains('hidden'),
      planDrawn: planLayer.drawnCount,
      wsMessages: S.ws.messages,
      wsConnected: S.ws.connected,
      selected: S.selected,
      selectedTrail: trackLayer.selTrailDrawn,
      predicted: trackLayer.predDrawn,
      selectedAlert: S.selectedAlert,
      highlighted: geo.highlighted.slice(),
      mode: S.mode,
      t_us: S.mode === 'live' ? S.liveT : S.histT,
      first_us: S.firstUs,
      last_us: S.lastUs,
      zoom: map.getZoom(),
    };
  },
  trackPixel(id) { return pageXY(trackLayer.pixelOf(id)); },
  tracks() {
    return trackLayer.drawn().map((t) => {
      const d = picture().get(t.id);
      const p = pageXY(t);
      return { id: t.id, x: p.x, y: p.y, class: d && d.d.class, affiliation: d && d.d.affiliation, status: d && d.d.status };
    });
  },
  track(id) { const t = picture().get(id); return t ? Object.assign({}, t.d) : null; },
  alerts() { return [...alertBook().values()].map((a) => Object.assign({}, a)); },
  // Counters since load, and the recent samples ([performance.now(), ms, bytes?]) of the
  // time to apply one stream message and to draw the tracks canvas once.
  perf() {
    return {
      applyN: S.apply.n, applyMsAvg: S.apply.n ? S.apply.sum / S.apply.n : 0, applyMsMax: S.apply.max,
      drawN: S.draw.n, drawMsAvg: S.draw.n ? S.draw.sum / S.draw.n : 0, drawMsMax: S.draw.max,
      wsMessages: S.ws.messages,
      applySamples: S.apply.samples.slice(),
      drawSamples: S.draw.samples.slice(),
    };
  },
});

start();
