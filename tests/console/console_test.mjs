// The web console of `ordo serve` in a real browser (ctest console_test, label console):
// Debian's chromium driven headless by puppeteer-core, against a real `ordo serve` on
// loopback whose own drivers run a 3-deployment apply on real MariaDB schemas.
//
// It checks: the login gate (nothing but the login without a token; a wrong token is
// refused); the lanes in deployment order with the states the API reports; progress
// shown without a reload; the stop button, after its confirmation, records a stop that
// `ordo status ID --json` shows; Escape leaves a dialog without a request; a control the
// store refuses shows the refusal; start is disabled while another apply holds a
// deployment; it prints how long the page of a 50-deployment apply takes to draw and
// counts its requests while idle; and a rollout runs to completion on the page (swaps
// in order, revert windows). The applies end cancelled or completed, and nothing of
// ordo may stay on the targets.
//
// Environment: ORDO_BINARY (the ordo binary), ORDO_SOURCE_DIR (the checkout),
// ORDO_TEST_MYSQL_PORT/_USER/_PASSWORD (a server to use; else a private one is started
// with scripts/mariadb-tmp), CHROMIUM (default /usr/bin/chromium),
// ORDO_CONSOLE_SCREENSHOTS (a folder for console-login.png, console-apply.png and console-rollout.png).
// Without chromium, puppeteer-core or a server it is skipped (exit 77), or fails with
// ORDO_REQUIRE_SERVERS=1.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const TOKEN = 'console-test-token';
const ROWS = 20000;
const FLEET = 50;
const source = process.env.ORDO_SOURCE_DIR || path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const binary = process.env.ORDO_BINARY;
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const required = process.env.ORDO_REQUIRE_SERVERS === '1';
const started = Date.now();
let checks = 0;

