#!/usr/bin/env node
/*
 * End-to-end test of the real portal: builds the app, starts the real backend
 * (catalog, auth, MLOps…) on a throwaway SQLite folder and a port of its own,
 * and drives it in headless Chromium (Debian's /usr/bin/chromium through
 * playwright-core; no browser is downloaded). Screenshots go to
 * test-artifacts/e2e/ (git-ignored).
 *
 * More steps without editing this file: after its own checks, run.js loads
 * every `e2e/steps/*.js` in file-name order and runs it as one more check
 * (named by the module's `name`, else its file name). The contract, also in
 * e2e/steps/README.md:
 *
 *   module.exports = {
 *     name: 'search finds a triage entry',   // optional
 *     async run({ page, browser, baseUrl, token, screenshot, log, check, waitFor, artifactsDir }) { ... },
 *   };
 *
 * - page: the shared Playwright page, signed in as the guest (user:default/guest,
 *   member of support-ml), viewport 1440x1000 unless an earlier step changed it;
 *   leave it on any URL, but restore the viewport and colour scheme you change.
 * - browser: the Playwright browser, for a page or context of your own (close it).
 * - baseUrl: the portal, app and backend on one origin (e.g. http://localhost:7107).
 * - token: a fresh guest Backstage token for `Authorization: Bearer` API calls.
 * - screenshot(name, { fullPage = true } = {}): saves test-artifacts/e2e/<name>.png.
 * - log(message): prints a line prefixed with [e2e].
 * - check(name, fn): records a named sub-check (a failure is recorded with a
 *   screenshot and does not stop the step); a throw out of run() fails the step.
 * - waitFor(what, probe, timeoutMs): polls probe() once a second until truthy.
 * Set MLOPS_E2E_STEPS=<substring> to run only the step files whose name has it
 * (and MLOPS_E2E_STEPS=none to run none).
 */
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');
const { findBrokenWords, findClippedText, findWrappedStatuses, useTheme, waitForLoaded } = require('./lib/layout');

const ROOT = path.resolve(__dirname, '..');
const PORT = Number(process.env.MLOPS_E2E_PORT ?? 7107);
const BASE = `http://localhost:${PORT}`;
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'e2e');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const results = [];

function log(message) {
  console.log(`[e2e] ${message}`);
}

async function waitFor(what, probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(`Timed out waiting for ${what}${lastError ? `: ${lastError}` : ''}`);
}

async function guestToken() {
  const response = await fetch(`${BASE}/api/auth/guest/refresh?env=development`, {
    method: 'POST',
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  if (!response.ok) throw new Error(`guest refresh answered ${response.status}`);
  return (await response.json()).backstageIdentity.token;
}

function buildApp() {
  log('building the app');
  const result = spawnSync('npx', ['backstage-cli', 'package', 'build'], {
    cwd: path.join(ROOT, 'packages', 'app'),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, APP_CONFIG_app_baseUrl: BASE },
  });
  fs.writeFileSync(path.join(ARTIFACTS, 'app-build.log'), `${result.stdout}\n${result.stderr}`);
  if (result.status !== 0) {
    console.error(result.stdout, result.stderr);
    throw new Error('app build failed');
  }
}

function startBackend(dataDir) {
  log(`starting the backend on ${BASE} with data in ${dataDir}`);
  // The backend's own source through the CLI's TypeScript transform, as
  // `backstage-cli package start` runs it but without its file watcher: a
  // change to any file of the checkout during the run would restart the
  // backend under the test and lose its data.
  const transform = require.resolve('@backstage/cli-node/config/nodeTransform.cjs', {
    paths: [path.join(ROOT, 'packages', 'backend')],
  });
  const child = spawn(process.execPath, ['--enable-source-maps', '--require', transform, 'src/index.ts'], {
    cwd: path.join(ROOT, 'packages', 'backend'),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'development',
      APP_CONFIG_app_baseUrl: BASE,
      APP_CONFIG_backend_baseUrl: BASE,
      APP_CONFIG_backend_listen_port: String(PORT),
      APP_CONFIG_backend_cors_origin: BASE,
      APP_CONFIG_backend_database_connection_directory: dataDir,
    },
  });
  const logFile = fs.createWriteStream(path.join(ARTIFACTS, 'backend.log'));
  child.stdout.pipe(logFile);
  child.stderr.pipe(logFile);
  return child;
}

