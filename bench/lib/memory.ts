/* eslint-disable no-console */
import fs from 'fs';

/*
 * Every bench prints the backend's peak resident memory (the charter's
 * 600 MB ceiling). The benches built on startBackend run the backend in
 * their own process, so the kernel's high-water mark of this process
 * (VmHWM) is the peak, whatever happened between two samples; it includes
 * the bench's own client and seed data, so it is an upper bound.
 */

/** The goal every bench holds the backend to, in MiB. */
export const RSS_GOAL_MIB = 600;

/** The peak RSS of this process so far, in MiB. */
export function peakRssMib(): number {
  try {
    const status = fs.readFileSync('/proc/self/status', 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    if (match) return Number(match[1]) / 1024;
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS / 1024;
}

let registered = false;

/** Prints this process's peak RSS against the goal when the bench ends. */
export function printPeakRssAtExit(
  label = 'backend (in this process) peak RSS',
): void {
  if (registered) return;
  registered = true;
  process.once('exit', () => {
    const mib = peakRssMib();
    console.log(
      `${label}: ${mib.toFixed(0)} MiB (goal < ${RSS_GOAL_MIB} MiB) ${
        mib < RSS_GOAL_MIB ? 'ok' : 'OVER'
      }`,
    );
  });
}
