/*
 * The portal's search finds the MLOps world (search-backend-module-mlops):
 * a triage guide entry by the failure an engineer pastes, and a model by its
 * name, each with the MLOps result item and a link to where it lives.
 */
module.exports = {
  name: 'search finds a triage entry and a model',
  async run({ page, baseUrl, token, screenshot, log, check, waitFor }) {
    const api = async term => {
      const response = await fetch(
        `${baseUrl}/api/search/query?term=${encodeURIComponent(term)}&types%5B0%5D=mlops`,
        { headers: { Authorization: `Bearer ${token}` } },
      );
      if (!response.ok) throw new Error(`search answered ${response.status}`);
      return (await response.json()).results;
    };
    // The collator's first run starts 15 s after the backend (app-config).
    const started = Date.now();
    await waitFor(
      'the MLOps documents in the search index',
      async () => (await api('CrashLoopBackOff')).length > 0,
      120_000,
    );
    log(`MLOps documents searchable after ${((Date.now() - started) / 1000).toFixed(0)} s of waiting`);

    await check('the API ranks the CrashLoopBackOff entry first', async () => {
      const [first] = await api('CrashLoopBackOff');
      if (first.type !== 'mlops' || first.document.title !== 'Pod in CrashLoopBackOff') {
        throw new Error(`first result is ${first.type} "${first.document.title}"`);
      }
      if (first.document.location !== '/mlops?tab=guide&entry=pod-crash-loop-backoff') {
        throw new Error(`entry links to ${first.document.location}`);
      }
    });

    await check('the search page shows the triage entry and opens it', async () => {
      await page.goto(`${baseUrl}/search?query=CrashLoopBackOff`);
      const link = page.getByRole('link', { name: 'Pod in CrashLoopBackOff' }).first();
      await link.waitFor({ timeout: 30_000 });
      await page.getByText('Triage guide').first().waitFor({ timeout: 5_000 });
      await screenshot('search-crashloopbackoff');
      await link.click();
      await page.waitForURL(/\/mlops\?tab=guide&entry=pod-crash-loop-backoff/, { timeout: 15_000 });
      await page.getByText('Pod in CrashLoopBackOff').first().waitFor({ timeout: 15_000 });
      await screenshot('search-crashloopbackoff-entry');
    });

    await check('the search page finds fraud-detection with its health, linking to its MLOps tab', async () => {
      await page.goto(`${baseUrl}/search?query=fraud-detection`);
      const model = page.locator('a[href="/catalog/default/component/fraud-detection/mlops"]').first();
      await model.waitFor({ timeout: 30_000 });
      await page.getByText('ML model').first().waitFor({ timeout: 5_000 });
      await screenshot('search-fraud-detection');
      const results = await api('fraud-detection');
      const doc = results.find(r => r.document.entityRef === 'component:default/fraud-detection');
      if (!doc) throw new Error('no document for component:default/fraud-detection');
      if (!doc.document.health) throw new Error('the model document carries no health');
      log(`fraud-detection indexed as ${doc.document.health}, Production v${doc.document.productionVersion ?? 'none'}`);
      await model.click();
      await page.waitForURL(/\/catalog\/default\/component\/fraud-detection\/mlops/, { timeout: 15_000 });
    });
  },
};
