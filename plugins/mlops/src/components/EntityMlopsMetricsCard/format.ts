/** Formats a latency for people: 850 ms, 1.2 s. */
export function formatLatency(ms: number | null): string {
  if (ms === null) {
    return '–';
  }
  if (ms >= 1000) {
    return `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s`;
  }
  return `${ms >= 10 ? Math.round(ms) : ms.toFixed(1)} ms`;
}

/** Formats a ratio as a percentage; small error rates keep two decimals. */
export function formatPercent(ratio: number | null, digits = 1): string {
  if (ratio === null) {
    return '–';
  }
  return `${(ratio * 100).toFixed(digits)} %`;
}

/** Formats a rate per minute: 0.4/min, 12/min, 1.3k/min. */
export function formatThroughput(perMinute: number): string {
  if (perMinute >= 1000) {
    return `${(perMinute / 1000).toFixed(1)}k/min`;
  }
  return `${
    perMinute >= 10 ? Math.round(perMinute) : perMinute.toFixed(1)
  }/min`;
}
