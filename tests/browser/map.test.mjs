// The live web map in headless Chromium, against a running `dronewall run`.
//
//   DW_URL=http://127.0.0.1:PORT/ DW_ARTIFACTS=dir node tests/browser/map.test.mjs
//
// Checks, each printed as one line ("ok   ..." or "FAIL ..."), with a screenshot per step
// in DW_ARTIFACTS (01-loaded.png, ...):
//   1. the page loads, every request stays on the loopback, no console errors;
//   2. the country borders are drawn (the home country's outline is in the canvas state);
//   3. tracks appear;
//   4. clicking a track opens its detail panel (id, class, affiliation) and draws its trail;
//   5. a border_violation alert appears, and clicking it highlights its area;
//   6. the time slider shows an earlier instant (history, fetched with ?t_us=) and Live
//      returns;
//   7. an operator action without a token shows the daemon's 401 message;
//   8. response planning: skipped (a "skip" line, not a failure) when /api/plan answers
//      404, the panel then staying hidden; otherwise the panel lists as many
//      recommendations as /api/plan gives, and Approve without a token shows the 401.
// Exits 1 on the first failure (after a screenshot named FAIL-<step>.png).
//
// The map exposes a read-only hook, window.dronewall (web/app.js), that this test reads.

import fs from 'node:fs';
import path from 'node:path';

import { launchChromium } from './chromium.mjs';

const URL_ = process.env.DW_URL;
if (!URL_) {
  console.error('map.test: set DW_URL to the map, e.g. http://127.0.0.1:8080/');
  process.exit(2);
}
const ART = process.env.DW_ARTIFACTS || path.resolve('test-artifacts/web');
fs.mkdirSync(ART, { recursive: true });

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const offHost = [];                     // requests that left the loopback
const consoleErrors = [];
let step = 'launch';

function isLoopback(u) {
  let x;
  try { x = new URL(u); } catch (_) { return true; }
  if (x.protocol === 'data:' || x.protocol === 'blob:' || x.protocol === 'about:') return true;
  return LOOPBACK.has(x.hostname);
}

// Console errors the test itself provokes: the 401 of an operator action without a token
// (checks 7 and 8), the 404 of a track that ended between a click and its detail request,
// and the 404 of /api/plan from a daemon without response planning.
function expectedError(text, url) {
  if (!/Failed to load resource/.test(text)) return false;
  if (/status of 401/.test(text) && /\/api\/(alerts|tracks)\/\d+\/(ack|identity)/.test(url || '')) return true;
  if (/status of 401/.test(text) && /\/api\/decisions(\?|$)/.test(url || '')) return true;
  if (/status of 404/.test(text) && /\/api\/plan(\?|$)/.test(url || '')) return true;
  if (/status of 404/.test(text) && /\/api\/tracks\/\d+(\?|$)/.test(url || '')) return true;
  return false;
}

const { context, close: closeBrowser } = await launchChromium('dw-map-chromium-');

let page;
async function finish(code) {
  await closeBrowser();
  process.exit(code);
}

async function shot(name) {
  try { await page.screenshot({ path: path.join(ART, name) }); } catch (_) { /* page gone */ }
}

async function fail(msg) {
  console.log(`FAIL ${step}: ${msg}`);
  await shot(`FAIL-${step.replace(/[^a-z0-9]+/gi, '-')}.png`);
  if (consoleErrors.length) console.log('     console errors:\n       ' + consoleErrors.join('\n       '));
  if (offHost.length) console.log('     requests off the loopback:\n       ' + offHost.join('\n       '));
  await finish(1);
}

function ok(msg) { console.log(`ok   ${msg}`); }

const state = () => page.evaluate(() => window.dronewall.state());

// Wait until fn(state) is true; fail with what the state was.
async function until(what, fn, timeoutMs) {
  const t0 = Date.now();
  let s;
  while (Date.now() - t0 < timeoutMs) {
    s = await state();
    if (fn(s)) return s;
    await page.waitForTimeout(250);
  }
  await fail(`${what} not within ${timeoutMs / 1000} s (state: ${JSON.stringify(s)})`);
}

function checkClean() {
  if (offHost.length) return `requests left 127.0.0.1: ${offHost.slice(0, 5).join(', ')}`;
  if (consoleErrors.length) return `console errors: ${consoleErrors.slice(0, 5).join(' | ')}`;
  return null;
}

