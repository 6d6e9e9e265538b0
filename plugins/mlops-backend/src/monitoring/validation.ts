import { InputError } from '@backstage/errors';
import { z } from 'zod';
import { FeatureValue, PredictionEvent } from './types';

/** Most events one batch may carry. */
export const MAX_EVENTS_PER_BATCH = 5000;
/** Most features one event may carry. */
export const MAX_FEATURES_PER_EVENT = 100;
/** Longest client event id. */
export const MAX_EVENT_ID_LENGTH = 200;
/** Longest string prediction, label or feature value. */
export const MAX_VALUE_LENGTH = 1000;
/** How far in the past an event may be (rollups older than this are gone). */
export const MAX_EVENT_AGE_MS = 7 * 24 * 60 * 60 * 1000;
/** How far ahead of the server's clock an event may be. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
/** Latencies above a day are a client bug, not a slow model. */
export const MAX_LATENCY_MS = 24 * 60 * 60 * 1000;

const ENVIRONMENT = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const FEATURE_NAME = /^[\p{L}\p{N}_.\-:/ ]{1,128}$/u;

const EVENT_FIELDS = new Set([
  'id',
  'timestamp',
  'environment',
  'modelVersion',
  'latencyMs',
  'status',
  'prediction',
  'confidence',
  'label',
  'features',
]);

// ISO 8601 with a date, a time and an explicit offset, e.g.
// 2026-11-25T13:00:00.123Z or 2026-11-25T14:00:00+01:00.
const ISO_TIMESTAMP =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Why a prediction, label or feature value is not acceptable, if it is not. */
function scalarProblem(value: unknown): string | undefined {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? undefined : 'must be a finite number';
    case 'string':
      return value.length <= MAX_VALUE_LENGTH
        ? undefined
        : `must be at most ${MAX_VALUE_LENGTH} characters`;
    case 'boolean':
      return undefined;
    default:
      return value === null
        ? undefined
        : 'must be a number, string, boolean or null';
  }
}

/**
 * Checks one event. The batch route sees tens of thousands of events a
 * second, so events are checked by hand rather than through a zod schema,
 * which costs several times more per event (measured with bench/ingest);
 * the envelope and every other route still go through zod. Returns the
 * problems as `field: message`, or the event in store form.
 */
