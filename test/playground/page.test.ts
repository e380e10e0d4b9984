// The playground page in a real browser: Debian's Chromium, headless, driven by playwright-core,
// loading the page from the playground's own server. Screenshots go to out/test/playground/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Download, Page } from 'playwright-core';
import { buildPlayground, PLAYGROUND_DIR, servePlayground } from '../../scripts/playground.js';
import { launchChromium, type Chromium } from '../helpers/chromium.js';
import { explorePattern, PATTERN_DEFAULTS } from '../../examples/playground/pattern.js';
import { maxAbsDifference, runAttention, RUN_DEFAULTS, type RunSettings } from '../../examples/playground/run-attention.js';
import { createRng } from '../../engine/index.js';
import { LSGAlbertForSequenceClassification, LsgAlbertConfig } from '../../lsg/index.js';
import { VOCAB_SIZE } from '../../cli/data/tokenizer.js';
import { PICKED_NAMES, trainWordCheckpoint, WORD_EMAIL } from '../helpers/word-checkpoint.js';

const OUTPUT = fileURLToPath(new URL('../../out/test/playground/', import.meta.url));
/** float32 kernels (wasm SIMD in both, but summed in other orders) agree to rounding. */
const PAGE_NODE_TOL = 1e-5;
/** The page's email classifier and lsgrad predict run the same float32 kernels on the same ids. */
const PAGE_PREDICT_TOL = 1e-6;
/** gpu.js's WebGL2 float32 kernels (SwiftShader in CI) against the CPU backend. */
const GPU_TOL = 1e-4;

let chromium: Chromium;
let page: Page;
let closeServer: () => void;
const problems: string[] = [];

test.before(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  await buildPlayground();
  const { server, address } = await servePlayground(0);
  closeServer = () => server.close();
  chromium = await launchChromium();
  page = await chromium.context.newPage();
  // Generous: CI shares two cores between two test files, and gpu.js runs on software GL there.
  page.setDefaultTimeout(120_000);
  // (warnings are the browser's own, e.g. SwiftShader's "GPU stall due to ReadPixels")
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console error: ${message.text()}`); });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(address);
  await page.waitForFunction(() => 'lsgradPlayground' in globalThis);
});

test.after(async () => {
  await chromium?.close();
  closeServer?.();
});

/** Sets an explorer control and waits for the picture to be redrawn. */
async function setControl(id: string, value: string | boolean): Promise<void> {
  const revision = await page.getAttribute('#explorer', 'data-revision');
  if (typeof value === 'boolean') await page.setChecked(`#${id}`, value);
  else if (await page.$eval(`#${id}`, (element) => element.tagName === 'SELECT')) await page.selectOption(`#${id}`, value);
  else await page.fill(`#${id}`, value);
  await page.waitForFunction((before) => document.getElementById('explorer')!.dataset.revision !== before, revision);
}

const text = (selector: string) => page.$eval(selector, (element) => element.textContent ?? '');

