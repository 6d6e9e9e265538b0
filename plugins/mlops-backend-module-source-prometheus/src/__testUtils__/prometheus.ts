import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

/** Where Debian's `prometheus` package puts the server. */
export const PROMETHEUS_BINARY = '/usr/bin/prometheus';

/**
 * A test exporter: serves `/metrics` with an OpenTelemetry-style HTTP server
 * duration histogram (`http_server_request_duration_seconds`, label
 * `http_response_status_code`) fed by simulated traffic, ten requests every
 * 100 ms. `latencySeconds` and `errorShare` change the traffic from then on
 * (a latency spike, an error burst).
 */
export class TestExporter {
  latencySeconds = 0.02;
  errorShare = 0.01;
  private readonly buckets = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
  ];
  private readonly counts = new Map<
    string,
    { buckets: number[]; count: number; sum: number }
  >();
  private readonly server: http.Server;
  private timer?: ReturnType<typeof setInterval>;
  private tick = 0;

  constructor(private readonly port: number) {
    this.server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(this.exposition());
    });
  }

  async start() {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.timer = setInterval(() => this.traffic(), 100);
  }

  async stop() {
    clearInterval(this.timer);
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  private observe(status: string, seconds: number) {
    const entry = this.counts.get(status) ?? {
      buckets: this.buckets.map(() => 0),
      count: 0,
      sum: 0,
    };
    this.buckets.forEach((le, i) => {
      if (seconds <= le) entry.buckets[i]++;
    });
    entry.count++;
    entry.sum += seconds;
    this.counts.set(status, entry);
  }

  private traffic() {
    for (let i = 0; i < 10; i++) {
      this.tick++;
      // Deterministic spread around the current latency: 0.6x to 1.4x.
      const seconds =
        this.latencySeconds * (0.6 + ((this.tick * 37) % 81) / 100);
      // Errors spread evenly: tick * 37 mod 100 walks through every residue.
      const isError = (this.tick * 37) % 100 < this.errorShare * 100;
      this.observe(isError ? '500' : '200', seconds);
    }
  }

  private exposition(): string {
    const name = 'http_server_request_duration_seconds';
    const lines = [
      `# HELP ${name} Duration of HTTP server requests.`,
      `# TYPE ${name} histogram`,
    ];
    for (const [status, entry] of this.counts) {
      const labels = `http_request_method="POST",http_response_status_code="${status}"`;
      this.buckets.forEach((le, i) =>
        lines.push(`${name}_bucket{${labels},le="${le}"} ${entry.buckets[i]}`),
      );
      lines.push(`${name}_bucket{${labels},le="+Inf"} ${entry.count}`);
      lines.push(`${name}_sum{${labels}} ${entry.sum}`);
      lines.push(`${name}_count{${labels}} ${entry.count}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

/**
 * A real Prometheus started for a test, with a temporary config and storage
 * folder, scraping the given targets every second. `stop()` kills it and
 * removes the folder; a process exit handler kills it too if a test run
 * ends without `stop()`.
 */
export class TestPrometheus {
  private process?: ChildProcess;
  private readonly dir = fs.mkdtempSync(
    path.join(os.tmpdir(), 'mlops-prometheus-'),
  );
  private readonly killOnExit = () => this.process?.kill('SIGKILL');
  output = '';

  constructor(
    private readonly port: number,
    private readonly targets: Array<{ job: string; target: string }>,
  ) {}

  get baseUrl() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start() {
    const config = [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      ...this.targets.flatMap(t => [
        `  - job_name: ${t.job}`,
        '    static_configs:',
        `      - targets: ['${t.target}']`,
        '        labels:',
        '          namespace: payments-ml',
      ]),
    ].join('\n');
    fs.writeFileSync(path.join(this.dir, 'prometheus.yml'), config);
    this.process = spawn(
      PROMETHEUS_BINARY,
      [
        `--config.file=${path.join(this.dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(this.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${this.port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.process.stdout?.on('data', d => (this.output += d));
    this.process.stderr?.on('data', d => (this.output += d));
    process.once('exit', this.killOnExit);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null) {
        throw new Error(`Prometheus exited: ${this.output}`);
      }
      try {
        const res = await fetch(`${this.baseUrl}/-/ready`);
        if (res.ok) return;
      } catch {
        // not up yet
      }
      await new Promise(r => setTimeout(r, 200));
    }
    throw new Error(`Prometheus did not get ready: ${this.output}`);
  }

  /** Resolves once an instant query has a result. */
  async waitFor(query: string, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const res = await fetch(
        `${this.baseUrl}/api/v1/query?query=${encodeURIComponent(query)}`,
      );
      const body: any = await res.json();
      if (body.data?.result?.length > 0) return;
      await new Promise(r => setTimeout(r, 500));
    }
    throw new Error(`No result for ${query} within ${timeoutMs} ms`);
  }

  async stop() {
    process.removeListener('exit', this.killOnExit);
    const child = this.process;
    if (child && child.exitCode === null) {
      const exited = new Promise(resolve => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
