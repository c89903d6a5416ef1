// Drives the VidGen page in headless Chromium (Debian's /usr/bin/chromium through playwright-core; no browser
// download). Run by tests/VidGen.Tests/Web/WebPageEndToEndTests.cs against a server it started with a tiny model:
//   node page.mjs http://127.0.0.1:PORT/ OUT_DIR
// Prints one JSON line with what it saw and exits non-zero on the first failed check.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [url, outDir] = process.argv.slice(2);
if (!url || !outDir) {
  console.error('usage: node page.mjs URL OUT_DIR');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const userDataDir = mkdtempSync(join(tmpdir(), 'vidgen-e2e-')); // a fresh profile every run
const log = (msg) => console.error(`[e2e ${new Date().toISOString().slice(11, 23)}] ${msg}`);
const seen = {};
const problems = [];

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
try {
  // The page must work offline: any request that leaves 127.0.0.1 is a defect (and is refused).
  await context.route('**/*', (route) => {
    const target = new URL(route.request().url());
    if (target.hostname === '127.0.0.1') return route.continue();
    problems.push(`request to ${target.href}`);
    return route.abort();
  });
  const page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  let expect400 = false; // Chromium logs the deliberate 400 of step 5 as a console error
  page.on('console', (m) => {
    if (m.type() !== 'error' || (expect400 && m.text().includes('status of 400'))) return;
    problems.push(`console error: ${m.text()}`);
  });

  log(`open ${url}`);
  await page.goto(url);
  await page.waitForSelector('#connection.live');
  await page.waitForSelector('#sampler option[value="dpm++2m"]', { state: 'attached' });
  seen.samplers = await page.$$eval('#sampler option', (os) => os.map((o) => o.value));

  // 1. A long job shows live progress: step count, ETA and a preview image of the x0 estimate.
  log('slow job: live progress');
  await page.fill('#prompt', 'a red circle moving left');
  await page.fill('#steps', '1000');
  await page.fill('#frames', '16'); // 4x the model's frames: slow enough to still run when the test cancels it
  await page.selectOption('#extend', 'none'); // in one pass: 1000 steps (extension would run 7 segments of 1000)
  await page.click('#generate');
  await page.waitForFunction(() => /^step [1-9]\d* \/ 1000$/.test(document.querySelector('#step')?.textContent ?? ''));
  await page.waitForFunction(() => (document.querySelector('#preview')?.getAttribute('src') ?? '').startsWith('data:image/png;base64,'));
  await page.waitForFunction(() => /^~\d+ (s|min) left$/.test(document.querySelector('#eta')?.textContent ?? ''));
  seen.progressText = await page.textContent('#step');
  seen.eta = await page.textContent('#eta');
  seen.previewWidth = await page.$eval('#preview', (img) => img.naturalWidth);
  check(seen.previewWidth > 0, 'the preview image decodes');
  await page.screenshot({ path: join(outDir, 'progress.png') });

  // 2. A second prompt waits its turn, and the queue is still there after a reload.
  log('second job queued, then reload');
  await page.fill('#prompt', 'a blue square moving up');
  await page.fill('#steps', '8');
  await page.fill('#frames', '4');
  await page.click('#seed-random'); // off: a fixed seed
  await page.fill('#seed', '42');
  await page.click('#generate');
  await page.waitForSelector('#queue li');
  await page.reload();
  await page.waitForSelector('#connection.live');
  await page.waitForSelector('#queue li');
  seen.queueAfterReload = await page.$$eval('#queue li .prompt', (els) => els.map((e) => e.textContent));
  check(seen.queueAfterReload.length === 1 && seen.queueAfterReload[0] === 'a blue square moving up', `queue after reload: ${JSON.stringify(seen.queueAfterReload)}`);
  await page.waitForSelector('#running .running .prompt');
  seen.runningAfterReload = await page.textContent('#running .running .prompt');
  check(seen.runningAfterReload === 'a red circle moving left', `running after reload: ${seen.runningAfterReload}`);
  // The form remembers what was typed last.
  seen.promptAfterReload = await page.inputValue('#prompt');

  // 3. Cancel really stops the running job; the queued one then runs to a video.
  log('cancel the slow job');
  await page.waitForFunction(() => /^step \d+ \/ 1000$/.test(document.querySelector('#step')?.textContent ?? ''));
  await page.click('#cancel');
  await page.waitForSelector('#gallery .card[data-state="cancelled"]');
  seen.cancelledText = await page.textContent('#gallery .card[data-state="cancelled"] .placeholder');
  check(/cancelled at step \d+ of 1000/.test(seen.cancelledText), `cancelled card says: ${seen.cancelledText}`);

  log('wait for the video');
  const video = '#gallery .card[data-state="done"] img.video';
  await page.waitForSelector(video);
  await page.waitForFunction((sel) => { const img = document.querySelector(sel); return img && img.complete && img.naturalWidth > 0; }, video);
  seen.videoSrc = await page.getAttribute(video, 'src');
  seen.videoSize = await page.$eval(video, (img) => [img.naturalWidth, img.naturalHeight]);
  seen.cardSettings = await page.textContent('#gallery .card[data-state="done"] .settings');
  check(seen.cardSettings.includes('seed 42') && seen.cardSettings.includes('8 steps'), `card settings: ${seen.cardSettings}`);
  seen.downloads = await page.$$eval('#gallery .card[data-state="done"] .actions a', (as) => as.map((a) => a.textContent));
  check(seen.downloads.includes('GIF'), `download links: ${seen.downloads}`);
  check((await page.textContent('#queue-count')) === '', 'the queue is empty');

  // 4. "Reuse settings" fills the form with the job's settings, seed included.
  log('reuse settings');
  await page.fill('#prompt', '');
  await page.fill('#steps', '3');
  await page.click('#gallery .card[data-state="done"] button.reuse');
  seen.reused = {
    prompt: await page.inputValue('#prompt'), steps: await page.inputValue('#steps'),
    seed: await page.inputValue('#seed'), random: await page.isChecked('#seed-random'),
  };
  check(seen.reused.prompt === 'a blue square moving up' && seen.reused.steps === '8' && seen.reused.seed === '42' && !seen.reused.random,
    `reused settings: ${JSON.stringify(seen.reused)}`);

  // 5. A bad prompt is refused with the server's message, next to the form.
  log('validation message');
  await page.fill('#prompt', '   ');
  expect400 = true;
  await page.click('#generate');
  await page.waitForSelector('#form-error:not([hidden])');
  seen.formError = await page.textContent('#form-error');
  check(seen.formError.startsWith('the prompt is empty'), `form error: ${seen.formError}`);
  await page.fill('#prompt', 'a blue square moving up');

  await page.screenshot({ path: join(outDir, 'page.png'), fullPage: true });
  check(problems.length === 0, `problems: ${problems.join('; ')}`);
  console.log(JSON.stringify({ ok: true, ...seen }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: e.message, problems, ...seen }));
  try { await context.pages()[0]?.screenshot({ path: join(outDir, 'failure.png'), fullPage: true }); } catch { /* best effort */ }
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
