#!/usr/bin/env node
/*
 * A recording HTTP proxy for any HTTP client (here: MLflow's Python client).
 * It forwards every request to a target server unchanged and keeps, in
 * order, what the client sent and what it got back: method, path under the
 * tracking URI, query, JSON body, status, JSON answer. Binary bodies
 * (artifact uploads and downloads) are kept as base64 up to 256 KB, and as
 * their size and SHA-256 above that. Authorization headers are never kept.
 *
 * Exchanges are kept in the order their requests arrived, not the order
 * their answers came back: a client that sends in parallel (MLflow 3's
 * autolog logs params from a thread while the run is read) is replayed one
 * request after the other, and the write that reached the server first
 * comes first.
 *
 * The scenario harness (run_scenario.py) talks to the proxy itself under
 * /__recorder/: `step?name=` starts a named client step, `verdict` records
 * whether the client step passed, `save?file=` writes the recording and
 * starts a new one.
 *
 *   node bench/mlflow-recordings/recorder.js --listen 7251 \
 *     --target http://127.0.0.1:7250 [--prefix /api/mlops/mlflow]
 *
 * No dependencies beyond Node; it knows nothing of MLflow.
 */
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const LISTEN = Number(option('listen', '7251'));
const TARGET = new URL(option('target', 'http://127.0.0.1:7250'));
// The path of the tracking URI on the target, left out of recorded paths so
// recordings of different servers line up.
const PREFIX = option('prefix', '').replace(/\/$/, '');
const INLINE_LIMIT = 256 * 1024;

let steps = [];
let current;

function newStep(name) {
  current = { name, exchanges: [] };
  steps.push(current);
}
newStep('(setup)');

function readBody(stream) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    stream.on('data', c => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** A body as the recording keeps it. */
function describeBody(buffer, contentType) {
  if (buffer.length === 0) return undefined;
  // Only what says it is JSON is parsed: an uploaded JSON file keeps its bytes.
  if (/json/.test(contentType ?? '')) {
    try {
      return { json: JSON.parse(buffer.toString('utf8')) };
    } catch {
      // not JSON after all; kept as bytes below
    }
  }
  if (/^text\//.test(contentType ?? '') && buffer.length <= INLINE_LIMIT) {
    return { text: buffer.toString('utf8') };
  }
  const sha256 = crypto.createHash('sha256').update(buffer).digest('hex');
  return buffer.length <= INLINE_LIMIT
    ? { base64: buffer.toString('base64'), bytes: buffer.length, sha256 }
    : { bytes: buffer.length, sha256 };
}

function queryOf(url) {
  const query = {};
  for (const [key, value] of url.searchParams) {
    if (key in query) {
      query[key] = [].concat(query[key], value);
    } else {
      query[key] = value;
    }
  }
  return query;
}

async function control(req, res, url) {
  const body = await readBody(req);
  if (url.pathname === '/__recorder/step') {
    newStep(url.searchParams.get('name') ?? '(unnamed)');
  } else if (url.pathname === '/__recorder/verdict') {
    const verdict = body.length ? JSON.parse(body.toString('utf8')) : {};
    Object.assign(current, { client: verdict });
  } else if (url.pathname === '/__recorder/save') {
    const file = url.searchParams.get('file');
    const meta = body.length ? JSON.parse(body.toString('utf8')) : {};
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      `${JSON.stringify(
        {
          ...meta,
          steps: steps.filter(s => s.exchanges.length > 0 || s.client),
        },
        null,
        1,
      )}\n`,
    );
    steps = [];
    newStep('(setup)');
  } else {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://recorder');
  if (url.pathname.startsWith('/__recorder/')) {
    await control(req, res, url);
    return;
  }
  // The exchange's place is taken when the request arrives (see above).
  const exchange = { method: req.method, path: url.pathname };
  current.exchanges.push(exchange);
  const requestBody = await readBody(req);
  const headers = { ...req.headers, host: TARGET.host };
  delete headers['accept-encoding'];
  const forwarded = http.request(
    {
      host: TARGET.hostname,
      port: TARGET.port,
      method: req.method,
      path: `${PREFIX}${url.pathname}${url.search}`,
      headers,
    },
    async upstream => {
      const responseBody = await readBody(upstream);
      Object.assign(exchange, {
        query: queryOf(url),
        request: describeBody(requestBody, req.headers['content-type']),
        status: upstream.statusCode,
        response: describeBody(responseBody, upstream.headers['content-type']),
      });
      const outHeaders = { ...upstream.headers };
      delete outHeaders['transfer-encoding'];
      outHeaders['content-length'] = String(responseBody.length);
      res.writeHead(upstream.statusCode, outHeaders).end(responseBody);
    },
  );
  forwarded.on('error', error => {
    Object.assign(exchange, { error: String(error) });
    res.writeHead(502).end(String(error));
  });
  forwarded.end(requestBody);
});

server.listen(LISTEN, '127.0.0.1', () => {
  process.stdout.write(
    `recording ${TARGET.origin}${PREFIX} on http://127.0.0.1:${LISTEN}\n`,
  );
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
