// A federated node's web map in headless Chromium: partners' tracks and notices shown with
// their origin. Run by tests/integration/fed_cluster.sh against Poland's node while the
// scenario plays:
//
//   DW_URL=http://127.0.0.1:PORT/ DW_ARTIFACTS=dir node tests/browser/fed.test.mjs
//
// Checks, each printed as one line ("ok   ..." or "FAIL ..."), screenshots in DW_ARTIFACTS:
//   1. a neighbour's notice to us is in the alert list, marked "notice from <node>";
//   2. a track holding a partner's reports (sensor "fed:<node>") is on the map; clicked,
//      its detail panel says which partners' tracks it holds ("from partners").
// Nothing may leave the loopback and the console stays clean, as in map.test.mjs.

import fs from 'node:fs';
import path from 'node:path';

import { launchChromium } from './chromium.mjs';

const URL_ = process.env.DW_URL;
if (!URL_) {
  console.error('fed.test: set DW_URL to the map, e.g. http://127.0.0.1:8080/');
  process.exit(2);
}
const ART = process.env.DW_ARTIFACTS || path.resolve('test-artifacts/web-fed');
fs.mkdirSync(ART, { recursive: true });
const errors = [];
const offHost = [];
let step = 'launch';
let page;

const { context, close } = await launchChromium('dw-fed-chromium-');

async function shot(name) {
  try { await page.screenshot({ path: path.join(ART, name) }); } catch (_) { /* gone */ }
}
async function fail(msg) {
  console.log(`FAIL ${step}: ${msg}`);
  await shot(`FAIL-${step}.png`);
  if (errors.length) console.log('     console errors:\n       ' + errors.join('\n       '));
  await close();
  process.exit(1);
}
function ok(msg) { console.log(`ok   ${msg}`); }

try {
  page = context.pages()[0] || await context.newPage();
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (['127.0.0.1', 'localhost'].includes(u.hostname) || u.protocol === 'data:') return route.continue();
    offHost.push(u.href);
    return route.abort('blockedbyclient');
  });
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 404/.test(m.text())) errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push('uncaught: ' + (e && e.message)));
  step = 'load';
  const resp = await page.goto(URL_, { waitUntil: 'load', timeout: 30000 });
  if (!resp || !resp.ok()) await fail(`GET ${URL_} answered ${resp ? resp.status() : 'nothing'}`);
  await page.waitForFunction(() => window.dronewall && window.dronewall.state().wsConnected, null,
    { timeout: 20000 }).catch(() => fail('the map never connected its stream'));

  // 1. a neighbour's notice, with its origin
  step = '1-notice';
  const notice = page.locator('#alerts li[data-kind="neighbour_notice"] .a-origin', { hasText: 'notice from' }).first();
  await notice.waitFor({ state: 'attached', timeout: 60000 }).catch(async () => {
    const a = await page.evaluate(() => window.dronewall.alerts().map((x) => `${x.kind}:${x.origin || ''}`));
    await fail(`no partner's neighbour notice listed within 60 s (alerts: ${a.join(', ')})`);
  });
  const noticeText = await notice.innerText();
  const li = notice.locator('xpath=ancestor::li');
  const foot = await li.locator('.a-foot').innerText();
  await shot('fed-01-notice.png');
  ok(`1 a neighbour's notice is listed as "${noticeText}" (${foot.split('·')[0].trim()})`);

  // 2. a partner's track: on the map, and its detail says whose it is
  step = '2-partner-track';
  let chosen = null;
  const t0 = Date.now();
  while (Date.now() - t0 < 60000 && !chosen) {
    const list = await page.evaluate(() => window.dronewall.tracks());
    for (const t of list) {
      const d = await page.evaluate((id) => window.dronewall.track(id), t.id);
      if (d && (d.sensors || []).some((s) => s.startsWith('fed:')) &&
          list.every((o) => o.id === t.id || Math.hypot(o.x - t.x, o.y - t.y) >= 30)) {
        chosen = { id: t.id, partners: d.sensors.filter((s) => s.startsWith('fed:')).map((s) => s.slice(4)) };
        break;
      }
    }
    if (!chosen) await page.waitForTimeout(500);
  }
  if (!chosen) await fail('no track with a partner\'s reports on the map within 60 s');
  const px = await page.evaluate((id) => window.dronewall.trackPixel(id), chosen.id);
  if (!px) await fail(`track ${chosen.id} is not drawn`);
  await page.mouse.click(px.x, px.y);
  let text = '';
  const t1 = Date.now();
  while (Date.now() - t1 < 8000) {
    text = await page.locator('#detail').innerText().catch(() => '');
    if (/from partners/.test(text) && chosen.partners.every((p) => text.includes(p))) break;
    await page.waitForTimeout(200);
  }
  if (!/from partners/.test(text)) await fail(`track ${chosen.id}'s detail does not say which partners' tracks it holds: ${JSON.stringify(text.slice(0, 400))}`);
  await shot('fed-02-partner-track.png');
  ok(`2 track ${chosen.id} holds ${chosen.partners.join(', ')}'s track: its detail says "from partners ${chosen.partners.join(', ')}"`);
  if (offHost.length) await fail(`requests left the loopback: ${offHost.slice(0, 3).join(', ')}`);
  if (errors.length) await fail(`console errors: ${errors.slice(0, 3).join(' | ')}`);
  await close();
  process.exit(0);
} catch (e) {
  await fail(`unexpected: ${e && e.stack ? e.stack : e}`);
}
