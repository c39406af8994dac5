// geo.js — the offline vector geography: countries (the home country emphasised, its
// borders with each neighbour drawn strongly), regions (thin lines, names on hover),
// protected sites (airports, power plants, bases, cities, by kind) and the highlight of
// an alert's area. Everything comes from the daemon's /api/geo/N GeoJSON; no tiles.
//
// The countries file carries Poland at 10 m detail (~100,000 vertices in all): each ring
// is simplified once on load (Douglas-Peucker, ~30 m), which the eye cannot tell apart
// below zoom 12 and which keeps redraws cheap. The borders with the neighbours are found
// on the full detail first, then simplified the same way.

import * as L from '/vendor/leaflet/dist/leaflet-src.esm.js';

const EPS_DEG = 0.0003;                 // simplification tolerance, degrees of latitude

// Colours of the home country's border with each neighbour: the threat axis in red and
// amber, the rest in a pale steel.
const BORDER_COLOUR = { BY: '#ff3b3b', RU: '#ff3b3b', UA: '#ffb020' };
const BORDER_OTHER = '#a8bdd4';

const SITE_COLOUR = {
  airport: '#b48cff', power_plant: '#ffd24d', base: '#4fa3ff', city: '#c8c8c8',
};
const SITE_OTHER = '#8fbcbb';

// Douglas-Peucker on a flat [lon, lat, lon, lat, ...] array; longitudes are scaled by
// cos(latitude) so that the tolerance is about the same distance both ways.
export function simplifyFlat(flat, eps) {
  const n = flat.length / 2;
  if (n <= 3) return flat.slice();
  const k = Math.cos((flat[1] * Math.PI) / 180);
  const keep = new Uint8Array(n);
  keep[0] = keep[n - 1] = 1;
  const stack = [0, n - 1];
  const eps2 = eps * eps;
  while (stack.length) {
    const b = stack.pop(), a = stack.pop();
    const ax = flat[2 * a] * k, ay = flat[2 * a + 1];
    const bx = flat[2 * b] * k, by = flat[2 * b + 1];
    const dx = bx - ax, dy = by - ay;
    const len2 = dx * dx + dy * dy;
    let best = -1, bestD = eps2;
    for (let i = a + 1; i < b; i++) {
      const px = flat[2 * i] * k - ax, py = flat[2 * i + 1] - ay;
      let d2;
      if (len2 === 0) d2 = px * px + py * py;
      else {
        const t = Math.max(0, Math.min(1, (px * dx + py * dy) / len2));
        const ex = px - t * dx, ey = py - t * dy;
        d2 = ex * ex + ey * ey;
      }
      if (d2 > bestD) { bestD = d2; best = i; }
    }
    if (best >= 0) {
      keep[best] = 1;
      stack.push(a, best, best, b);
    }
  }
  const out = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(flat[2 * i], flat[2 * i + 1]);
  return out;
}

function ringToFlat(ring) {
  const f = new Array(ring.length * 2);
  for (let i = 0; i < ring.length; i++) { f[2 * i] = ring[i][0]; f[2 * i + 1] = ring[i][1]; }
  return f;
}