let page;

async function check(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true, ms: Date.now() - started });
    log(`ok   ${name}`);
  } catch (error) {
    results.push({ name, ok: false, ms: Date.now() - started, error });
    log(`FAIL ${name}\n${error.stack ?? error}`);
    const file = `failed-${name.replace(/[^a-z0-9]+/gi, '-')}.png`;
    await page?.screenshot({ path: path.join(ARTIFACTS, file), fullPage: true });
  }
}

const STEPS_DIR = path.join(__dirname, 'steps');

async function screenshot(name, { fullPage = true } = {}) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage });
}

/** Runs every e2e/steps/*.js module after run.js's own checks (see the header). */
async function runStepModules({ browser }) {
  const only = process.env.MLOPS_E2E_STEPS;
  const files = fs.existsSync(STEPS_DIR)
    ? fs
        .readdirSync(STEPS_DIR)
        .filter(f => f.endsWith('.js'))
        .filter(f => !only || (only !== 'none' && f.includes(only)))
        .sort()
    : [];
  for (const file of files) {
    let step;
    try {
      step = require(path.join(STEPS_DIR, file));
    } catch (error) {
      results.push({ name: `steps/${file}`, ok: false, ms: 0, error });
      log(`FAIL steps/${file} does not load\n${error.stack ?? error}`);
      continue;
    }
    await check(step.name ?? `steps/${file}`, async () => {
      if (typeof step.run !== 'function') {
        throw new Error(`e2e/steps/${file} exports no run({ page, ... }) function`);
      }
      await step.run({
        page,
        browser,
        baseUrl: BASE,
        token: await guestToken(),
        screenshot,
        log,
        check,
        waitFor,
        artifactsDir: ARTIFACTS,
      });
    });
  }
}

