// chromium.mjs — Debian's Chromium, headless, started as the browser tests need it
// (docs: ../shared/docs/dependencies.md §9): a fresh profile directory, no sandbox (tests
// run as root), and none of Chromium's own network traffic (this machine's network is
// closed: its background requests would only fail, many at a time).
//
//   const { context, close } = await launchChromium('dw-map-');
//   ... context.pages()[0] ...
//   await close();              // closes the browser and removes the profile
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(new URL('../../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');

export async function launchChromium(prefix) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.DW_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  async function close() {
    try { await context.close(); } catch (_) { /* already gone */ }
    fs.rmSync(profile, { recursive: true, force: true });
  }
  return { context, close };
}
