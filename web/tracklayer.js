// tracklayer.js — the map's own canvases: one for all tracks (symbols, velocity leaders,
// trails, labels, the selected track's full trail and predicted path) and one for the
// sensors (sites and radar coverage). No DOM element per track or sensor: each canvas is
// redrawn whole, at most once per animation frame, by the caller's scheduler.
//
// Positions are kept in normalised Web Mercator (x, y in [0, 1), the projection Leaflet's
// EPSG:3857 uses): a frame turns them into pixels with one multiply-add each, the offset
// taken once from Leaflet (`viewOf`).

import { sprite, SPRITE, lineColour, affKey } from './symbols.js';

const D2R = Math.PI / 180;
const MAX_LAT = 85.0511287798;


// The partners (federated nodes) whose tracks a track holds: its "fed:<node>" sensors.
export function partnersOf(d) {
  const out = [];
  for (const s of d.sensors || []) if (s.startsWith('fed:')) out.push(s.slice(4));
  return out;
}

export function mercX(lon) { return (lon + 180) / 360; }
export function mercY(lat) {
  const l = Math.max(-MAX_LAT, Math.min(MAX_LAT, lat));
  const s = Math.sin(l * D2R);
  return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
}

// The transform of the current view: container pixel = merc * scale + (dx, dy).
export function viewOf(map) {
  const z = map.getZoom();
  const scale = 256 * Math.pow(2, z);
  const c = map.getCenter();
  const p = map.latLngToContainerPoint(c);
  const size = map.getSize();
  return { z, scale, dx: p.x - mercX(c.lng) * scale, dy: p.y - mercY(c.lat) * scale, w: size.x, h: size.y };
}

// A canvas covering the map container, above Leaflet's panes and below its controls.
export class Overlay {
  constructor(map, cls) {
    this.map = map;
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'dw-canvas ' + cls;
    map.getContainer().appendChild(this.canvas);
    this.ctx = this.canvas.getContext('2d');
    this.dpr = 1;
    this.w = 0;
    this.h = 0;
  }

  // Size the canvas to the container; returns the context scaled to CSS pixels, cleared.
  begin() {
    const size = this.map.getSize();
    const dpr = window.devicePixelRatio || 1;
    if (size.x !== this.w || size.y !== this.h || dpr !== this.dpr) {
      this.w = size.x;
      this.h = size.y;
      this.dpr = dpr;
      this.canvas.width = Math.round(size.x * dpr);
      this.canvas.height = Math.round(size.y * dpr);
      this.canvas.style.width = size.x + 'px';
      this.canvas.style.height = size.y + 'px';
    }
    const ctx = this.ctx;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    return ctx;
  }

  show(on) { this.canvas.style.display = on ? '' : 'none'; }
}

const AFFS = ['hostile', 'suspect', 'friend', 'assumed_friend', 'neutral', 'unknown', 'pending'];

// The tracks canvas. draw() takes the picture (an iterable of track records
// {d: TRACK, mx, my, trail: [mx, my, ...]}) and what is selected; it keeps the pixel
// position of every track it drew for picking.
export class TrackLayer extends Overlay {
  constructor(map) {
    super(map, 'tracks');
    this.ids = [];
    this.xs = new Float64Array(0);
    this.ys = new Float64Array(0);
    this.n = 0;
    this.index = new Map();             // id -> slot of the last draw
    this.selTrailDrawn = 0;
    this.predDrawn = 0;
  }

