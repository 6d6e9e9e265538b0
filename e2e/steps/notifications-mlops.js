/*
 * The owning team hears about incidents (incidents/IncidentNotifier): the
 * guest is in support-ml, which owns ticket-classifier-training. The step
 * resolves the demo's open pipeline_failed incident (a "resolved"
 * notification), then reports a failed run, which opens a new incident (an
 * "opened" notification), and reads both on the Notifications page.
 */
const PIPELINE = 'ticket-classifier-training';

module.exports = {
  name: 'a notification arrives after an incident opens',
  async run({ page, baseUrl, token, screenshot, log, check, waitFor }) {
    const call = async (method, path, body) => {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body ? { 'Content-Type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
      return text ? JSON.parse(text) : undefined;
    };
    const notifications = async () => {
      const answer = await call('GET', '/api/notifications/notifications?limit=50&orderField=created,desc');
      return answer.notifications ?? answer;
    };
    const incidentsOfPipeline = async () =>
      (await call('GET', `/api/mlops/entities/component/default/${PIPELINE}/incidents`)).items ??
      [];
    const since = Date.now();

    const open = (await incidentsOfPipeline()).find(
      i => i.symptom === 'pipeline_failed' && i.status !== 'resolved',
    );
    if (open) {
      await call('POST', `/api/mlops/incidents/${open.id}/resolve`, { note: 'e2e: starting clean' });
      log(`resolved the demo's incident ${open.id}`);
    }

    const run = await call('POST', `/api/mlops/pipelines/${PIPELINE}/runs`, { state: 'RUNNING' });
    await call('POST', `/api/mlops/pipelines/${PIPELINE}/runs/${run.id}/finish`, {
      state: 'FAILED',
      failureReason: 'train: container trainer terminated: OOMKilled (exit code 137)',
    });
    const incident = await waitFor(
      'a new pipeline_failed incident',
      async () =>
        (await incidentsOfPipeline()).find(
          i => i.symptom === 'pipeline_failed' && i.status === 'open' && i.id !== open?.id,
        ),
      60_000,
    );
    log(`incident ${incident.id} opened ${Date.now() - since} ms after the failed run was reported`);

    const opened = await waitFor(
      'the notification of the new incident',
      async () =>
        (await notifications()).find(n => (n.payload?.link ?? '').includes(`incident=${incident.id}`)),
      60_000,
    );
    log(`notification "${opened.payload.title}" arrived ${Date.now() - since} ms after the run failed`);

    await check('the notification names the pipeline and the symptom, at high severity or above', async () => {
      if (!/pipeline failed/.test(opened.payload.title)) throw new Error(`title is "${opened.payload.title}"`);
      if (!['high', 'critical'].includes(opened.payload.severity)) {
        throw new Error(`severity is ${opened.payload.severity}`);
      }
      if (!opened.payload.link.startsWith(`/catalog/default/component/${PIPELINE}/mlops`)) {
        throw new Error(`link is ${opened.payload.link}`);
      }
    });

    if (open) {
      await check('resolving the earlier incident notified too', async () => {
        const all = await notifications();
        if (!all.some(n => (n.payload?.link ?? '').includes(`incident=${open.id}`) && /resolved/.test(n.payload.title))) {
          throw new Error('no "resolved" notification for the incident resolved by hand');
        }
      });
    }

    await check('each notice arrived once', async () => {
      const mine = (await notifications()).filter(n => (n.payload?.link ?? '').includes(`incident=${incident.id}`));
      if (mine.length !== 1) throw new Error(`${mine.length} notifications for incident ${incident.id}`);
    });

    await check('the Notifications page shows it, with a link to the MLOps tab', async () => {
      await page.goto(`${baseUrl}/notifications`);
      await page.getByText(opened.payload.title).first().waitFor({ timeout: 30_000 });
      await screenshot('notifications-incident-opened');
    });
  },
};