function checkEvent(
  raw: unknown,
  now: number,
): { problems: string[] } | { event: PredictionEvent } {
  if (!isPlainObject(raw)) {
    return { problems: [': must be an object'] };
  }
  const problems: string[] = [];
  for (const key of Object.keys(raw)) {
    if (!EVENT_FIELDS.has(key)) {
      problems.push(`.${key}: is not a known field`);
    }
  }
  const { id, timestamp, environment, modelVersion, latencyMs, status } = raw;
  if (
    typeof id !== 'string' ||
    id.length === 0 ||
    id.length > MAX_EVENT_ID_LENGTH
  ) {
    problems.push(
      `.id: must be a string of 1 to ${MAX_EVENT_ID_LENGTH} characters`,
    );
  }
  let timestampMs = NaN;
  if (typeof timestamp === 'string' && ISO_TIMESTAMP.test(timestamp)) {
    timestampMs = Date.parse(timestamp);
  } else if (
    typeof timestamp === 'number' &&
    Number.isInteger(timestamp) &&
    timestamp > 0
  ) {
    timestampMs = timestamp;
  }
  if (Number.isNaN(timestampMs)) {
    problems.push(
      '.timestamp: must be an ISO 8601 date-time with a time zone offset or epoch milliseconds',
    );
  } else if (timestampMs < now - MAX_EVENT_AGE_MS) {
    problems.push('.timestamp: is more than 7 days old');
  } else if (timestampMs > now + MAX_CLOCK_SKEW_MS) {
    problems.push('.timestamp: is more than 5 minutes in the future');
  }
  if (typeof environment !== 'string' || !ENVIRONMENT.test(environment)) {
    problems.push(
      '.environment: must be 1-63 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit',
    );
  }
  if (
    modelVersion !== undefined &&
    !(
      typeof modelVersion === 'string' &&
      modelVersion.length > 0 &&
      modelVersion.length <= 64
    ) &&
    !(
      typeof modelVersion === 'number' &&
      Number.isInteger(modelVersion) &&
      modelVersion >= 0
    )
  ) {
    problems.push(
      '.modelVersion: must be a non-negative integer or a string of 1 to 64 characters',
    );
  }
  if (
    typeof latencyMs !== 'number' ||
    !(latencyMs >= 0 && latencyMs <= MAX_LATENCY_MS)
  ) {
    problems.push(`.latencyMs: must be a number from 0 to ${MAX_LATENCY_MS}`);
  }
  if (status !== 'ok' && status !== 'error') {
    problems.push('.status: must be "ok" or "error"');
  }
  for (const field of ['prediction', 'label'] as const) {
    if (raw[field] !== undefined) {
      const problem = scalarProblem(raw[field]);
      if (problem) {
        problems.push(`.${field}: ${problem}`);
      }
    }
  }
  const confidence = raw.confidence;
  if (
    confidence !== undefined &&
    confidence !== null &&
    !(typeof confidence === 'number' && confidence >= 0 && confidence <= 1)
  ) {
    problems.push('.confidence: must be a number from 0 to 1');
  }
  const features = raw.features;
  if (features !== undefined) {
    if (!isPlainObject(features)) {
      problems.push('.features: must be an object of feature name to value');
    } else {
      const names = Object.keys(features);
      if (names.length > MAX_FEATURES_PER_EVENT) {
        problems.push(
          `.features: at most ${MAX_FEATURES_PER_EVENT} features per event`,
        );
      }
      for (const name of names) {
        if (!FEATURE_NAME.test(name)) {
          problems.push(
            `.features.${name.slice(
              0,
              40,
            )}: feature names are 1-128 letters, digits, spaces or _ . - : /`,
          );
          continue;
        }
        const problem = scalarProblem(features[name]);
        if (problem) {
          problems.push(`.features.${name}: ${problem}`);
        }
      }
    }
  }
  if (problems.length > 0) {
    return { problems };
  }
  return {
    event: {
      id: id as string,
      timestampMs,
      environment: environment as string,
      modelVersion:
        modelVersion === undefined ? undefined : String(modelVersion),
      latencyMs: latencyMs as number,
      status: status as 'ok' | 'error',
      prediction: raw.prediction as FeatureValue | undefined,
      confidence: confidence as number | null | undefined,
      label: raw.label as FeatureValue | undefined,
      features: features as Record<string, FeatureValue> | undefined,
    },
  };
}

const batchSchema = z.strictObject({
  events: z
    .array(z.unknown())
    .min(1, 'must hold at least one event')
    .max(
      MAX_EVENTS_PER_BATCH,
      `at most ${MAX_EVENTS_PER_BATCH} events per batch`,
    ),
});

// A batch of thousands of bad events must not produce a megabyte of text.
const MAX_REPORTED_PROBLEMS = 10;

/**
 * Validates a whole prediction batch before anything is written. Returns the
 * events in store form or throws an InputError naming the first problems by
 * event index.
 */
export function parsePredictionBatch(
  body: unknown,
  now: number = Date.now(),
): PredictionEvent[] {
  const batch = batchSchema.safeParse(body);
  if (!batch.success) {
    throw new InputError(
      `Invalid prediction batch: ${batch.error.issues
        .slice(0, MAX_REPORTED_PROBLEMS)
        .map(i =>
          i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message,
        )
        .join('; ')}`,
    );
  }
  const problems: string[] = [];
  let problemCount = 0;
  const report = (index: number, message: string) => {
    problemCount += 1;
    if (problems.length < MAX_REPORTED_PROBLEMS) {
      problems.push(`events.${index}${message}`);
    }
  };
  const events: PredictionEvent[] = [];
  batch.data.events.forEach((raw, index) => {
    const checked = checkEvent(raw, now);
    if ('problems' in checked) {
      for (const problem of checked.problems) {
        report(index, problem);
      }
    } else {
      events.push(checked.event);
    }
  });
  if (problemCount > 0) {
    const more =
      problemCount > problems.length
        ? ` (and ${problemCount - problems.length} more)`
        : '';
    throw new InputError(
      `Invalid prediction batch, nothing was recorded: ${problems.join(
        '; ',
      )}${more}`,
    );
  }
  return events;
}

/** Query of the entity metrics route. */
export const metricsQuerySchema = z.strictObject({
  window: z.enum(['1h', '24h', '7d']).default('24h'),
  environment: z
    .string()
    .regex(ENVIRONMENT, 'must be a valid environment name')
    .optional(),
});