  draw(picture, count, sel, opts) {
    const ctx = this.begin();
    const v = viewOf(this.map);
    const { scale, dx, dy, w, h } = v;
    if (this.xs.length < count) {
      this.xs = new Float64Array(count * 2);
      this.ys = new Float64Array(count * 2);
    }
    const xs = this.xs, ys = this.ys, ids = this.ids;
    ids.length = 0;
    this.index.clear();
    const groups = {};
    for (const a of AFFS) groups[a] = [];
    const recs = [];
    let n = 0;
    const m = 40;                       // margin: symbols and leaders overhang the edge
    for (const t of picture) {
      const x = t.mx * scale + dx, y = t.my * scale + dy;
      if (x < -m || y < -m || x > w + m || y > h + m) continue;
      xs[n] = x; ys[n] = y; ids.push(t.d.id); recs.push(t);
      this.index.set(t.d.id, n);
      groups[affKey(t.d.affiliation)].push(n);
      n++;
    }
    this.n = n;

    // trails: one path per colour
    if (opts.trails) {
      ctx.lineWidth = 1.2;
      ctx.globalAlpha = 0.5;
      for (const a of AFFS) {
        const g = groups[a];
        if (!g.length) continue;
        ctx.beginPath();
        for (const i of g) {
          const tr = recs[i].trail;
          if (!tr || tr.length < 2) continue;
          ctx.moveTo(tr[0] * scale + dx, tr[1] * scale + dy);
          for (let k = 2; k < tr.length; k += 2) ctx.lineTo(tr[k] * scale + dx, tr[k + 1] * scale + dy);
          ctx.lineTo(xs[i], ys[i]);
        }
        ctx.strokeStyle = lineColour(a);
        ctx.stroke();
      }
      ctx.globalAlpha = 1;
    }

    // the selected track: full trail, predicted path, uncertainty
    this.selTrailDrawn = 0;
    this.predDrawn = 0;
    if (sel && sel.trail && sel.trail.length >= 4) {
      ctx.beginPath();
      const tr = sel.trail;
      ctx.moveTo(tr[0] * scale + dx, tr[1] * scale + dy);
      for (let k = 2; k < tr.length; k += 2) ctx.lineTo(tr[k] * scale + dx, tr[k + 1] * scale + dy);
      const si = sel.id != null ? this.index.get(sel.id) : undefined;
      if (si !== undefined) ctx.lineTo(xs[si], ys[si]);
      ctx.lineWidth = 4;
      ctx.strokeStyle = 'rgba(0,0,0,0.6)';
      ctx.stroke();
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#ffffff';
      ctx.stroke();
      this.selTrailDrawn = tr.length / 2;
    }
    if (sel && sel.pred && sel.pred.length >= 4) {
      ctx.beginPath();
      const pr = sel.pred;
      ctx.moveTo(pr[0] * scale + dx, pr[1] * scale + dy);
      for (let k = 2; k < pr.length; k += 2) ctx.lineTo(pr[k] * scale + dx, pr[k + 1] * scale + dy);
      ctx.setLineDash([6, 5]);
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#ffe14d';
      ctx.stroke();
      ctx.setLineDash([]);
      this.predDrawn = pr.length / 2;
    }

    // velocity leaders: from the symbol's centre, 14 px + 0.25 px per m/s (capped), one
    // path per colour
    ctx.lineWidth = 1.6;
    for (const a of AFFS) {
      const g = groups[a];
      if (!g.length) continue;
      ctx.beginPath();
      for (const i of g) {
        const vel = recs[i].d.vel_enu_mps;
        if (!vel) continue;
        const ve = vel[0], vn = vel[1];
        const sp = Math.hypot(ve, vn);
        if (sp < 1) continue;
        const len = 14 + Math.min(60, sp * 0.25);
        ctx.moveTo(xs[i], ys[i]);
        ctx.lineTo(xs[i] + (ve / sp) * len, ys[i] - (vn / sp) * len);
      }
      ctx.strokeStyle = lineColour(a);
      ctx.stroke();
    }

    // symbols (smaller when many crowd a small-scale view)
    const dpr = this.dpr;
    const size = n > 300 && v.z < 8 ? Math.round(SPRITE * 0.7) : SPRITE;
    const half = size / 2;
    for (let i = 0; i < n; i++) {
      const d = recs[i].d;
      const img = sprite(d.affiliation, d.class, dpr);
      if (d.status === 'coasting') ctx.globalAlpha = 0.45;
      ctx.drawImage(img, Math.round(xs[i] - half), Math.round(ys[i] - half), size, size);
      if (d.status === 'coasting') ctx.globalAlpha = 1;
    }

    // selection ring and the 1-sigma circle
    if (sel && sel.id != null) {
      const si = this.index.get(sel.id);
      if (si !== undefined) {
        const d = recs[si].d;
        ctx.beginPath();
        ctx.arc(xs[si], ys[si], 16, 0, Math.PI * 2);
        ctx.lineWidth = 2.5;
        ctx.strokeStyle = '#ffffff';
        ctx.stroke();
        if (d.sigma_m > 0) {
          const mpp = (40075016.686 * Math.cos(d.lat_deg * D2R)) / scale;   // metres per pixel here
          const r = d.sigma_m / mpp;
          if (r > 18) {
            ctx.beginPath();
            ctx.arc(xs[si], ys[si], r, 0, Math.PI * 2);
            ctx.lineWidth = 1;
            ctx.setLineDash([3, 3]);
            ctx.stroke();
            ctx.setLineDash([]);
          }
        }
      }
    }

    // labels: the id (and callsign, and the partners whose tracks it holds) when zoomed in
    // or when few tracks are in view
    if (opts.labels && (v.z >= 9 || n <= 150)) {
      ctx.font = '11px "DejaVu Sans Mono", monospace';
      ctx.textBaseline = 'middle';
      ctx.lineWidth = 3;
      ctx.strokeStyle = 'rgba(0,0,0,0.75)';
      ctx.fillStyle = '#e8eef5';
      for (let i = 0; i < n; i++) {
        const d = recs[i].d;
        let s = d.callsign ? `${d.id} ${d.callsign}` : String(d.id);
        // A partner's track: whose picture it came from (federation), "via UA".
        const via = partnersOf(d);
        if (via.length) s += ` via ${via.join(',')}`;
        ctx.strokeText(s, xs[i] + 18, ys[i] - 10);
        ctx.fillText(s, xs[i] + 18, ys[i] - 10);
      }
    }
  }