test('the page loads cross-origin isolated, without console errors, and says the WebAssembly kernel runs', async () => {
  assert.equal(problems, []);
  assert.is(await page.evaluate(() => crossOriginIsolated), true);
  const report = await page.evaluate(() => (globalThis as any).lsgradPlayground.kernelReport());
  assert.is(report.matmul, 'wasm');
  // Chromium has relaxed SIMD, so the build with fused multiply-adds is the one that loads.
  assert.is(report.fusedMultiplyAdd, true);
  assert.match(await text('#kernels'), /WebAssembly kernel \(SIMD over shared memory/);
  await page.screenshot({ path: join(OUTPUT, 'page.png'), fullPage: true });
});

test('opened from file:// (not cross-origin isolated) the page says it runs the TypeScript fallback, and why', async () => {
  const plain = await chromium.context.newPage();
  await plain.goto(pathToFileURL(join(PLAYGROUND_DIR, 'index.html')).href);
  await plain.waitForFunction(() => 'lsgradPlayground' in globalThis);
  assert.is(await plain.evaluate(() => crossOriginIsolated), false);
  assert.match(await plain.$eval('#kernels', (element) => element.textContent ?? ''), /^Matmul runs in the TypeScript fallback kernel: this page is not cross-origin isolated \(served without the COOP\/COEP headers of npm run playground, or from file:\/\/\)/);
  await plain.close();
});

test('the explorer: none vs norm changes keys per query as the library counts them; an invalid combination shows the library error', async () => {
  await setControl('p-sparsityType', 'none');
  const none = await text('#p-keysPerQuery');
  const noneSvg = await page.innerHTML('#p-picture');
  await setControl('p-sparsityType', 'norm');
  const norm = await text('#p-keysPerQuery');
  assert.is(none, explorePattern({ ...PATTERN_DEFAULTS, sparsityType: 'none' }).keysPerQuery.mean.toFixed(2));
  assert.is(norm, explorePattern({ ...PATTERN_DEFAULTS, sparsityType: 'norm' }).keysPerQuery.mean.toFixed(2));
  // norm adds sparse keys on both sides of the local window: more keys per query, and green (sparse) cells.
  assert.ok(Number(norm) > Number(none), `${norm} > ${none}`);
  // (the legend's swatch is one green rect; the cells are the others)
  const greenRects = (svg: string) => svg.match(/fill="#2ca02c"/g)?.length ?? 0;
  assert.is(greenRects(noneSvg), 1);
  assert.ok(greenRects(await page.innerHTML('#p-picture')) > 1);
  await page.screenshot({ path: join(OUTPUT, 'explorer-norm.png'), clip: { x: 0, y: 150, width: 1280, height: 700 } });
  await setControl('p-causal', true);
  await setControl('p-maskFirstToken', true);
  assert.match(await page.innerHTML('#p-picture'), /fill="#f4a6a6"/, 'masked cells are drawn');
  await page.screenshot({ path: join(OUTPUT, 'explorer-causal.png'), clip: { x: 0, y: 150, width: 1280, height: 700 } });
  await setControl('p-causal', false);
  await setControl('p-maskFirstToken', false);
  await setControl('p-sparsityFactor', '3');
  assert.is(await text('#p-error'), 'createLsgConfig: sparsityFactor 3 is invalid; expected a divisor of blockSize 16');
  assert.is(await page.innerHTML('#p-picture'), '');
  await setControl('p-sparsityFactor', '4');
  assert.is(await text('#p-error'), '');
});

test('an LSG output computed in the page equals the Node result for the same seeded inputs; gpu.js WebGL2 agrees with the CPU backend', async () => {
  const settings: RunSettings = { ...RUN_DEFAULTS, seqLen: 256, blockSize: 32, sparseBlockSize: 32, heads: 2, headDim: 16, seed: 3 };
  const inPage = await page.evaluate((s) => {
    const run = (globalThis as any).lsgradPlayground.runAttention('lsg', s);
    return { output: Array.from(run.output as Float32Array), gradient: Array.from(run.queryGradient as Float32Array) };
  }, settings);
  const inNode = runAttention('lsg', settings);
  assert.is(inPage.output.length, inNode.output.length);
  assert.ok(maxAbsDifference(inPage.output, inNode.output) < PAGE_NODE_TOL, `output max |Δ| ${maxAbsDifference(inPage.output, inNode.output)}`);
  assert.ok(maxAbsDifference(inPage.gradient, inNode.queryGradient) < PAGE_NODE_TOL);
  const gpu = await page.evaluate((s) => {
    const playground = (globalThis as any).lsgradPlayground;
    const backend = playground.webgl2Backend();
    if (!backend) return null;
    const run = playground.runAttention('lsg', s, backend.name);
    return { mode: run.mode, output: Array.from(run.output as Float32Array) };
  }, settings);
  assert.ok(gpu, 'WebGL2 (software in headless Chromium) is available to gpu.js');
  assert.is(gpu!.mode, 'webgl2');
  assert.ok(maxAbsDifference(gpu!.output, inNode.output) < GPU_TOL, `gpu.js max |Δ| ${maxAbsDifference(gpu!.output, inNode.output)}`);
  // In a page, headless-gl's hint names the browser's modes, not xvfb-run.
  const headless = await page.evaluate(() => {
    try { (globalThis as any).lsgradPlayground.createGpuJsBackend({ mode: 'headlessgl', name: 'headless' }); return ''; } catch (error) { return (error as Error).message; }
  });
  assert.match(headless, /createGpuJsBackend: mode 'headlessgl' is unavailable .*in a page use mode 'webgl2' or 'webgl'/);
  assert.not.match(headless, /xvfb/);
});

test('the run panel times LSG and dense on the CPU backend and gpu.js, and compares the outputs', async () => {
  // Two small heads keep gpu.js on software GL quick.
  await setControl('p-heads', '2');
  await setControl('p-headDim', '16');
  await page.fill('#r-seqLen', '256');
  await page.click('#r-run');
  await page.waitForFunction(() => document.getElementById('r-status')!.textContent === 'done' || document.getElementById('r-error')!.textContent !== '', undefined, { timeout: 60_000 });
  assert.is(await text('#r-error'), '');
  const rows = await page.$$eval('#r-results tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
  assert.is(rows.length, 4, rows.join(' | '));
  assert.match(rows[2]!, /gpujs-webgl2 \(mode webgl2\)/);
  assert.match(await text('#r-compare'), /LSG, gpu\.js \(webgl2\) against the CPU backend: output max \|Δ\| \d/);
  await page.screenshot({ path: join(OUTPUT, 'run.png'), fullPage: true });
});

test('a few training steps draw the curves; the LSG model downloads as config.json + model.safetensors and reloads renamed', async () => {
  await page.fill('#t-seqLen', '64');
  await page.fill('#t-blockSize', '8');
  await page.fill('#t-steps', '4');
  await page.fill('#t-evalEvery', '2');
  // Every value data-points takes as the curves are redrawn, recorded in the page.
  await page.evaluate(() => {
    const seen: string[] = [];
    (globalThis as any).pointsSeen = seen;
    new MutationObserver(() => seen.push(document.getElementById('training')!.dataset.points ?? '')).observe(document.getElementById('training')!, { attributeFilter: ['data-points'] });
  });
  await page.click('#t-train');
  await page.waitForFunction(() => /done/.test(document.getElementById('t-status')!.textContent ?? '') || document.getElementById('t-error')!.textContent !== '', undefined, { timeout: 60_000 });
  assert.is(await text('#t-error'), '');
  assert.is(await page.getAttribute('#training', 'data-points'), '12');
  assert.equal(await page.evaluate(() => (globalThis as any).pointsSeen), ['3', '6', '9', '12'], 'the curves were redrawn after every step');
  assert.is((await page.innerHTML('#t-loss')).match(/<polyline/g)?.length, 3);
  assert.is(await page.$eval('#t-progress', (bar) => (bar as HTMLProgressElement).value), 1);
  assert.match(await text('#t-status'), /step 4\/4 .* about 0 s left/);
  assert.is((await page.$$('#t-results tbody tr')).length, 3);
  await page.screenshot({ path: join(OUTPUT, 'training.png'), fullPage: true });

  const downloads: Download[] = [];
  page.on('download', (download) => downloads.push(download));
  await page.click('button[data-checkpoint="0"]');
  for (let waited = 0; downloads.length < 2 && waited < 100; waited++) await page.waitForTimeout(100);
  const names = downloads.map((download) => download.suggestedFilename()).sort();
  assert.equal(names, ['config.json', 'model.safetensors']);
  const saved: Record<string, string> = {};
  for (const download of downloads) {
    // Saved as a browser names a second download, which the page must still accept.
    const renamed = download.suggestedFilename().replace('.', ' (1).');
    saved[download.suggestedFilename()] = join(OUTPUT, renamed);
    await download.saveAs(saved[download.suggestedFilename()]!);
  }
  const config = JSON.parse(readFileSync(saved['config.json']!, 'utf8'));
  assert.is(config.architectures[0], 'LSGAlbertForSequenceClassification');
  await page.setInputFiles('#t-reload', [saved['config.json']!, saved['model.safetensors']!]);
  await page.waitForFunction(() => /reloaded|Error/.test(document.getElementById('t-reloaded')!.textContent ?? ''));
  assert.match(await text('#t-reloaded'), /^LSGAlbertForSequenceClassification \(64 tokens\) reloaded: held-out accuracy \d+\.\d% on key recall$/);

  // The email classifier refuses it (not an email model) and an empty email, then classifies with an email model.
  await page.setInputFiles('#e-files', [saved['config.json']!, saved['model.safetensors']!]);
  await page.waitForFunction(() => document.getElementById('e-verdict')!.textContent === 'checkpoint ready');
  await page.click('#e-classify');
  assert.match(await text('#e-verdict'), /classifyEmail: email is empty/);
  await page.fill('#e-text', 'From: a@b.example\nSubject: hello\n\nLunch tomorrow?');
  await page.click('#e-classify');
  assert.match(await text('#e-verdict'), /has vocab_size 22 and no tokenizer\.json was picked; expected 261, the byte vocabulary, .* A 22-token model of another task, such as the training panel's, is not an email model/);
  const emailModel = new LSGAlbertForSequenceClassification(new LsgAlbertConfig({
    vocabSize: VOCAB_SIZE, embeddingSize: 8, hiddenSize: 16, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 32, maxPositionEmbeddings: 96,
    blockSize: 16, sparseBlockSize: 16, sparsityFactor: 2, numGlobalTokens: 1,
  }), { rng: createRng(1) }).toPretrainedFiles();
  await page.setInputFiles('#e-files', [
    { name: 'config (2).json', mimeType: 'application/json', buffer: Buffer.from(emailModel['config.json']) },
    { name: 'model (2).safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(emailModel['model.safetensors']) },
  ]);
  await page.waitForFunction(() => document.getElementById('e-verdict')!.textContent === 'checkpoint ready');
  await page.click('#e-classify');
  assert.match(await text('#e-verdict'), /^(spam|ham) \(P\(spam\) = 0\.\d{3}, read \d+ bytes\)$/);
  assert.equal(problems, []);
});

test('the email classifier reads a word-level checkpoint of lsgrad train with its tokenizer.json, as lsgrad predict does; without it, it says to pick it', async () => {
  const words = await trainWordCheckpoint();
  // Picked as a browser saves a second download of each file: `tokenizer (1).json` and so on.
  const picked = (names: readonly (typeof PICKED_NAMES)[number][]) => names.map((name) => ({
    name: name.replace('.', ' (1).'), mimeType: name.endsWith('.json') ? 'application/json' : 'application/octet-stream', buffer: words.file(name),
  }));
  await page.setInputFiles('#e-files', picked(['config.json', 'model.safetensors']));
  await page.waitForFunction(() => document.getElementById('e-verdict')!.textContent === 'checkpoint ready');
  await page.fill('#e-text', WORD_EMAIL);
  await page.click('#e-classify');
  assert.match(await text('#e-verdict'), /^classifyEmail: files\['config\.json'\] has vocab_size 120 and no tokenizer\.json was picked; expected 261, the byte vocabulary, or the tokenizer\.json beside config\.json picked with it/);
  assert.is(await page.getAttribute('#e-verdict', 'data-spam-probability'), null);
  await page.setInputFiles('#e-files', picked(PICKED_NAMES));
  await page.waitForFunction(() => document.getElementById('e-verdict')!.textContent === 'checkpoint ready');
  await page.click('#e-classify');
  assert.match(await text('#e-verdict'), /^(spam|ham) \(P\(spam\) = 0\.\d{3}, read 62 tokens\)$/);
  const inPage = Number(await page.getAttribute('#e-verdict', 'data-spam-probability'));
  const predicted = await words.predictSpam(WORD_EMAIL);
  assert.ok(Math.abs(inPage - predicted) < PAGE_PREDICT_TOL, `page ${inPage}, lsgrad predict ${predicted}`);
  assert.equal(problems, []);
});

test.run();
