/*
 * The write workload shared by the reliability checks: writers that log
 * metric batches to a run of their own and prediction batches for the demo
 * models, keeping a ledger of what the backend acknowledged.
 *
 * Predictions are idempotent by client event id, so a writer retries a
 * failed prediction batch with the same ids and also re-sends batches that
 * were already acknowledged (as a client whose response was lost would);
 * every id must be counted once. Metric batches are not idempotent (MLflow
 * keeps every measurement), so a failed metric batch is not retried: its
 * steps may be stored at most once, acknowledged ones exactly once.
 */
const MODELS = ['fraud-detection', 'ticket-classifier', 'market-master'];
const METRIC_KEY = 'reliability/loss';

/** What one model's events look like, with features matching the demo baselines. */
function features(model, rand) {
  switch (model) {
    case 'fraud-detection':
      return {
        amount: Math.round(Math.exp(3.6 + rand() * 1.5) * 100) / 100,
        merchant_category: ['grocery', 'travel', 'online', 'fuel'][
          Math.floor(rand() * 4)
        ],
        card_present: rand() < 0.6,
      };
    case 'ticket-classifier':
      return {
        length_chars: Math.round(100 + rand() * 400),
        channel: rand() < 0.5 ? 'email' : 'chat',
      };
    default:
      return { returns_1d: (rand() - 0.5) / 50, volume_z: rand() * 2 - 1 };
  }
}

/** The ledger of one workload: what was sent and what was acknowledged. */
function createLedger(tag) {
  const perModel = {};
  for (const model of MODELS) {
    perModel[model] = {
      acked: new Set(),
      unacked: new Set(),
      accepted: 0,
      duplicatesReported: 0,
      retriesSent: 0,
    };
  }
  return {
    tag,
    environment: `rel-${tag}`.toLowerCase().slice(0, 63),
    perModel,
    runs: [],
    statuses: {},
    networkErrors: 0,
    /** Batches sent but never acknowledged: (model, events). */
    pendingPredictionBatches: [],
  };
}

function count(ledger, status) {
  ledger.statuses[status] = (ledger.statuses[status] ?? 0) + 1;
}

/** Creates an experiment and one run per writer; ids go to the ledger. */
async function createRuns(client, ledger, writers) {
  const experiment = await client.post('/api/mlops/experiments', {
    name: `reliability-${ledger.tag}`,
    owner: 'group:default/support-ml',
  });
  if (experiment.status !== 201) {
    throw new Error(
      `creating the experiment answered ${experiment.status}: ${JSON.stringify(
        experiment.body,
      )}`,
    );
  }
  for (let i = 0; i < writers; i++) {
    const run = await client.post('/api/mlops/runs', {
      experimentId: experiment.body.id,
      name: `writer-${i}`,
    });
    if (run.status !== 201) {
      throw new Error(
        `creating a run answered ${run.status}: ${JSON.stringify(run.body)}`,
      );
    }
    ledger.runs.push({
      id: run.body.id,
      acked: new Set(),
      unacked: new Set(),
      nextStep: 0,
    });
  }
}

/**
 * One writer: until `shouldStop()`, alternates a metric batch to its run
 * and a prediction batch; returns when stopped. Never throws on HTTP errors
 * or a dead backend: those are recorded.
 */