  // The id of the track drawn nearest to a container point, within r pixels.
  pick(x, y, r) {
    let best = null, bestD = r * r;
    for (let i = 0; i < this.n; i++) {
      const ddx = this.xs[i] - x, ddy = this.ys[i] - y;
      const d2 = ddx * ddx + ddy * ddy;
      if (d2 <= bestD) { bestD = d2; best = this.ids[i]; }
    }
    return best;
  }

  // Where a track was last drawn (container pixels), or null when it was not in view.
  pixelOf(id) {
    const i = this.index.get(id);
    return i === undefined ? null : { x: this.xs[i], y: this.ys[i] };
  }

  // Every drawn track with its pixel position.
  drawn() {
    const out = new Array(this.n);
    for (let i = 0; i < this.n; i++) out[i] = { id: this.ids[i], x: this.xs[i], y: this.ys[i] };
    return out;
  }
}

// A point at distance m and bearing brg (degrees) from (lat, lon), on the sphere.
function destination(lat, lon, brg, m) {
  const R = 6371008.8, d = m / R, b = brg * D2R, p1 = lat * D2R, l1 = lon * D2R;
  const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
  const l2 = l1 + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
  return [p2 / D2R, l2 / D2R];
}

const SENSOR_COLOUR = {
  radar: '#4fd1ff', aew: '#4fd1ff', adsb: '#c3a6ff', acoustic: '#9be37a', rf: '#ff9ed2',
  eo: '#ffd08a', remote_id: '#c3a6ff', citizen: '#bbbbbb', citizens: '#bbbbbb', partner: '#ffb86b',
};

// Prepare a sensor for drawing: its Mercator position and, for a radar with a range, its
// coverage circle (geodesic, 96 points).
export function prepareSensor(s) {
  const out = { s, mx: mercX(s.lon_deg), my: mercY(s.lat_deg), cov: null };
  if ((s.kind === 'radar' || s.kind === 'aew') && s.range_m > 0) {
    const cov = new Float64Array(96 * 2);
    for (let i = 0; i < 96; i++) {
      const [la, lo] = destination(s.lat_deg, s.lon_deg, (i * 360) / 96, s.range_m);
      cov[2 * i] = mercX(lo);
      cov[2 * i + 1] = mercY(la);
    }
    out.cov = cov;
  }
  return out;
}

export class SensorLayer extends Overlay {
  constructor(map) {
    super(map, 'sensors');
    this.drawnCount = 0;
  }