try {
  page = context.pages()[0] || await context.newPage();
  // Nothing may leave the loopback: abort it and remember it.
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (isLoopback(u)) return route.continue();
    offHost.push(u);
    return route.abort('blockedbyclient');
  });
  page.on('request', (r) => { if (!isLoopback(r.url()) && !offHost.includes(r.url())) offHost.push(r.url()); });
  page.on('websocket', (ws) => { if (!isLoopback(ws.url())) offHost.push(ws.url()); });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const loc = m.location() || {};
    if (expectedError(m.text(), loc.url)) return;
    consoleErrors.push(`${m.text()}${loc.url ? ' (' + loc.url + ')' : ''}`);
  });
  page.on('pageerror', (e) => consoleErrors.push('uncaught: ' + (e && e.message)));

  // 1. loads, loopback only, no console errors
  step = '1-load';
  const resp = await page.goto(URL_, { waitUntil: 'load', timeout: 30000 });
  if (!resp || !resp.ok()) await fail(`GET ${URL_} answered ${resp ? resp.status() : 'nothing'}`);
  await page.waitForFunction(() => window.dronewall && window.dronewall.state, null, { timeout: 15000 })
    .catch(() => fail('window.dronewall never appeared (did app.js load?)'));
  let s = await until('the geography and the stream', (x) => x.geoReady && x.wsConnected, 30000);
  await page.waitForTimeout(500);
  const dirty = checkClean();
  if (dirty) await fail(dirty);
  await shot('01-loaded.png');
  ok(`1 loaded ${URL_}: every request on the loopback, no console errors, stream connected (${s.wsMessages} messages)`);

  // 2. borders drawn
  step = '2-borders';
  s = await state();
  if (!(s.borders > 0)) await fail(`no country drawn (borders ${s.borders})`);
  if (!(s.homeDrawnRings > 0)) await fail('the home country\'s outline is not in the canvas renderer\'s state');
  if (!(s.borderLines > 0)) await fail('no shared border line of the home country was found');
  await shot('02-borders.png');
  ok(`2 borders drawn: ${s.borders} countries, home outline ${s.homeDrawnRings} rings on the canvas, ${s.borderLines} border lines with neighbours, ${s.regions} regions, ${s.sites} sites`);

  // 3. tracks appear
  step = '3-tracks';
  s = await until('tracks', (x) => x.tracks > 0 && x.tracksDrawn > 0, 45000);
  await shot('03-tracks.png');
  ok(`3 tracks appear: ${s.tracks} in the picture, ${s.tracksDrawn} drawn, ${s.wsMessages} stream messages`);

  // 4. click a track: detail panel and trail
  step = '4-select';
  const mapBox = await page.locator('#map').boundingBox();
  const margin = 90;
  let chosen = null;
  for (let attempt = 0; attempt < 8 && !chosen; attempt++) {
    const list = await page.evaluate(() => window.dronewall.tracks());
    const inside = list.filter((t) => t.x > mapBox.x + margin && t.x < mapBox.x + mapBox.width - margin &&
      t.y > mapBox.y + margin && t.y < mapBox.y + mapBox.height - margin);
    const alone = inside.filter((t) => t.status !== 'coasting' &&
      inside.every((o) => o.id === t.id || Math.hypot(o.x - t.x, o.y - t.y) >= 30));
    if (alone.length) {
      const drones = alone.filter((t) => /drone|decoy|quadcopter/.test(t.class || ''));
      chosen = (drones[0] || alone[0]);
      break;
    }
    const c = inside[0] || list[0];
    if (!c) { await page.waitForTimeout(500); continue; }
    await page.mouse.move(c.x, c.y);             // zoom in on a cluster
    await page.mouse.wheel(0, -300);
    await page.waitForTimeout(700);
  }
  if (!chosen) await fail('no track stands alone enough to click, even zoomed in');
  const px = await page.evaluate((id) => window.dronewall.trackPixel(id), chosen.id);
  if (!px) await fail(`track ${chosen.id} is no longer drawn`);
  await page.mouse.click(px.x, px.y);
  s = await until(`track ${chosen.id} selected`, (x) => x.selected === chosen.id, 5000);
  await page.locator('#detail').waitFor({ state: 'visible', timeout: 5000 }).catch(() => fail('the detail panel did not open'));
  const tk = await page.evaluate((id) => window.dronewall.track(id), chosen.id);
  const want = [String(chosen.id), (tk.class || 'unknown').replace(/_/g, ' '), (tk.affiliation || 'pending').replace(/_/g, ' ')];
  let detailText = '';
  const t4 = Date.now();
  while (Date.now() - t4 < 5000) {
    detailText = await page.locator('#detail').innerText();
    if (want.every((w) => detailText.includes(w))) break;
    await page.waitForTimeout(200);
  }
  for (const w of want) if (!detailText.includes(w)) await fail(`the detail panel lacks "${w}": ${JSON.stringify(detailText.slice(0, 300))}`);
  s = await until(`track ${chosen.id}'s history trail drawn`, (x) => x.selectedTrail >= 2, 20000);
  await shot('04-track-selected.png');
  ok(`4 clicked track ${chosen.id} (${want[1]}, ${want[2]}): detail panel open, history trail of ${s.selectedTrail} points drawn, predicted path ${s.predicted} points`);

  // 5. a border violation appears; clicking it highlights its area
  step = '5-alert';
  const bv = page.locator('#alerts li[data-kind="border_violation"]').first();
  await bv.waitFor({ state: 'attached', timeout: 90000 }).catch(async () => {
    const kinds = await page.evaluate(() => window.dronewall.alerts().map((a) => a.kind + ':' + a.state));
    await fail(`no border_violation alert within 90 s (alerts: ${kinds.join(', ') || 'none'})`);
  });
  const alertId = Number(await bv.getAttribute('data-id'));
  const al = (await page.evaluate(() => window.dronewall.alerts())).find((a) => a.id === alertId);
  const li = page.locator(`#alerts li[data-id="${alertId}"]`);
  await li.scrollIntoViewIfNeeded();
  await li.locator('.a-text').click();
  s = await until(`alert ${alertId} highlighted`, (x) => x.selectedAlert === alertId && x.highlighted.length > 0, 5000);
  const expect = [al.area, al.region].filter(Boolean);
  if (!s.highlighted.some((h) => expect.includes(h))) await fail(`highlighted ${JSON.stringify(s.highlighted)}, expected one of ${JSON.stringify(expect)}`);
  let marked = false;
  for (let i = 0; i < 20 && !marked; i++) {
    marked = /\bsel\b/.test((await li.getAttribute('class').catch(() => '')) || '');
    if (!marked) await page.waitForTimeout(150);
  }
  if (!marked) await fail(`alert ${alertId} is not marked selected in the list`);
  await shot('05-alert-highlighted.png');
  ok(`5 border_violation alert ${alertId} (${al.state}, ${al.severity}, area ${al.area}${al.region ? ', region ' + al.region : ''}) listed; clicking it highlighted ${s.highlighted.join(' + ')}`);

  // 6. the time slider: an earlier instant, then Live
  step = '6-history';
  await until('a minute of recorded time', (x) => x.first_us != null && x.last_us - x.first_us >= 60e6, 60000);
  const slider = page.locator('#slider');
  const sb = await slider.boundingBox();
  const histResp = page.waitForResponse((r) => /\/api\/tracks\?t_us=\d+/.test(r.url()), { timeout: 10000 });
  await page.mouse.click(sb.x + sb.width * 0.3, sb.y + sb.height / 2);
  let hr;
  try { hr = await histResp; } catch (_) { await fail('moving the slider fetched no /api/tracks?t_us='); }
  const asked = Number(new URL(hr.url()).searchParams.get('t_us'));
  const body = await hr.json();
  s = await until('history mode', (x) => x.mode === 'history', 10000);
  await page.waitForTimeout(300);
  s = await state();
  const s0 = await page.evaluate(() => window.dronewall.state());
  if (!(asked < s0.last_us - 10e6)) await fail(`the slider asked for ${asked}, not an earlier instant (last ${s0.last_us})`);
  if (s.tracks !== (body.tracks || []).length) await fail(`history shows ${s.tracks} tracks, the reply for t_us=${asked} had ${(body.tracks || []).length}`);
  const badge = await page.locator('#modebadge').innerText();
  if (!/HISTORY/.test(badge)) await fail(`the mode badge reads "${badge}"`);
  const clock = await page.locator('#clock').innerText();
  const wantClock = new Date(Math.floor(s.t_us / 1000)).toISOString().slice(11, 19);
  if (!clock.includes(wantClock)) await fail(`the clock reads "${clock}", expected ${wantClock}`);
  await shot('06-history.png');
  ok(`6a slider: history at ${clock} (t_us=${asked}, ${((s0.last_us - asked) / 1e6).toFixed(0)} s before the latest), ${s.tracks} tracks as the reply gave them`);
  await page.locator('#live').click();
  s = await until('live mode again', (x) => x.mode === 'live', 5000);
  await page.waitForTimeout(500);
  s = await until('live tracks', (x) => x.tracks > 0, 10000);
  await shot('07-live-again.png');
  ok(`6b Live: back to the live picture (${s.tracks} tracks, ${new Date(Math.floor(s.t_us / 1000)).toISOString().slice(11, 19)}Z)`);

  // 7. an operator action without a token: the daemon's 401 message is shown
  step = '7-operator';
  const ackBtn = page.locator('#alerts li button.ack').first();
  let how;
  if (await ackBtn.count()) {
    how = 'Ack';
    await ackBtn.click();
  } else {
    how = 'set identity';
    if ((await state()).selected == null) await fail('no alert to ack and no track selected');
    await page.locator('#d-setaff').click();
  }
  const notice = page.locator('#notice');
  await notice.waitFor({ state: 'visible', timeout: 5000 }).catch(() => fail(`${how} without a token showed nothing`));
  const nt = await notice.innerText();
  if (!/operator token required/.test(nt)) await fail(`${how} without a token showed "${nt}"`);
  await shot('08-operator-401.png');
  ok(`7 ${how} without an operator token shows "${nt}"`);

  // 8. response planning (when the daemon has effectors)
  step = '8-plan';
  const planURL = new URL('/api/plan', URL_).href;
  const getPlan = async () => {
    const r = await fetch(planURL, { headers: { Accept: 'application/json' } });
    let j = null;
    try { j = await r.json(); } catch (_) { /* not JSON */ }
    return { status: r.status, body: j };
  };
  let plan = await getPlan();
  if (plan.status === 404) {
    await page.waitForTimeout(300);
    s = await state();
    if (s.planVisible) await fail('/api/plan answers 404 but the response panel is shown');
    console.log(`skip 8 response planning: /api/plan answers 404 (${(plan.body && plan.body.error) || 'no body'}); the panel stays hidden`);
  } else {
    if (plan.status !== 200 || !plan.body || !Array.isArray(plan.body.recommendations)) {
      await fail(`/api/plan answered ${plan.status}: ${JSON.stringify(plan.body).slice(0, 300)}`);
    }
    // the plan may change under us: compare the panel with a fresh reply until they agree
    let listed = -1, want = -1;
    const t8 = Date.now();
    while (Date.now() - t8 < 20000) {
      plan = await getPlan();
      want = plan.body && Array.isArray(plan.body.recommendations) ? plan.body.recommendations.length : -1;
      await page.waitForTimeout(400);
      listed = await page.locator('#plan > li').count();
      s = await state();
      if (want === 0 ? (!s.planVisible && s.recommendations === 0) : (listed === want && s.recommendations === want && s.planVisible)) break;
    }
    if (want === 0) {
      if (s.planVisible) await fail('the plan is empty but the response panel is shown');
      console.log('skip 8 response planning: /api/plan has no recommendation now; the panel stays hidden');
    } else {
      if (listed !== want || !s.planVisible) await fail(`the response panel lists ${listed} recommendations (visible ${s.planVisible}), /api/plan gives ${want}`);
      await shot('09-plan.png');
      ok(`8a response panel: ${listed} recommendations listed as /api/plan gives them, ${s.planDrawn} intercept points drawn`);
      const approve = page.locator('#plan > li button.decide.approve:not([disabled])').first();
      if (!(await approve.count())) {
        console.log('skip 8b every recommendation is already decided: no Approve to press');
      } else {
        await approve.click();
        const n8 = page.locator('#notice');
        let nt8 = '';
        const t8b = Date.now();
        while (Date.now() - t8b < 5000) {
          nt8 = (await n8.isVisible()) ? await n8.innerText() : '';
          if (/decision refused/.test(nt8)) break;
          await page.waitForTimeout(150);
        }
        if (!/decision refused: .*operator token required/.test(nt8)) await fail(`Approve without a token showed "${nt8}"`);
        await shot('10-plan-approve-401.png');
        ok(`8b Approve without an operator token shows "${nt8}"`);
      }
    }
  }

  step = 'end';
  const d2 = checkClean();
  if (d2) await fail(d2);
  s = await state();
  ok(`map: all checks passed; ${s.wsMessages} stream messages, no request left 127.0.0.1, no console errors (screenshots in ${ART})`);
  await finish(0);
} catch (e) {
  await fail(`unexpected: ${e && e.stack ? e.stack : e}`);
}