async function main() {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-e2e-'));
  buildApp();
  const backend = startBackend(dataDir);
  let browser;
  try {
    await waitFor(
      'the MLOps health route',
      async () => (await fetch(`${BASE}/api/mlops/health`)).ok,
      180_000,
    );
    const token = await waitFor('a guest token', guestToken, 30_000);
    await waitFor(
      'the demo models in the catalog',
      async () => {
        const response = await fetch(
          `${BASE}/api/catalog/entities/by-query?filter=spec.type=ml-model`,
          { headers: { Authorization: `Bearer ${token}` } },
        );
        const body = await response.json();
        return body.items?.length >= 3;
      },
      120_000,
    );

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });

    await check('the layout checks catch a broken word, a wrapped status and cut-off text', async () => {
      // The DOM checks below must be able to fail: a page built to break
      // each rule, and the same page built right.
      const sample = wrong => `
        <main><div class="MuiCard-root" style="width:220px;overflow:hidden">
          <table style="width:120px"><tr>
            <td style="width:60px;word-break:${wrong ? 'break-word' : 'normal'}">Unhealthy Succeeded</td>
            <td><span data-mlops-status="ok" style="white-space:${wrong ? 'normal' : 'nowrap'}">In progress</span></td>
          </tr></table>
          <div style="white-space:${wrong ? 'nowrap' : 'normal'}">a reason long enough to run past the edge of a narrow card</div>
        </div></main>`;
      await page.setContent(sample(true));
      const caught = [
        (await findBrokenWords(page)).length,
        (await findWrappedStatuses(page)).length,
        (await findClippedText(page)).length,
      ];
      if (caught.some(n => n === 0)) throw new Error(`a page built wrong passed: ${caught}`);
      await page.setContent(sample(false));
      const clean = [
        (await findBrokenWords(page)).length,
        (await findWrappedStatuses(page)).length,
        (await findClippedText(page)).length,
      ];
      if (clean.some(n => n !== 0)) throw new Error(`a page built right failed: ${clean}`);
    });

    await check('guest sign-in', async () => {
      await page.goto(`${BASE}/catalog`);
      await page.getByRole('button', { name: /enter/i }).click({ timeout: 60_000 });
      await page.getByText('Backstage MLOps demo Catalog').waitFor({ timeout: 60_000 });
    });

    await check('the catalog lists the three demo models', async () => {
      await page.goto(`${BASE}/catalog?filters%5Bkind%5D=component&filters%5Btype%5D=ml-model&filters%5Buser%5D=all`);
      for (const model of ['Fraud detection', 'Ticket classifier', 'Market Master']) {
        await page.getByRole('link', { name: model, exact: true }).first().waitFor({ timeout: 30_000 });
      }
      await page.screenshot({ path: path.join(ARTIFACTS, 'catalog-models.png'), fullPage: true });
    });

    // Every MLOps card a model's MLOps tab carries, by its title.
    const MODEL_CARDS = [
      'MLOps health',
      'MLOps incidents',
      'Triage guidance',
      'Prediction metrics',
      'Data drift',
      'Deployments',
      'Model versions',
      'Experiment runs',
    ];
    // InfoCard titles are spans in the card header, not headings.
    const cardTitled = title =>
      page.locator('div[class*="MuiCard-root"]', {
        has: page.locator('[class*="MuiCardHeader-title"]', {
          hasText: new RegExp(`^${title}$`),
        }),
      });

    const PIPELINE_CARDS = ['MLOps health', 'MLOps incidents', 'Triage guidance', 'Pipeline runs'];
    const EXPERIMENT_CARDS = ['MLOps health', 'MLOps incidents', 'Triage guidance', 'Experiment runs'];
    const entityPath = (kind, name) => `/catalog/default/${kind}/${name}`;

    // Navigates to an entity's MLOps tab and waits until every card is there
    // with its data (no progress bar left); answers the time that took.
    async function openMlopsTab(kind, name, titles) {
      const started = Date.now();
      await page.goto(`${BASE}${entityPath(kind, name)}/mlops`);
      for (const title of titles) {
        await cardTitled(title).first().waitFor({ timeout: 60_000 });
      }
      await waitForLoaded(page);
      return Date.now() - started;
    }

    await check('the Overview of a model with a problem is short: one MLOps summary card says what is wrong', async () => {
      await page.goto(`${BASE}${entityPath('component', 'market-master')}`);
      const summary = cardTitled('MLOps').first();
      await summary.waitFor({ timeout: 60_000 });
      await waitForLoaded(page);
      const status = await summary.getByTestId('mlops-summary-status').innerText();
      if (!/Degraded|Unhealthy/.test(status)) {
        throw new Error(`market-master's summary should say degraded or unhealthy, got "${status}"`);
      }
      const reason = await summary.getByTestId('mlops-summary-reason').innerText();
      if (!/latency/i.test(reason)) {
        throw new Error(`market-master's top reason should be its latency, got "${reason}"`);
      }
      const incidents = Number(await summary.getByTestId('mlops-summary-incidents').innerText());
      if (!(incidents >= 1)) {
        throw new Error(`market-master has an open latency incident; the summary says ${incidents}`);
      }
      const production = await summary.getByTestId('mlops-summary-production').innerText();
      if (!/^v\d+$/.test(production.trim())) {
        throw new Error(`the summary should name market-master's Production version, got "${production}"`);
      }
      for (const title of MODEL_CARDS) {
        if ((await cardTitled(title).count()) !== 0) {
          throw new Error(`the ${title} card is on Overview; it belongs on the MLOps tab`);
        }
      }
      const height = await page.evaluate(() => document.scrollingElement.scrollHeight);
      log(`market-master's Overview is ${height} px tall at 1440 px wide (it was about 8,000 px with every card on it)`);
      if (height > 3000) throw new Error(`Overview is ${height} px tall`);
      await screenshot('model-overview');
      await summary.getByRole('link', { name: /Open the MLOps tab/ }).click();
      await page.waitForURL(/\/catalog\/default\/component\/market-master\/mlops$/, { timeout: 30_000 });
      await cardTitled('MLOps health').first().waitFor({ timeout: 60_000 });
    });

    await check('the MLOps tab of a model shows every MLOps card, its reasons, incident and triage', async () => {
      const times = [];
      for (let i = 0; i < 3; i++) {
        times.push(await openMlopsTab('component', 'market-master', MODEL_CARDS));
      }
      const median = list => [...list].sort((a, b) => a - b)[1];
      log(
        `market-master's MLOps tab showed all ${MODEL_CARDS.length} cards with data in a median ${median(times)} ms ` +
          `after a full page load (runs: ${times.join(', ')} ms; goal < 1500 ms)`,
      );
      // As a reader gets there: a click on the tab from Overview, the app
      // already loaded.
      const clicks = [];
      for (let i = 0; i < 3; i++) {
        await page.goto(`${BASE}${entityPath('component', 'market-master')}`);
        await cardTitled('MLOps').first().waitFor({ timeout: 60_000 });
        await waitForLoaded(page);
        const started = Date.now();
        await page.locator('a[href$="/component/market-master/mlops"]').first().click();
        for (const title of MODEL_CARDS) {
          await cardTitled(title).first().waitFor({ timeout: 60_000 });
        }
        await waitForLoaded(page);
        clicks.push(Date.now() - started);
      }
      log(
        `market-master's MLOps tab showed all cards with data in a median ${median(clicks)} ms ` +
          `after a click on the tab from Overview (runs: ${clicks.join(', ')} ms; goal < 1500 ms)`,
      );

      const health = cardTitled('MLOps health').first();
      const status = await health.getByTestId('mlops-health-status').innerText();
      if (!/Degraded|Unhealthy/.test(status)) {
        throw new Error(`market-master's latency spike should make it degraded or unhealthy, got "${status}"`);
      }
      await health.getByText(/latency/i).first().waitFor();

      const incidents = cardTitled('MLOps incidents').first();
      await incidents.getByText(/latency/i).first().waitFor();
      // The guest is not in risk-ml, which owns market-master: the policy
      // lets it read the incident but not act on it.
      const acknowledge = incidents.getByRole('button', { name: 'Acknowledge' }).first();
      if (!(await acknowledge.isDisabled())) {
        throw new Error('a non-owner can acknowledge market-master incidents');
      }

      const triage = cardTitled('Triage guidance').first();
      await triage.getByText('Current problems').waitFor();
      // Commands are filled from the entity's annotations.
      const commands = await triage.getByTestId('triage-command').allInnerTexts();
      if (!commands.some(c => c.includes('trading-ml'))) {
        throw new Error(`no triage command carries the entity's namespace: ${commands.join(' | ')}`);
      }
      // Health and incidents share the first row.
      const [healthBox, incidentsBox] = await Promise.all([
        page.getByTestId('mlops-tab-health').boundingBox(),
        page.getByTestId('mlops-tab-incidents').boundingBox(),
      ]);
      if (Math.abs(healthBox.y - incidentsBox.y) > 2) {
        throw new Error('health and incidents are not side by side at 1440 px');
      }
      await screenshot('model-tab-top', { fullPage: false });
      await screenshot('model-tab');
    });

    await check("the MLOps tab of a pipeline: its runs, and an owner acknowledges its incident", async () => {
      // ticket-classifier-training belongs to support-ml, the guest's team,
      // and its OOMKilled run opened an incident.
      await openMlopsTab('component', 'ticket-classifier-training', PIPELINE_CARDS);
      if ((await cardTitled('Model versions').count()) !== 0) {
        throw new Error('a pipeline tab shows the model versions card');
      }
      await cardTitled('Pipeline runs').first().getByRole('listitem', { name: /^Run / }).first().waitFor({ timeout: 30_000 });
      const incidents = cardTitled('MLOps incidents').first();
      await incidents.getByText(/Pipeline failed/i).first().waitFor({ timeout: 60_000 });
      const triage = cardTitled('Triage guidance').first();
      await triage.getByText(/out of memory|OOM/i).first().waitFor({ timeout: 60_000 });
      const acknowledge = incidents.getByRole('button', { name: 'Acknowledge' }).first();
      await acknowledge.click();
      await incidents.getByText(/acknowledged by user:default\/guest/).first().waitFor({ timeout: 30_000 });
      await screenshot('pipeline-incident-acknowledged');
    });

    await check("the versions card on the real backend: compare, a retention dry run, an alias set and removed by an owner; a non-owner's actions disabled", async () => {
      // ticket-classifier belongs to support-ml, the guest's team.
      await openMlopsTab('component', 'ticket-classifier', MODEL_CARDS);
      const versions = cardTitled('Model versions').first();
      await versions.getByRole('button', { name: 'Compare' }).click();
      let dialog = page.getByRole('dialog');
      const metrics = dialog.getByRole('table', { name: /^Metrics of v\d+ and v\d+$/ });
      await metrics.waitFor({ timeout: 30_000 });
      if ((await metrics.locator('tbody tr').count()) === 0) throw new Error('the comparison has no metric rows');
      await metrics.getByText(/is better$/).first().waitFor();
      await screenshot('versions-compare', { fullPage: false });
      await dialog.getByRole('button', { name: 'Close' }).click();

      await versions.getByRole('button', { name: 'Clean up' }).click();
      dialog = page.getByRole('dialog');
      await dialog.getByLabel('Keep the newest').fill('1');
      await dialog.getByTestId('mlops-retention-plan').getByText(/Would delete|Nothing would be deleted/).waitFor({ timeout: 30_000 });
      const plan = await dialog.getByTestId('mlops-retention-plan').innerText();
      if (!/in Production/.test(plan)) throw new Error(`the dry run should keep the Production version: ${plan}`);
      await screenshot('versions-retention-dry-run', { fullPage: false });
      await dialog.getByRole('button', { name: 'Cancel' }).click();

      await versions.getByRole('button', { name: 'Set alias' }).click();
      dialog = page.getByRole('dialog');
      await dialog.getByLabel('Alias').fill('e2e-candidate');
      await dialog.getByText(/@e2e-candidate is new/).waitFor();
      await dialog.getByLabel(/Reason/).fill('set by the end-to-end test');
      await dialog.getByRole('button', { name: 'Set @e2e-candidate' }).click();
      const chip = versions.locator('[class*="MuiChip-root"]', { hasText: '@e2e-candidate' });
      await chip.waitFor({ timeout: 30_000 });
      await versions.getByText(/Alias e2e-candidate set on version/).waitFor({ timeout: 30_000 });
      await chip.locator('[class*="MuiChip-deleteIcon"]').click();
      dialog = page.getByRole('dialog');
      await dialog.getByLabel(/Reason/).fill('done');
      await dialog.getByRole('button', { name: 'Remove @e2e-candidate' }).click();
      await chip.waitFor({ state: 'detached', timeout: 30_000 });

      // market-master belongs to risk-ml: the guest may compare, nothing else.
      await openMlopsTab('component', 'market-master', MODEL_CARDS);
      const theirs = cardTitled('Model versions').first();
      for (const name of ['Set alias', 'Clean up', 'Roll back']) {
        if (!(await theirs.getByRole('button', { name }).isDisabled())) {
          throw new Error(`a non-owner's "${name}" is enabled on market-master`);
        }
      }
      if (await theirs.getByRole('button', { name: 'Compare' }).isDisabled()) {
        throw new Error('compare is disabled for a reader');
      }
    });

    await check('the MLOps tab of an experiment shows its runs', async () => {
      await openMlopsTab('resource', 'market-master-experiments', EXPERIMENT_CARDS);
      await cardTitled('Experiment runs').first().locator('tbody tr').first().waitFor({ timeout: 30_000 });
      if ((await cardTitled('Deployments').count()) !== 0) {
        throw new Error('an experiment tab shows the deployments card');
      }
      await screenshot('experiment-tab');
    });

    await check("a team page lists what the team owns, worst first", async () => {
      await page.goto(`${BASE}/catalog/default/group/support-ml`);
      const card = cardTitled('ML models, pipelines and experiments').first();
      const firstRow = card.locator('tbody tr').first();
      await firstRow.getByText('Ticket classifier training pipeline').waitFor({ timeout: 60_000 });
      await firstRow.getByText(/Unhealthy/).waitFor();
      await card.getByText('Ticket classifier', { exact: true }).waitFor();
      await page.screenshot({ path: path.join(ARTIFACTS, 'team-page.png'), fullPage: true });
    });

    await check('tables read at 1280 and 1920 px, light and dark: no word broken, no status wrapped, no text cut off', async () => {
      const pages = [
        { name: 'model-overview', path: entityPath('component', 'market-master'), card: 'MLOps' },
        { name: 'model-tab', path: `${entityPath('component', 'market-master')}/mlops`, card: 'Model versions' },
        { name: 'pipeline-tab', path: `${entityPath('component', 'ticket-classifier-training')}/mlops`, card: 'Pipeline runs' },
        { name: 'experiment-tab', path: `${entityPath('resource', 'market-master-experiments')}/mlops`, card: 'Experiment runs' },
        { name: 'team', path: entityPath('group', 'support-ml'), card: 'ML models, pipelines and experiments' },
      ];
      const problems = [];
      let cells = 0;
      try {
        for (const theme of ['light', 'dark']) {
          await useTheme(page, theme);
          for (const width of [1280, 1920]) {
            await page.setViewportSize({ width, height: 1080 });
            for (const target of pages) {
              await page.goto(`${BASE}${target.path}`);
              await cardTitled(target.card).first().waitFor({ timeout: 60_000 });
              await waitForLoaded(page);
              const where = `${target.name} at ${width} px, ${theme}`;
              const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
              const dark = /rgb\((\d+), (\d+), (\d+)/.exec(background)?.slice(1).every(c => Number(c) < 100);
              if ((theme === 'dark') !== Boolean(dark)) {
                problems.push(`${where}: the page background is ${background}`);
              }
              cells += await page.evaluate(() => (document.querySelector('main') ?? document.body).querySelectorAll('td, th').length);
              for (const b of await findBrokenWords(page)) {
                problems.push(
                  `${where}: "${b.word}" broken in a ${b.cellWidth} px cell "${b.cell}" (overflow-wrap ${b.overflowWrap}, word-break ${b.wordBreak})`,
                );
              }
              for (const s of await findWrappedStatuses(page)) {
                problems.push(`${where}: the status "${s}" wraps`);
              }
              for (const t of await findClippedText(page)) {
                problems.push(`${where}: "${t}" runs past its card's edge`);
              }
              if (target.name === 'model-tab') {
                const height = await page.evaluate(() => document.scrollingElement.scrollHeight);
                log(`market-master's MLOps tab is ${height} px tall at ${width} px, ${theme} (${(height / 1080).toFixed(2)} screens of 1080 px)`);
                // Issue 16's "done when": everything in two screens at 1920 × 1080.
                if (width === 1920 && height > 2 * 1080) {
                  problems.push(`${where}: the MLOps tab is ${height} px tall, more than two screens of 1080 px`);
                }
              }
              if (target.name === 'model-tab' && width === 1920 && theme === 'light') {
                const [health, triage] = await Promise.all([
                  page.getByTestId('mlops-tab-health').boundingBox(),
                  page.getByTestId('mlops-tab-triage').boundingBox(),
                ]);
                if (!(triage.x > health.x + health.width - 1 && Math.abs(triage.y - health.y) < 40)) {
                  problems.push('at 1920 px the triage guidance is not beside health and incidents');
                }
              }
              if (target.name === 'model-tab' && width === 1920 && theme === 'dark') {
                // The compact triage card folds sections, never drops them:
                // one click shows "Causes to check" with as many causes as it says.
                const triage = cardTitled('Triage guidance').first();
                const causes = triage.getByRole('button', { name: /^Causes to check \(\d+\)$/ }).first();
                const count = Number(/\((\d+)\)/.exec(await causes.innerText())[1]);
                await causes.click();
                const shown = await triage.getByRole('list', { name: 'Causes to check' }).getByRole('listitem').count();
                if (shown !== count) problems.push(`${where}: "Causes to check (${count})" opened ${shown} causes`);
                await causes.click();
              }
              // Off the sidebar, which opens over the page while hovered.
              await page.mouse.move(width - 5, 1075);
              await screenshot(`${target.name}-${width}-${theme}`);
            }
          }
        }
      } finally {
        await useTheme(page, 'light');
        await page.setViewportSize({ width: 1440, height: 1000 });
      }
      log(`checked ${cells} table cells on ${pages.length} pages × 2 widths × 2 themes; ${problems.length} problems`);
      if (problems.length > 0) throw new Error(problems.join('\n'));
    });

    await check('a model registered through the API appears in the catalog', async () => {
      const token = await guestToken();
      const response = await fetch(`${BASE}/api/mlops/models`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          name: 'e2e-churn',
          owner: 'group:default/support-ml',
          description: 'Registered by the end-to-end test',
        }),
      });
      if (response.status !== 201) {
        throw new Error(`registering a model answered ${response.status}: ${await response.text()}`);
      }
      const registered = Date.now();
      await waitFor(
        'the registered model in the catalog',
        async () => {
          await page.goto(`${BASE}/catalog/default/component/e2e-churn`);
          await page.getByText('Registered by the end-to-end test').first().waitFor({ timeout: 5_000 });
          return true;
        },
        60_000,
      );
      log(`the registered model was in the catalog UI ${Date.now() - registered} ms after registration`);
    });

    await check('the sidebar links to the MLOps page', async () => {
      await page.locator('nav a[href="/mlops"]', { hasText: 'MLOps' }).first().waitFor({ timeout: 30_000 });
    });

    await check('the MLOps fleet lists the demo models and filters by owner', async () => {
      await page.goto(`${BASE}/mlops`);
      await page.getByRole('link', { name: 'Fraud detection' }).first().waitFor({ timeout: 60_000 });
      await page.getByRole('link', { name: 'Ticket classifier' }).first().waitFor();
      await page.screenshot({ path: path.join(ARTIFACTS, 'mlops-fleet.png'), fullPage: true });
      await page.getByLabel('Owner').selectOption({ label: 'support-ml' });
      await page.getByRole('link', { name: 'Fraud detection' }).waitFor({ state: 'detached', timeout: 30_000 });
      await page.getByRole('link', { name: 'Ticket classifier' }).first().waitFor();
    });

    await check('the triage guide finds an entry by search and shows it in full', async () => {
      await page.goto(`${BASE}/mlops?tab=guide`);
      await page.getByLabel('Search the triage guide').fill('crashloop');
      await page
        .getByRole('list', { name: 'Search results' })
        .getByText('Pod in CrashLoopBackOff')
        .click({ timeout: 30_000 });
      await page.getByRole('heading', { name: 'Pod in CrashLoopBackOff' }).waitFor({ timeout: 30_000 });
      await page.getByRole('list', { name: 'Triage steps' }).waitFor();
      await page.screenshot({ path: path.join(ARTIFACTS, 'mlops-guide-entry.png'), fullPage: true });
    });

    await check('an entity without MLOps annotations has no MLOps card and no MLOps tab', async () => {
      await page.goto(`${BASE}/catalog/default/component/backstage-mlops`);
      await page.getByText('Backstage plugins that bring ML models').first().waitFor({ timeout: 60_000 });
      if ((await cardTitled('MLOps').count()) !== 0) {
        throw new Error('the MLOps summary card shows on an entity without annotations');
      }
      if ((await page.locator('a[href$="/backstage-mlops/mlops"]').count()) !== 0) {
        throw new Error('an entity without annotations has an MLOps tab');
      }
    });

    await runStepModules({ browser });
  } finally {
    if (browser) await browser.close();
    try {
      process.kill(-backend.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  const failed = results.filter(r => !r.ok);
  log(`${results.length - failed.length} passed, ${failed.length} failed; screenshots in ${path.relative(ROOT, ARTIFACTS)}`);
  process.exit(failed.length === 0 && results.length > 0 ? 0 : 1);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