  draw(sensors, opts) {
    const ctx = this.begin();
    this.drawnCount = 0;
    if (!opts.sensors && !opts.coverage) return;
    const { scale, dx, dy, w, h, z } = viewOf(this.map);
    if (opts.coverage) {
      ctx.lineWidth = 1;
      ctx.setLineDash([8, 6]);
      for (const p of sensors) {
        if (!p.cov) continue;
        const c = p.cov;
        ctx.beginPath();
        ctx.moveTo(c[0] * scale + dx, c[1] * scale + dy);
        for (let k = 2; k < c.length; k += 2) ctx.lineTo(c[k] * scale + dx, c[k + 1] * scale + dy);
        ctx.closePath();
        ctx.strokeStyle = p.s.status === 'down' ? 'rgba(255,90,90,0.55)' : 'rgba(79,209,255,0.55)';
        ctx.fillStyle = 'rgba(79,209,255,0.035)';
        ctx.fill();
        ctx.stroke();
      }
      ctx.setLineDash([]);
    }
    if (!opts.sensors) return;
    // small networks' nodes as dots, batched by colour and status
    const batches = new Map();
    const big = [];
    for (const p of sensors) {
      const x = p.mx * scale + dx, y = p.my * scale + dy;
      if (x < -10 || y < -10 || x > w + 10 || y > h + 10) continue;
      this.drawnCount++;
      const k = p.s.kind;
      if (k === 'acoustic' || k === 'citizen' || k === 'citizens') {
        const key = (SENSOR_COLOUR[k] || '#aaa') + (p.s.status === 'down' ? '|down' : '');
        let b = batches.get(key);
        if (!b) { b = []; batches.set(key, b); }
        b.push(x, y);
      } else {
        big.push([p, x, y]);
      }
    }
    const dot = z >= 9 ? 4 : 3;
    for (const [key, b] of batches) {
      const [colour, down] = key.split('|');
      ctx.fillStyle = down ? '#ff5a5a' : colour;
      for (let i = 0; i < b.length; i += 2) ctx.fillRect(b[i] - dot / 2, b[i + 1] - dot / 2, dot, dot);
    }
    ctx.font = '10px "DejaVu Sans Mono", monospace';
    ctx.textBaseline = 'middle';
    for (const [p, x, y] of big) {
      const s = p.s;
      const colour = s.status === 'down' ? '#ff5a5a' : (SENSOR_COLOUR[s.kind] || '#cccccc');
      ctx.beginPath();               // a triangle on its base: a sensor site
      ctx.moveTo(x, y - 6); ctx.lineTo(x + 6, y + 5); ctx.lineTo(x - 6, y + 5); ctx.closePath();
      ctx.fillStyle = 'rgba(10,15,20,0.85)';
      ctx.fill();
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = colour;
      ctx.stroke();
      if (s.status === 'down') {
        ctx.beginPath();
        ctx.moveTo(x - 5, y - 5); ctx.lineTo(x + 5, y + 5); ctx.moveTo(x + 5, y - 5); ctx.lineTo(x - 5, y + 5);
        ctx.stroke();
      }
      if (z >= 8) {
        ctx.fillStyle = colour;
        ctx.fillText(s.id, x + 8, y);
      }
    }
  }
}

// The response plan's canvas: for each recommendation a small marker at its intercept
// point and a dashed line from its track (where the track is now) to it. Only the
// recommendations are walked (a handful to a few hundred), so redrawing it with every
// tracks frame stays cheap beside 1,000 tracks.
const PLAN_COLOUR = { approve: '#3ccf7a', reject: '#7d8a99', pending: '#c77dff' };

export class PlanLayer extends Overlay {
  constructor(map) {
    super(map, 'plan');
    this.drawnCount = 0;
    this.had = false;
  }

  // recs: [{r: REC, mx, my}], picture: Map id -> {mx, my}, selId: the selected
  // recommendation's id (or null).
  draw(recs, picture, selId) {
    if ((!recs || !recs.length) && !this.drawnCount && !this.had) return;   // nothing to clear
    const ctx = this.begin();
    this.drawnCount = 0;
    this.had = !!(recs && recs.length);
    if (!this.had) return;
    const { scale, dx, dy, w, h } = viewOf(this.map);
    const M = 40;
    ctx.lineWidth = 1.5;
    ctx.setLineDash([5, 4]);
    for (const key of ['pending', 'approve', 'reject']) {
      ctx.strokeStyle = PLAN_COLOUR[key];
      ctx.beginPath();
      for (const p of recs) {
        if (p.key !== key) continue;
        const t = picture.get(p.r.track);
        if (!t) continue;
        const x0 = t.mx * scale + dx, y0 = t.my * scale + dy;
        const x1 = p.mx * scale + dx, y1 = p.my * scale + dy;
        if (Math.max(x0, x1) < -M || Math.min(x0, x1) > w + M || Math.max(y0, y1) < -M || Math.min(y0, y1) > h + M) continue;
        ctx.moveTo(x0, y0);
        ctx.lineTo(x1, y1);
      }
      ctx.stroke();
    }
    ctx.setLineDash([]);
    for (const p of recs) {
      const x = p.mx * scale + dx, y = p.my * scale + dy;
      if (x < -M || x > w + M || y < -M || y > h + M) continue;
      this.drawnCount++;
      const sel = p.r.id === selId;
      const r = sel ? 7 : 5;
      ctx.beginPath();
      ctx.moveTo(x - r, y); ctx.lineTo(x + r, y);
      ctx.moveTo(x, y - r); ctx.lineTo(x, y + r);
      ctx.lineWidth = 3;
      ctx.strokeStyle = 'rgba(0,0,0,0.7)';
      ctx.stroke();
      ctx.lineWidth = sel ? 2 : 1.5;
      ctx.strokeStyle = p.warn ? '#ffb020' : PLAN_COLOUR[p.key];
      ctx.stroke();
      ctx.beginPath();
      ctx.arc(x, y, r - 1.5, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }
}
