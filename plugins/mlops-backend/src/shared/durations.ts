import { Config, readDurationFromConfig } from '@backstage/config';
import { Duration } from 'luxon';

/**
 * Reads an optional duration (`30m`, `PT30M` or `{ minutes: 30 }`) from
 * config as milliseconds, with a default when the key is absent.
 */
export function readDurationMs(
  config: Config,
  key: string,
  defaultMs: number,
): number {
  if (!config.has(key)) {
    return defaultMs;
  }
  const ms = Duration.fromObject(
    readDurationFromConfig(config, { key }),
  ).toMillis();
  if (!(ms > 0)) {
    throw new Error(`Config ${key} must be a positive duration`);
  }
  return ms;
}