function skip(why) {
  if (required) {
    console.error(`console_test: FAILED: ${why} (ORDO_REQUIRE_SERVERS=1)`);
    process.exit(1);
  }
  console.log(`console_test: skipped: ${why}`);
  process.exit(77);
}
function check(ok, what, detail) {
  if (!ok) throw new Error(`${what}${detail === undefined ? '' : ': ' + (typeof detail === 'string' ? detail : JSON.stringify(detail))}`);
  checks += 1;
  console.log(`  ok ${checks} - ${what}`);
}
const sleep = (msecs) => new Promise((r) => setTimeout(r, msecs));
async function until(what, fn, timeoutMs = 60000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

// ---- prerequisites --------------------------------------------------------------------

if (!binary || !existsSync(binary)) skip(`no ordo binary at ${binary}`);
if (!existsSync(chromium)) skip(`no chromium at ${chromium} (run scripts/setup)`);
let puppeteer;
try {
  puppeteer = (await import('puppeteer-core')).default;
} catch (e) {
  skip(`puppeteer-core is not installed in tests/console (run scripts/setup): ${e.message}`);
}

const work = mkdtempSync(path.join(tmpdir(), 'ordo-console-'));
const db = { host: '127.0.0.1', port: process.env.ORDO_TEST_MYSQL_PORT, user: process.env.ORDO_TEST_MYSQL_USER || 'ordo',
  password: process.env.ORDO_TEST_MYSQL_PASSWORD || 'ordo' };
let privateServer = null;
if (!db.port) {
  try {
    privateServer = path.join(work, 'mariadb');
    db.port = execFileSync(path.join(source, 'scripts/mariadb-tmp'), ['start', privateServer], { encoding: 'utf8' }).trim();
  } catch (e) {
    privateServer = null;
    rmSync(work, { recursive: true, force: true });
    skip(`no MariaDB server (set ORDO_TEST_MYSQL_PORT or run scripts/setup): ${e.message}`);
  }
}

function sql(statements) {
  try {
    return execFileSync('mariadb', ['--no-defaults', '-h', db.host, '-P', String(db.port), '-u', db.user,
      `-p${db.password}`, '-N', '-B', '-e', statements], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`SQL failed: ${String(e.stderr).trim().slice(-500)}`);
  }
}
const prefix = `con${process.pid}`;
const shopSchemas = { 'eu-1': `${prefix}_eu1`, 'eu-2': `${prefix}_eu2`, 'us-1': `${prefix}_us1` };
const fleetSchemas = Array.from({ length: FLEET }, (_, i) => [`f-${String(i).padStart(2, '0')}`, `${prefix}_f${String(i).padStart(2, '0')}`]);
const allSchemas = [...Object.values(shopSchemas), ...fleetSchemas.map(([, s]) => s)];
const dsn = (schema) => `mysql://${db.user}:${db.password}@${db.host}:${db.port}/${schema}`;

function ordoLeftovers() {
  const list = allSchemas.map((s) => `'${s}'`).join(',');
  return sql(`SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (${list}) ` +
    `AND TABLE_NAME LIKE '%\\_ordo\\_%'`).trim();  // no backups either: keep_old_table is off
}

// ---- ordo serve -------------------------------------------------------------------------

let serve = null;
let serveErr = '';
let browser = null;
const ordo = (...args) => execFileSync(binary, args, { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const status = (id) => JSON.parse(ordo('status', id, '--json'));
const settledStates = ['completed', 'failed', 'cancelled', 'reverted'];
const finished = (doc) => settledStates.includes(doc.state) && doc.operations.every((op) => op.phase !== 'dropping_old_table');

async function startServe() {
  serve = spawn(binary, ['serve', '--listen', '127.0.0.1:0'], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  serve.stderr.on('data', (d) => { serveErr += d; });
  let out = '';
  serve.stdout.on('data', (d) => { out += d; });
  const m = await until('ordo serve to listen', () => out.match(/listening on (http:\/\/[0-9.:]+)/) ||
    (serve.exitCode !== null && Promise.reject(new Error('ordo serve exited: ' + serveErr))), 30000, 50);
  return m[1];
}

async function http(base, method, route, body) {
  const res = await fetch(base + route, { method, headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json().catch(() => null) };
}

async function main() {
  let tables = '';
  for (const schema of allSchemas) tables += `DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema}; ` +
    `CREATE TABLE ${schema}.orders (id INT PRIMARY KEY AUTO_INCREMENT, note VARCHAR(60) NOT NULL); `;
  for (const schema of Object.values(shopSchemas)) tables +=
    `INSERT INTO ${schema}.orders (note) SELECT CONCAT('order number ', seq) FROM ${schema}.seq_1_to_${ROWS}; ` +
    `CREATE TABLE ${schema}.notes (id INT PRIMARY KEY); `;
  for (const [, schema] of fleetSchemas) tables += `INSERT INTO ${schema}.orders (note) VALUES ('a'), ('b'); `;
  sql(tables);
  const lines = ['store: sqlite:ordo.db', 'worker:', '  poll_interval: 200ms', '  drivers: 2', 'api:', `  token: ${TOKEN}`, 'databases:',
    '  shop:', '    environments:', '      prod:', '        cutover_policy: barrier', '        revert_window: 4s', '        deployments:'];
  for (const [name, schema] of Object.entries(shopSchemas)) lines.push(`          - name: ${name}`, `            dsn: ${dsn(schema)}`);
  lines.push('  fleet:', '    environments:', '      prod:', '        cutover_policy: rolling', '        deployments:');
  for (const [name, schema] of fleetSchemas) lines.push(`          - name: ${name}`, `            dsn: ${dsn(schema)}`);
  writeFileSync(path.join(work, 'ordo.yaml'), lines.join('\n') + '\n');
  const base = await startServe();
  console.log(`console_test: ordo serve at ${base}, MariaDB on port ${db.port}`);

  browser = await puppeteer.launch({ executablePath: chromium, headless: true,
    args: [...(process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : []), '--disable-gpu', '--disable-dev-shm-usage'] });
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  const shots = process.env.ORDO_CONSOLE_SCREENSHOTS;
  if (shots) mkdirSync(shots, { recursive: true });
  const shoot = async (name) => shots && page.screenshot({ path: path.join(shots, name), fullPage: true });
  const text = (selector) => page.$eval(selector, (el) => el.textContent).catch(() => null);

  // The login gate: without a token only the login shows, whatever the address.
  await page.goto(`${base}/#/applies/ap_anything`);
  await page.waitForSelector('#token');
  check(await page.$('.lanes') === null && await page.$('table.applies') === null && await page.$('ul.controls') === null,
    'without a token the page shows nothing but the login');
  await shoot('console-login.png');
  await page.type('#token', 'not-the-token');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#login-note').textContent.includes('refused'));
  check(await page.$('#token') !== null && await page.evaluate(() => sessionStorage.getItem('ordo.token')) === null,
    'a wrong token is refused and not kept', await text('#login-note'));
  await page.$eval('#token', (el) => { el.value = ''; });
  await page.type('#token', TOKEN);
  await page.keyboard.press('Enter');
  await page.waitForSelector('.apply-head, table.applies');
  check(await page.$('#token') === null, 'the right token opens the page asked for');

  // A 3-deployment apply whose deployments copy and park (deferred cutover).
  const created = await http(base, 'POST', '/v1/applies', { database: 'shop', environment: 'prod', defer_cutover: true,
    ddl: ['ALTER TABLE orders ADD COLUMN extra INT NOT NULL DEFAULT 7, ADD INDEX idx_note (note)'] });
  check(created.status === 201, 'POST /v1/applies creates the apply', created.json);
  const id = created.json.id;
  await page.evaluate((apply) => { window.__sameDocument = true; location.hash = '#/applies/' + apply; }, id);
  await page.waitForFunction(() => document.querySelectorAll('.lane').length === 3);
  const order = await page.$$eval('.lane', (els) => els.map((e) => e.dataset.deployment));
  check(JSON.stringify(order) === JSON.stringify(['eu-1', 'eu-2', 'us-1']), 'one lane per deployment, in deployment order', order);

  // Progress moves without a reload: the lanes change while the document stays the same.
  const lanes = () => page.$$eval('.lane', (els) => els.map((e) => e.dataset.state + ':' +
    [...e.querySelectorAll('.seg')].map((s) => s.dataset.kind + '/' + s.textContent).join(',')).join(' | '));
  const seen = new Set([await lanes()]);
  await until('every deployment parked', async () => {
    seen.add(await lanes());
    return page.evaluate(() => [...document.querySelectorAll('.lane')].every((l) => l.dataset.state === 'waiting_for_cutover'));
  }, 60000, 50);
  const documentKept = await page.evaluate(() => window.__sameDocument === true && performance.getEntriesByType('navigation').length === 1);
  check(seen.size >= 2 && documentKept, `the lanes changed ${seen.size - 1} times without a reload`);
  const apiStates = (await http(base, 'GET', `/v1/applies/${id}`)).json.operations.map((op) => op.state);
  const domStates = await page.$$eval('.lane .lane-name .state', (els) => els.map((e) => e.textContent));
  check(apiStates.every((s) => s === 'waiting_for_cutover') && domStates.every((s) => s === 'waiting for cutover'),
    'the lanes show the states the API reports, as words', { apiStates, domStates });
  check((await page.$$('.lane .seg.kind-parked')).length === 3, 'each lane has its parked segment');
  await page.waitForFunction(() => !document.querySelector('button[data-verb="stop"]').disabled);
  check(/revert window/.test(await text('#why-revert')), 'revert is disabled with the store\'s reason', await text('#why-revert'));
  await shoot('console-apply.png');

  // Escape leaves a dialog without a request.
  await page.focus('button[data-verb="cancel"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('dialog[open]');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('dialog').open);
  check((await text('#answer')) === '' && status(id).state !== 'cancelled', 'Escape closes the dialog and sends nothing');

  // Stop: the button, its confirmation (Enter), the store's answer, then `ordo status`.
  await page.click('button[data-verb="stop"]');
  await page.waitForSelector('dialog[open]');
  check(/Stop apply/.test(await text('#confirm-title')), 'stop asks for confirmation first', await text('#confirm-title'));
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#answer').dataset.outcome === 'accepted');
  check((await text('#answer')) === 'Stop — accepted', 'the stop\'s answer is shown', await text('#answer'));
  const stopped = await until('ordo status to show the apply stopped', () => { const d = status(id); return d.state === 'stopped' && d; }, 60000, 200);
  check(stopped.operations.every((op) => op.state === 'stopped'), '`ordo status --json` shows the stop', stopped.operations.map((o) => o.state));
  await page.waitForFunction(() => [...document.querySelectorAll('.lane')].every((l) => l.dataset.state === 'stopped'));
  check(/nothing to stop/.test(await text('#why-stop')), 'stop is disabled once nothing is active', await text('#why-stop'));

  // Start is disabled while another apply holds one of the deployments, and says which
  // (the other apply changes another table: the stopped one keeps its copies of orders).
  await page.waitForFunction(() => !document.querySelector('button[data-verb="start"]').disabled);
  const rival = await http(base, 'POST', '/v1/applies', { database: 'shop', environment: 'prod', defer_cutover: true,
    ddl: ['ALTER TABLE notes ADD COLUMN other INT'] });
  check(rival.status === 201, 'another apply takes the deployments of the stopped one', rival.json);
  await page.waitForFunction(() => document.querySelector('button[data-verb="start"]').disabled);
  check((await text('#why-start')).includes(`held by apply ${rival.json.id}`), 'start is disabled naming the apply that holds a deployment',
    await text('#why-start'));
  await http(base, 'POST', `/v1/applies/${rival.json.id}/cancel`);
  const rivalEnd = await until('the other apply to settle', () => { const d = status(rival.json.id); return finished(d) && d; }, 60000, 200);
  check(rivalEnd.state === 'cancelled', 'the other apply ended cancelled', rivalEnd.state);

  // A refused control: start is offered on the stopped apply, but the apply is cancelled
  // while its confirmation is open; the store's refusal is what the page shows.
  await page.waitForFunction(() => !document.querySelector('button[data-verb="start"]').disabled);
  await page.click('button[data-verb="start"]');
  await page.waitForSelector('dialog[open]');
  const cancelled = await http(base, 'POST', `/v1/applies/${id}/cancel`);
  check(cancelled.status === 202, 'the apply is cancelled behind the open dialog', cancelled.json);
  const ended = await until('the cancelled apply to settle', () => { const d = status(id); return finished(d) && d; }, 60000, 200);
  check(ended.state === 'cancelled', 'the rollout ended cancelled', ended.state);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#answer').dataset.outcome === 'refused');
  check((await text('#answer')) === `Start — refused: apply ${id} is cancelled`, 'a refused control shows the refusal', await text('#answer'));

  // The page of a 50-deployment apply: from loading the address to 50 lanes drawn.
  const fleet = await http(base, 'POST', '/v1/applies', { database: 'fleet', environment: 'prod', defer_cutover: true,
    ddl: ['ALTER TABLE orders ADD COLUMN extra INT NOT NULL DEFAULT 7'] });
  check(fleet.status === 201, 'a 50-deployment apply is created', fleet.json);
  // Opened from the list (the console's own navigation): from the click to 50 lanes
  // drawn, as the page measures it (it asks for the stream, gets the first document,
  // draws); then fresh loads of the address, from the navigation's start.
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const drawn = (n) => page.waitForFunction((lanes) => document.querySelectorAll('.lane').length === lanes &&
    window.ordoConsole.firstDrawnAt != null, { polling: 'mutation' }, n);
  await page.evaluate(() => { location.hash = '#/'; });
  const listed = await page.waitForFunction((apply) => {
    const row = document.querySelector(`table.applies tr[data-apply="${apply}"]`);
    return row && row.textContent;
  }, { polling: 'mutation' }, fleet.json.id).then((h) => h.jsonValue());
  check(listed.includes('api (127.0.0.1)'), 'the list says who created the apply', listed);
  const opened = [];
  const drawing = [];
  for (let i = 0; i < 5; i += 1) {
    await page.evaluate(() => { location.hash = '#/'; });
    await page.waitForSelector('table.applies tbody tr');
    await page.evaluate((apply) => { location.hash = '#/applies/' + apply; }, fleet.json.id);
    await drawn(FLEET);
    const m = await page.evaluate(() => ({ ...window.ordoConsole }));
    opened.push(m.firstDrawnAt - m.viewStartedAt);
    drawing.push(m.firstRenderMs);
  }
  const loads = [];
  for (let i = 0; i < 3; i += 1) {
    await page.goto('about:blank');
    await page.goto(`${base}/#/applies/${fleet.json.id}`);
    await drawn(FLEET);
    loads.push(await page.evaluate(() => window.ordoConsole.firstDrawnAt));
  }
  const ms1 = (xs) => xs.map((x) => x.toFixed(0)).join(', ');
  check(opened.length === 5, `the 50-deployment apply page is drawn ${median(opened).toFixed(0)} ms after it is opened ` +
    `(median of ${ms1(opened)} ms; drawing alone ${median(drawing).toFixed(1)} ms); a fresh load of its address ` +
    `${median(loads).toFixed(0)} ms (${ms1(loads)} ms)`);
  console.log(`[ figure ] console: 50-deployment apply page drawn ${median(opened).toFixed(0)} ms after it is opened ` +
    `(median of 5; drawing ${median(drawing).toFixed(1)} ms), ${median(loads).toFixed(0)} ms from a fresh load (median of 3)`);
  // While idle the open page holds its one stream: at most one request a second.
  let requests = 0;
  const counted = () => { requests += 1; };
  page.on('request', counted);
  await sleep(3000);
  page.off('request', counted);
  check(requests <= 3, `the open apply page made ${requests} requests in 3 s while idle (at most one a second)`);
  const fleetOrder = await page.$$eval('.lane', (els) => els.map((e) => e.dataset.deployment));
  check(fleetOrder.join() === fleetSchemas.map(([n]) => n).join(), 'the 50 lanes are in deployment order');
  await http(base, 'POST', `/v1/applies/${fleet.json.id}/cancel`);
  const fleetEnd = await until('the 50-deployment apply to settle', () => { const d = status(fleet.json.id); return finished(d) && d; }, 60000, 200);
  check(fleetEnd.state === 'cancelled', 'the 50-deployment rollout ended cancelled', fleetEnd.state);

  // Nothing of ordo stays on the targets; the tables are as they were.
  check(ordoLeftovers() === '', 'no table of ordo is left on the targets', ordoLeftovers());
  const columns = sql(`SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA LIKE '${prefix}\\_%' AND COLUMN_NAME = 'extra'`).trim();
  check(columns === '0', 'the cancelled applies changed no table', columns);

  // A rollout to its end: the swaps one at a time in deployment order, each followed by
  // its revert window; the page is photographed while the second one is in its window.
  const rollout = await http(base, 'POST', '/v1/applies', { database: 'shop', environment: 'prod',
    ddl: ['ALTER TABLE orders ADD COLUMN extra INT NOT NULL DEFAULT 7, ADD INDEX idx_note (note)'] });
  check(rollout.status === 201, 'a rollout of the shop is created', rollout.json);
  await page.evaluate((apply) => { location.hash = '#/applies/' + apply; }, rollout.json.id);
  await page.waitForFunction(() => document.querySelector('.lane[data-deployment="eu-2"]')?.dataset.state === 'revert_window',
    { timeout: 120000, polling: 'mutation' });
  const laneKinds = (d) => page.$$eval(`.lane[data-deployment="${d}"] .seg`, (els) => els.map((e) => e.dataset.kind));
  const first = await laneKinds('eu-1');
  check(['cutover', 'revert_window', 'completed'].every((k) => first.includes(k)) &&
    await page.$eval('.lane[data-deployment="eu-1"]', (e) => e.dataset.state) === 'completed',
  'the first deployment\'s lane shows its swap, its revert window and its completion', first);
  check(await page.$eval('.lane[data-deployment="us-1"]', (e) => e.dataset.state) === 'waiting_for_cutover',
    'the last deployment waits for its turn while the second is in its window');
  await sleep(1500);
  await shoot('console-rollout.png');
  const done = await until('the rollout to complete', () => { const d = status(rollout.json.id); return finished(d) && d; }, 120000, 200);
  check(done.state === 'completed' && done.operations.every((op) => op.state === 'completed'), 'the rollout ended completed',
    done.operations.map((o) => o.state));
  const swapped = sql(`SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN ` +
    `(${Object.values(shopSchemas).map((x) => `'${x}'`).join(',')}) AND TABLE_NAME = 'orders' AND COLUMN_NAME = 'extra'`).trim();
  check(swapped === '3', 'every deployment\'s table has the new column', swapped);
  check(ordoLeftovers() === '', 'no table of ordo is left on the targets after the rollout', ordoLeftovers());

  serve.kill('SIGTERM');
  const code = await new Promise((resolve) => (serve.exitCode !== null ? resolve(serve.exitCode) : serve.on('exit', resolve)));
  check(code === 0, 'ordo serve stops cleanly on SIGTERM', serveErr.slice(-2000));
  serve = null;
}

let failed = null;
try {
  await main();
} catch (e) {
  failed = e;
} finally {
  if (browser) await browser.close().catch(() => {});
  if (serve && serve.exitCode === null) serve.kill('SIGKILL');
  try { sql(allSchemas.map((s) => `DROP DATABASE IF EXISTS ${s};`).join(' ')); } catch (_) { /* reported below if it matters */ }
  if (privateServer) {
    try { execFileSync(path.join(source, 'scripts/mariadb-tmp'), ['stop', privateServer]); } catch (_) { /* gone */ }
  }
  rmSync(work, { recursive: true, force: true });
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (failed) {
  console.error(`console_test: FAILED after ${checks} checks (${seconds} s): ${failed.stack || failed}`);
  if (serveErr) console.error('ordo serve said:\n' + serveErr.slice(-4000));
  process.exit(1);
}
console.log(`console_test: ${checks} passed, 0 failed (${seconds} s)`);