async function runWriter(client, ledger, index, options) {
  const {
    shouldStop,
    predictionBatch = 100,
    metricBatch = 50,
    retryShare = 0.25,
    maxRetries = 5,
    status = () => 'ok',
  } = options;
  let seed = index * 7919 + 17;
  const rand = () => {
    // Small LCG: reproducible per writer, no dependency.
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const run = ledger.runs[index];
  const sentBatches = [];
  let seq = 0;

  async function sendPredictions(model, events, isRetryOfAcked) {
    const book = ledger.perModel[model];
    for (const event of events)
      if (!book.acked.has(event.id)) book.unacked.add(event.id);
    const pending = { model, events };
    ledger.pendingPredictionBatches.push(pending);
    for (let attempt = 0; attempt <= maxRetries; attempt++) {
      if (attempt > 0) book.retriesSent += 1;
      try {
        const r = await client.post(`/api/mlops/models/${model}/predictions`, {
          events,
        });
        count(ledger, r.status);
        if (r.ok) {
          book.accepted += r.body.accepted;
          book.duplicatesReported += r.body.duplicates;
          for (const event of events) {
            book.acked.add(event.id);
            book.unacked.delete(event.id);
          }
          ledger.pendingPredictionBatches.splice(
            ledger.pendingPredictionBatches.indexOf(pending),
            1,
          );
          if (!isRetryOfAcked) sentBatches.push({ model, events });
          return;
        }
        if (r.status < 500 && r.status !== 429) return; // a 4xx will not get better
      } catch {
        ledger.networkErrors += 1;
        count(ledger, 'network');
        if (shouldStop()) return;
      }
      await new Promise(r => setTimeout(r, 100 * 2 ** attempt));
    }
  }

  while (!shouldStop()) {
    // Metrics: steps unique per run, never retried.
    const steps = [];
    const metrics = [];
    for (let i = 0; i < metricBatch; i++) {
      const step = run.nextStep++;
      steps.push(step);
      metrics.push({
        key: METRIC_KEY,
        value: step / 2,
        step,
        timestamp: Date.now(),
      });
    }
    for (const step of steps) run.unacked.add(step);
    try {
      const r = await client.post(`/api/mlops/runs/${run.id}/log-batch`, {
        metrics,
      });
      count(ledger, r.status);
      if (r.ok) {
        for (const step of steps) {
          run.acked.add(step);
          run.unacked.delete(step);
        }
      }
    } catch {
      ledger.networkErrors += 1;
      count(ledger, 'network');
    }
    if (shouldStop()) break;

    // Predictions: a fresh batch, sometimes a re-send of an acknowledged
    // one, sometimes half old ids and half new.
    const model = MODELS[(index + seq) % MODELS.length];
    const roll = rand();
    if (sentBatches.length > 0 && roll < retryShare / 2) {
      const old = sentBatches[Math.floor(rand() * sentBatches.length)];
      await sendPredictions(old.model, old.events, true);
      continue;
    }
    const events = [];
    if (sentBatches.length > 0 && roll < retryShare) {
      const old = sentBatches[Math.floor(rand() * sentBatches.length)];
      if (old.model === model)
        events.push(...old.events.slice(0, Math.floor(old.events.length / 2)));
    }
    while (events.length < predictionBatch) {
      events.push({
        id: `${ledger.tag}-w${index}-${seq}-${events.length}`,
        timestamp: Date.now(),
        environment: ledger.environment,
        modelVersion: 1,
        latencyMs: Math.round(5 + rand() * 80),
        status: status(model, rand),
        prediction: rand() < 0.5 ? 1 : 0,
        confidence: Math.round(rand() * 1000) / 1000,
        label: rand() < 0.5 ? 1 : 0,
        features: features(model, rand),
      });
    }
    seq += 1;
    await sendPredictions(model, events, false);
  }
}

/** Runs `writers` writers for `durationMs` (or until `stop()` is called). */
function startWorkload(client, ledger, { writers, durationMs, ...options }) {
  let stopped = false;
  const timer = durationMs
    ? setTimeout(() => (stopped = true), durationMs)
    : undefined;
  const shouldStop = () => stopped;
  const done = Promise.all(
    Array.from({ length: writers }, (_, i) =>
      runWriter(client, ledger, i, { ...options, shouldStop }),
    ),
  ).finally(() => clearTimeout(timer));
  return {
    done,
    stop: () => {
      stopped = true;
      return done;
    },
  };
}

/**
 * Checks the store through the API against the ledger. Returns a list of
 * problems (empty when every acknowledged write is stored exactly once).
 * `allowUnacked`: ids/steps sent but never acknowledged may be stored (at
 * most once); otherwise none may remain unacknowledged.
 */
async function verifyLedger(client, ledger, { allowUnacked = false } = {}) {
  const problems = [];
  const facts = [];
  for (const model of MODELS) {
    const book = ledger.perModel[model];
    const r = await client.get(
      `/api/mlops/entities/component/default/${model}/metrics?window=24h&environment=${ledger.environment}`,
    );
    if (!r.ok) {
      problems.push(`${model}: metrics route answered ${r.status}`);
      continue;
    }
    const stored =
      r.body.models.find(m => m.model === model)?.totals.count ?? 0;
    facts.push(
      `${model}: ${book.acked.size} acknowledged ids, ${stored} stored, server accepted ${book.accepted} new + ${book.duplicatesReported} duplicates, ${book.retriesSent} retries after errors, ${book.unacked.size} never acknowledged`,
    );
    if (allowUnacked) {
      if (
        stored < book.acked.size ||
        stored > book.acked.size + book.unacked.size
      ) {
        problems.push(
          `${model}: ${stored} stored, expected ${book.acked.size}..${
            book.acked.size + book.unacked.size
          }`,
        );
      }
    } else {
      if (stored !== book.acked.size) {
        problems.push(
          `${model}: ${stored} stored but ${book.acked.size} distinct ids acknowledged`,
        );
      }
      if (book.accepted !== book.acked.size) {
        problems.push(
          `${model}: server reported ${book.accepted} new events for ${book.acked.size} distinct ids`,
        );
      }
      if (book.unacked.size > 0)
        problems.push(`${model}: ${book.unacked.size} ids never acknowledged`);
    }
  }
  let metricRows = 0;
  let ackedSteps = 0;
  for (const run of ledger.runs) {
    const r = await client.get(
      `/api/mlops/runs/${run.id}/metrics/${METRIC_KEY}`,
    );
    const points = r.ok ? r.body.points : [];
    if (!r.ok && r.status !== 404)
      problems.push(`run ${run.id}: history answered ${r.status}`);
    const seen = new Map();
    for (const p of points) seen.set(p.step, (seen.get(p.step) ?? 0) + 1);
    metricRows += points.length;
    ackedSteps += run.acked.size;
    const missing = [...run.acked].filter(s => !seen.has(s));
    const doubled = [...seen].filter(([, n]) => n > 1);
    const unknown = [...seen.keys()].filter(
      s => !run.acked.has(s) && !run.unacked.has(s),
    );
    const unackedStored = [...seen.keys()].filter(s => run.unacked.has(s));
    if (missing.length)
      problems.push(
        `run ${run.id}: ${
          missing.length
        } acknowledged steps missing (e.g. ${missing.slice(0, 3)})`,
      );
    if (doubled.length)
      problems.push(
        `run ${run.id}: ${doubled.length} steps stored more than once`,
      );
    if (unknown.length)
      problems.push(`run ${run.id}: ${unknown.length} steps never sent`);
    if (!allowUnacked && run.unacked.size)
      problems.push(
        `run ${run.id}: ${run.unacked.size} metric steps never acknowledged`,
      );
    if (unackedStored.length)
      facts.push(
        `run ${run.id}: ${unackedStored.length} unacknowledged steps stored once (committed before the answer was lost)`,
      );
  }
  facts.push(
    `metrics: ${ackedSteps} acknowledged steps over ${ledger.runs.length} runs, ${metricRows} history rows`,
  );
  return { problems, facts };
}

module.exports = {
  MODELS,
  METRIC_KEY,
  createLedger,
  createRuns,
  startWorkload,
  verifyLedger,
};
