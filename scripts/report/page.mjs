// Opens an HTML report in headless Chromium with the network cut off,
// takes a screenshot and prints what the page did as JSON: console
// messages, page errors, requests other than the page itself, and per
// chart panel its box and its SVG element counts.
//
//   node page.mjs --modules .tools/node/node_modules --page report.html --shot shot.png [--chromium /usr/bin/chromium]
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = { chromium: '/usr/bin/chromium' };
for (let i = 2; i < process.argv.length; i += 2) {
  args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
}
const require = createRequire(join(resolve(args.modules), 'x.js'));
const { chromium } = require('playwright-core');

const profile = mkdtempSync(join(tmpdir(), 'report-chromium-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: args.chromium,
  headless: true,
  viewport: { width: 1400, height: 2200 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const out = { console: [], errors: [], requests: [], panels: {} };
const page = browser.pages()[0] ?? await browser.newPage();
page.on('console', (m) => out.console.push({ type: m.type(), text: m.text() }));
page.on('pageerror', (e) => out.errors.push(String(e)));
const url = pathToFileURL(args.page).href;
// Everything but the page itself is refused and listed: the page must
// need nothing from anywhere.
await page.route('**/*', (route) => {
  const u = route.request().url();
  if (u === url) return route.continue();
  out.requests.push(u);
  return route.abort();
});
await page.goto(url, { waitUntil: 'load' });
out.panels = await page.evaluate(() => {
  const r = {};
  for (const p of document.querySelectorAll('.panel')) {
    const svg = p.querySelector('svg');
    const box = (svg ?? p).getBoundingClientRect();
    r[p.id] = {
      svg: p.querySelectorAll('svg').length,
      bars: p.querySelectorAll('svg rect.bar').length,
      box: { x: box.x, y: box.y + window.scrollY, width: box.width, height: box.height },
    };
  }
  return r;
});
out.title = await page.title();
await page.screenshot({ path: args.shot, fullPage: true });
await browser.close();
rmSync(profile, { recursive: true, force: true });
process.stdout.write(JSON.stringify(out));