function flatToLatLngs(flat) {
  const out = new Array(flat.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = [flat[2 * i + 1], flat[2 * i]];
  return out;
}

function polygonsOf(geom) {
  if (!geom) return [];
  if (geom.type === 'Polygon') return [geom.coordinates];
  if (geom.type === 'MultiPolygon') return geom.coordinates;
  return [];
}

// Point in a flat ring (ray casting).
function inRing(flat, x, y) {
  let inside = false;
  const n = flat.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = flat[2 * i], yi = flat[2 * i + 1], xj = flat[2 * j], yj = flat[2 * j + 1];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

// An area feature prepared for drawing and for point lookup: simplified polygons (each a
// list of flat rings, the first the outline), and the bounding box.
function prepareArea(f) {
  const polys = [];
  let w = 180, s = 90, e = -180, n = -90;
  for (const poly of polygonsOf(f.geometry)) {
    const rings = [];
    for (let r = 0; r < poly.length; r++) {
      const flat = simplifyFlat(ringToFlat(poly[r]), EPS_DEG);
      if (flat.length < 8) {
        if (r === 0) break;             // an island smaller than the tolerance
        continue;                       // a hole smaller than the tolerance
      }
      rings.push(flat);
      if (r === 0) {
        for (let i = 0; i < flat.length; i += 2) {
          if (flat[i] < w) w = flat[i];
          if (flat[i] > e) e = flat[i];
          if (flat[i + 1] < s) s = flat[i + 1];
          if (flat[i + 1] > n) n = flat[i + 1];
        }
      }
    }
    if (rings.length) polys.push(rings);
  }
  return { f, id: f.properties.id, name: f.properties.name || f.properties.id, polys, bbox: [w, s, e, n] };
}

function containsArea(a, lon, lat) {
  const [w, s, e, n] = a.bbox;
  if (lon < w || lon > e || lat < s || lat > n) return false;
  for (const rings of a.polys) {
    if (!inRing(rings[0], lon, lat)) continue;
    let hole = false;
    for (let i = 1; i < rings.length; i++) if (inRing(rings[i], lon, lat)) { hole = true; break; }
    if (!hole) return true;
  }
  return false;
}

function areaLatLngs(a) {
  return a.polys.map((rings) => rings.map(flatToLatLngs));
}

// The home country's borders with its neighbours: its outline at full detail, each
// vertex labelled with the neighbour that has the same vertex (neighbours share the
// border's vertices, though either side may carry a few extra ones: gaps of up to
// GAP_FILL vertices between two stretches of the same neighbour are closed), cut into
// stretches per neighbour and simplified. Returns a Map neighbour id -> flat polylines.
const GAP_FILL = 8;

function homeBorders(homeFeature, others) {
  const owner = new Map();
  for (const f of others) {
    const id = f.properties.id;
    for (const poly of polygonsOf(f.geometry)) {
      for (const ring of poly) for (const p of ring) owner.set(p[0] + ',' + p[1], id);
    }
  }
  const out = new Map();
  const emit = (id, flat) => {
    if (flat.length < 4) return;
    if (!out.has(id)) out.set(id, []);
    out.get(id).push(simplifyFlat(flat, EPS_DEG));
  };
  for (const poly of polygonsOf(homeFeature.geometry)) {
    for (const ring of poly) {
      const n = ring.length;
      const lab = new Array(n);
      for (let i = 0; i < n; i++) lab[i] = owner.get(ring[i][0] + ',' + ring[i][1]) || null;
      // close short gaps between stretches of one neighbour
      let last = -1;
      for (let i = 0; i < n; i++) {
        if (lab[i] == null) continue;
        if (last >= 0 && i - last > 1 && i - last - 1 <= GAP_FILL && lab[last] === lab[i]) {
          for (let k = last + 1; k < i; k++) lab[k] = lab[i];
        }
        last = i;
      }
      // stretches, each taking the neighbouring labelled vertex at its ends (tri-points)
      let i = 0;
      while (i < n) {
        if (lab[i] == null) { i++; continue; }
        const id = lab[i];
        let j = i;
        while (j + 1 < n && lab[j + 1] === id) j++;
        const from = i > 0 && lab[i - 1] != null ? i - 1 : i;
        const to = j + 1 < n && lab[j + 1] != null ? j + 1 : j;
        const flat = [];
        for (let k = from; k <= to; k++) flat.push(ring[k][0], ring[k][1]);
        emit(id, flat);
        i = j + 1;
      }
    }
  }
  return out;
}

function haversineM(lat1, lon1, lat2, lon2) {
  const r = Math.PI / 180;
  const dlat = (lat2 - lat1) * r, dlon = (lon2 - lon1) * r;
  const a = Math.sin(dlat / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(dlon / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
}

export class Geography {
  constructor(map, home) {
    this.map = map;
    this.home = home || 'PL';
    this.countries = [];                // prepared areas
    this.regions = [];
    this.sites = [];                    // {id, name, kind, lat, lon, radius_m} or areas
    this.byId = new Map();              // id -> {type: 'area'|'site', a}
    this.homeLayer = null;
    this.borderRuns = 0;
    this.highlighted = [];
    const panes = [['dw-countries', 300], ['dw-regions', 310], ['dw-borders', 320], ['dw-sites', 330], ['dw-highlight', 340]];
    for (const [name, z] of panes) {
      const p = map.createPane(name);
      p.style.zIndex = String(z);
      p.style.pointerEvents = 'none';
    }
    this.groups = {
      countries: L.layerGroup().addTo(map),
      regions: L.layerGroup().addTo(map),
      borders: L.layerGroup().addTo(map),
      sites: L.layerGroup().addTo(map),
      highlight: L.layerGroup().addTo(map),
    };
  }

  // Add the feature collections (as fetched) and draw them.
  build(collections) {
    const countryFeatures = [];
    for (const fc of collections) {
      for (const f of (fc && fc.features) || []) {
        const p = f.properties || {};
        if (!p.id || !f.geometry) continue;
        if (p.kind === 'country') countryFeatures.push(f);
        else if (p.kind === 'region') this.addRegion(f);
        else this.addSite(f);
      }
    }
    const homeF = countryFeatures.find((f) => f.properties.id === this.home);
    for (const f of countryFeatures) this.addCountry(f, f === homeF);
    if (homeF) this.addBorders(homeF, countryFeatures);
  }

  addCountry(f, isHome) {
    const a = prepareArea(f);
    if (!a.polys.length) return;
    a.isHome = isHome;
    this.countries.push(a);
    this.byId.set(a.id, { type: 'area', a });
    const layer = L.polygon(areaLatLngs(a), {
      pane: 'dw-countries', interactive: false,
      stroke: true, color: isHome ? '#56687d' : '#2c3846', weight: isHome ? 1.2 : 0.8,
      fill: true, fillColor: isHome ? '#1d2a3a' : '#141c26', fillOpacity: 1,
    });
    layer.addTo(this.groups.countries);
    a.layer = layer;
    if (isHome) this.homeLayer = layer;
  }

  addBorders(homeF, countryFeatures) {
    const borders = homeBorders(homeF, countryFeatures.filter((f) => f !== homeF));
    for (const [id, runs] of borders) {
      const colour = BORDER_COLOUR[id] || BORDER_OTHER;
      L.polyline(runs.map(flatToLatLngs), {
        pane: 'dw-borders', interactive: false, color: colour, weight: 2.6, opacity: 0.95,
      }).addTo(this.groups.borders);
      this.borderRuns += runs.length;
    }
  }

  addRegion(f) {
    const a = prepareArea(f);
    if (!a.polys.length) return;
    this.regions.push(a);
    this.byId.set(a.id, { type: 'area', a });
    const home = f.properties.country === this.home;
    L.polygon(areaLatLngs(a), {
      pane: 'dw-regions', interactive: false, fill: false,
      color: home ? '#4a6380' : '#2f3e50', weight: home ? 0.9 : 0.6, opacity: 0.9,
    }).addTo(this.groups.regions);
  }

  addSite(f) {
    const p = f.properties;
    const colour = SITE_COLOUR[p.kind] || SITE_OTHER;
    if (f.geometry.type === 'Point') {
      const [lon, lat] = f.geometry.coordinates;
      const s = { id: p.id, name: p.name || p.id, kind: p.kind || 'site', lat, lon, radius_m: p.radius_m || 0 };
      this.sites.push(s);
      this.byId.set(s.id, { type: 'site', s });
      if (s.radius_m > 0) {
        L.circle([lat, lon], {
          pane: 'dw-sites', interactive: false, radius: s.radius_m, color: colour, weight: 1,
          opacity: 0.8, dashArray: '4 3', fillColor: colour, fillOpacity: 0.07,
        }).addTo(this.groups.sites);
      }
      L.circleMarker([lat, lon], {
        pane: 'dw-sites', interactive: false, radius: 3, color: colour, weight: 1, fillColor: colour, fillOpacity: 0.9,
      }).addTo(this.groups.sites);
      return;
    }
    const a = prepareArea(f);
    if (!a.polys.length) return;
    a.kind = p.kind;
    this.sites.push({ id: a.id, name: a.name, kind: p.kind || 'site', area: a });
    this.byId.set(a.id, { type: 'area', a });
    L.polygon(areaLatLngs(a), {
      pane: 'dw-sites', interactive: false, color: colour, weight: 1, dashArray: '4 3',
      fillColor: colour, fillOpacity: 0.07,
    }).addTo(this.groups.sites);
  }

  homeBounds() {
    return this.homeLayer ? this.homeLayer.getBounds() : null;
  }

  // The rings of the home country's outline as the canvas renderer last drew them
  // (projected and clipped to the view): what the tests read to know it is drawn.
  homeDrawnRings() {
    const l = this.homeLayer;
    if (!l || !this.map.hasLayer(l) || !l._parts) return 0;
    return l._parts.filter((r) => r.length >= 3).length;
  }

  show(name, on) {
    const g = this.groups[name];
    if (!g) return;
    if (on && !this.map.hasLayer(g)) g.addTo(this.map);
    if (!on && this.map.hasLayer(g)) this.map.removeLayer(g);
  }

  // What is under a point: a site whose zone holds it, else the region, else the country.
  describe(lat, lon, regionsShown, sitesShown) {
    const parts = [];
    if (sitesShown) {
      for (const s of this.sites) {
        if (s.area ? containsArea(s.area, lon, lat) : haversineM(lat, lon, s.lat, s.lon) <= Math.max(s.radius_m, 1500)) {
          parts.push(`${s.name} (${s.kind.replace('_', ' ')})`);
          break;
        }
      }
    }
    if (regionsShown) {
      for (const a of this.regions) {
        if (containsArea(a, lon, lat)) { parts.push(`${a.name} · ${a.id}`); break; }
      }
    }
    for (const a of this.countries) {
      if (containsArea(a, lon, lat)) { parts.push(a.name); break; }
    }
    return parts.join(' — ');
  }

  // The id of the country under a point, or null.
  countryAt(lat, lon) {
    for (const a of this.countries) if (containsArea(a, lon, lat)) return a.id;
    return null;
  }

  clearHighlight() {
    this.groups.highlight.clearLayers();
    this.highlighted = [];
  }

  // Highlight an alert's area (a country, region or site id), the home region it lies in
  // when the area is a whole country, and its point; pan to the most specific of them.
  // extra: {lat, lon, radius_m} of the alert, or a sensor's position for a sensor alert.
  highlight(alert, sensorAt) {
    this.clearHighlight();
    const g = this.groups.highlight;
    const style = { pane: 'dw-highlight', interactive: false, color: '#ffe14d', weight: 3, opacity: 1 };
    let focus = null;                   // L.LatLngBounds or {latlng, zoom}
    const ids = [];
    const area = alert.area ? this.byId.get(alert.area) : null;
    if (area) ids.push(alert.area);
    if (area && area.type === 'area' && area.a.f.properties.kind === 'country' && alert.region &&
        alert.region !== alert.area && this.byId.get(alert.region)) ids.push(alert.region);
    for (const id of ids) {
      const e = this.byId.get(id);
      if (e.type === 'area') {
        // a whole country beside its region: a dashed outline, the region filled
        const outline = e.a.f.properties.kind === 'country' && ids.length > 1;
        const layer = L.polygon(areaLatLngs(e.a), Object.assign({}, style, outline
          ? { fill: false, weight: 2, dashArray: '8 6', opacity: 0.8 }
          : { fill: true, fillColor: '#ffe14d', fillOpacity: 0.12 })).addTo(g);
        focus = layer.getBounds();
      } else {
        const s = e.s;
        L.circle([s.lat, s.lon], Object.assign({}, style, {
          radius: Math.max(s.radius_m, 1000), fillColor: '#ffe14d', fillOpacity: 0.16,
        })).addTo(g);
        focus = { latlng: L.latLng(s.lat, s.lon), zoom: 10 };
      }
    }
    const hasPoint = alert.lat_deg != null && alert.lon_deg != null;
    if (hasPoint) {
      const ll = L.latLng(alert.lat_deg, alert.lon_deg);
      if (alert.radius_m) {
        L.circle(ll, Object.assign({}, style, { radius: alert.radius_m, dashArray: '6 4', fill: false, weight: 2 })).addTo(g);
      }
      L.circleMarker(ll, Object.assign({}, style, { radius: 7, color: '#ffffff', weight: 2, fill: false })).addTo(g);
      if (!focus || (area && area.type === 'area' && ids.length === 1 && area.a.f.properties.kind === 'country')) {
        focus = { latlng: ll, zoom: 9 };
      }
    }
    if (!ids.length && !hasPoint && sensorAt) {
      const p = sensorAt(alert.area);
      if (p) {
        L.circleMarker([p.lat, p.lon], Object.assign({}, style, { radius: 10, fill: false })).addTo(g);
        focus = { latlng: L.latLng(p.lat, p.lon), zoom: 10 };
        ids.push(alert.area);
      }
    }
    this.highlighted = ids;
    if (focus) {
      if (focus instanceof L.LatLngBounds) {
        this.map.fitBounds(focus, { maxZoom: 9, padding: [30, 30], animate: false });
      } else {
        this.map.setView(focus.latlng, Math.max(this.map.getZoom(), focus.zoom), { animate: false });
      }
    }
    return ids;
  }
}
