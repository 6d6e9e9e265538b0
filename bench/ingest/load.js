/* eslint-disable no-console */
/*
 * Drives sustained prediction ingest through HTTP on loopback: N concurrent
 * clients, each posting batches back to back on a keep-alive connection,
 * for a fixed duration. Every event has a unique id, a label and three
 * features, like a serving system that logs its inputs.
 *
 *   node bench/ingest/load.js <port> [seconds=30] [clients=4] [batch=1000] [models=1]
 */
const http = require('http');

const [port, seconds = '30', clients = '4', batchSize = '1000', models = '1'] =
  process.argv.slice(2);
const durationMs = Number(seconds) * 1000;
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(clients) });
const MERCHANTS = ['grocery', 'travel', 'online', 'fuel'];

let sequence = 0;
function body() {
  const ts = new Date().toISOString();
  const parts = new Array(Number(batchSize));
  for (let i = 0; i < parts.length; i++) {
    const n = sequence++;
    const latency = (5 + ((n * 7919) % 400) * Math.random()).toFixed(2);
    const label = n % 3 === 0 ? ',"label":"legit"' : '';
    parts[i] =
      `{"id":"${process.pid}-${n}","timestamp":"${ts}","environment":"production",` +
      `"modelVersion":3,"latencyMs":${latency},"status":"${
        n % 97 === 0 ? 'error' : 'ok'
      }",` +
      `"prediction":"legit","confidence":0.87${label},` +
      `"features":{"amount":${(n % 1000) / 10},"merchant":"${
        MERCHANTS[n % 4]
      }","card_present":${n % 2 === 0}}}`;
  }
  return `{"events":[${parts.join(',')}]}`;
}

function post(path, payload) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: Number(port),
        path,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      res => {
        const chunks = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200) {
            reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`));
          } else {
            resolve(JSON.parse(text));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function percentile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

async function main() {
  const latencies = [];
  let accepted = 0;
  const start = Date.now();
  const deadline = start + durationMs;
  let client = 0;
  const workers = Array.from({ length: Number(clients) }, async () => {
    const model = `bench-model-${client++ % Number(models)}`;
    while (Date.now() < deadline) {
      const payload = body();
      const t0 = process.hrtime.bigint();
      const result = await post(
        `/api/mlops/models/${model}/predictions`,
        payload,
      );
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      accepted += result.accepted;
    }
  });
  await Promise.all(workers);
  const elapsed = (Date.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(
    `EVENTS_PER_SECOND ${Math.round(
      accepted / elapsed,
    )} (${accepted} events in ${elapsed.toFixed(1)} s, ${
      latencies.length
    } batches of ${batchSize}, ${clients} clients)`,
  );
  console.log(
    `BATCH_LATENCY_MS p50 ${percentile(latencies, 0.5).toFixed(
      1,
    )} p95 ${percentile(latencies, 0.95).toFixed(1)} p99 ${percentile(
      latencies,
      0.99,
    ).toFixed(1)} max ${latencies[latencies.length - 1].toFixed(1)}`,
  );
  agent.destroy();
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
