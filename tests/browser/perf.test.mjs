// How smooth the live map stays with ~1,000 live tracks, in headless Chromium.
//
//   DW_URL=http://127.0.0.1:PORT/ DW_ARTIFACTS=dir node tests/browser/perf.test.mjs
//
// Waits until the picture holds DW_PERF_MIN_TRACKS tracks (default 900), then measures
// for DW_PERF_SECONDS (default 10) with requestAnimationFrame: frame times (p50, p95,
// max), the time to apply one WebSocket message (parse and update the picture) and to
// draw the tracks canvas once, as the map itself timed them (window.dronewall.perf()).
// Prints the figures and fails (exit 1) when the p95 frame time is 50 ms or more, or when
// the stream delivered nothing during the measurement.

import fs from 'node:fs';
import path from 'node:path';

import { launchChromium } from './chromium.mjs';

const URL_ = process.env.DW_URL;
if (!URL_) {
  console.error('perf.test: set DW_URL to the map, e.g. http://127.0.0.1:8080/');
  process.exit(2);
}
const ART = process.env.DW_ARTIFACTS || path.resolve('test-artifacts/web');
const MIN_TRACKS = Number(process.env.DW_PERF_MIN_TRACKS || 900);
const SECONDS = Number(process.env.DW_PERF_SECONDS || 10);
const P95_LIMIT_MS = 50;
fs.mkdirSync(ART, { recursive: true });

const { context, close: closeBrowser } = await launchChromium('dw-perf-chromium-');
const page = context.pages()[0] || await context.newPage();
const errors = [];
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
page.on('pageerror', (e) => errors.push('uncaught: ' + (e && e.message)));

async function finish(code) {
  await closeBrowser();
  process.exit(code);
}
async function fail(msg) {
  console.log(`FAIL perf: ${msg}`);
  try { await page.screenshot({ path: path.join(ART, 'FAIL-perf.png') }); } catch (_) { /* gone */ }
  if (errors.length) console.log('     console errors:\n       ' + errors.slice(0, 10).join('\n       '));
  await finish(1);
}

function pct(sorted, p) {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');

try {
  const resp = await page.goto(URL_, { waitUntil: 'load', timeout: 30000 });
  if (!resp || !resp.ok()) await fail(`GET ${URL_} answered ${resp ? resp.status() : 'nothing'}`);
  await page.waitForFunction(() => window.dronewall && window.dronewall.state().geoReady, null, { timeout: 30000 })
    .catch(() => fail('the map did not load its geography within 30 s'));
  const t0 = Date.now();
  let s;
  for (;;) {
    s = await page.evaluate(() => window.dronewall.state());
    if (s.tracks >= MIN_TRACKS) break;
    if (Date.now() - t0 > 120000) await fail(`only ${s.tracks} tracks after 120 s (want ${MIN_TRACKS})`);
    await page.waitForTimeout(500);
  }
  await page.waitForTimeout(1000);      // let the first full frames settle

  const r = await page.evaluate((ms) => new Promise((resolve) => {
    const deltas = [];
    const start = performance.now();
    const m0 = window.dronewall.state().wsMessages;
    let last = start;
    function f(t) {
      deltas.push(t - last);
      last = t;
      if (t - start < ms) requestAnimationFrame(f);
      else {
        const s1 = window.dronewall.state();
        const p = window.dronewall.perf();
        const inWin = (x) => x[0] >= start;
        resolve({
          deltas: deltas.slice(1),
          elapsed: last - start,
          messages: s1.wsMessages - m0,
          tracks: s1.tracks,
          drawn: s1.tracksDrawn,
          apply: p.applySamples.filter(inWin),
          draw: p.drawSamples.filter(inWin),
        });
      }
    }
    requestAnimationFrame(f);
  }), SECONDS * 1000);

  await page.screenshot({ path: path.join(ART, 'perf.png') });
  const fr = r.deltas.slice().sort((a, b) => a - b);
  const ap = r.apply.map((x) => x[1]).sort((a, b) => a - b);
  const trackMsgs = r.apply.filter((x) => x[2] > 10000);   // the big "tracks" frames
  const tap = trackMsgs.map((x) => x[1]).sort((a, b) => a - b);
  const bytes = trackMsgs.length ? trackMsgs.reduce((a, x) => a + x[2], 0) / trackMsgs.length : 0;
  const dr = r.draw.map((x) => x[1]).sort((a, b) => a - b);
  const secs = r.elapsed / 1000;
  console.log(`perf: ${r.tracks} tracks (${r.drawn} in view), ${secs.toFixed(1)} s measured`);
  console.log(`perf: frames ${fr.length} (${(fr.length / secs).toFixed(1)}/s): p50 ${f1(pct(fr, 50))} ms, p95 ${f1(pct(fr, 95))} ms, max ${f1(fr[fr.length - 1])} ms`);
  console.log(`perf: stream ${r.messages} messages (${(r.messages / secs).toFixed(1)}/s); applying one: p50 ${f2(pct(ap, 50))} ms, p95 ${f2(pct(ap, 95))} ms, max ${f2(ap[ap.length - 1])} ms`);
  if (tap.length) {
    console.log(`perf: track frames ${tap.length}, ${(bytes / 1024).toFixed(0)} KiB each on average; applying one: p50 ${f2(pct(tap, 50))} ms, p95 ${f2(pct(tap, 95))} ms, max ${f2(tap[tap.length - 1])} ms`);
  }
  console.log(`perf: tracks canvas redrawn ${dr.length} times: p50 ${f2(pct(dr, 50))} ms, p95 ${f2(pct(dr, 95))} ms, max ${f2(dr[dr.length - 1])} ms`);
  if (errors.length) await fail(`console errors: ${errors.slice(0, 5).join(' | ')}`);
  if (r.messages === 0) await fail('the stream delivered nothing during the measurement');
  const p95 = pct(fr, 95);
  if (!(p95 < P95_LIMIT_MS)) await fail(`p95 frame time ${f1(p95)} ms is not under ${P95_LIMIT_MS} ms`);
  console.log(`ok   perf: p95 frame time ${f1(p95)} ms < ${P95_LIMIT_MS} ms with ${r.tracks} live tracks`);
  await finish(0);
} catch (e) {
  await fail(`unexpected: ${e && e.stack ? e.stack : e}`);
}
