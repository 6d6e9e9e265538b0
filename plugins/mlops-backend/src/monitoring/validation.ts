import { InputError } from '@backstage/errors';
import { z } from 'zod';
import { PredictionEvent } from './types';

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
const MAX_LATENCY_MS = 24 * 60 * 60 * 1000;

const ENVIRONMENT = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const FEATURE_NAME = /^[\p{L}\p{N}_.\-:/ ]{1,128}$/u;

const scalar = z.union([
  z.number().refine(Number.isFinite, 'must be a finite number'),
  z.string().max(MAX_VALUE_LENGTH),
  z.boolean(),
  z.null(),
]);

const eventSchema = z.strictObject({
  id: z.string().min(1).max(MAX_EVENT_ID_LENGTH),
  timestamp: z.union([
    z.iso.datetime({ offset: true }),
    z.number().int().positive(),
  ]),
  environment: z
    .string()
    .regex(
      ENVIRONMENT,
      'must be 1-63 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit',
    ),
  modelVersion: z.union([z.string().min(1).max(64), z.number().int().nonnegative()]).optional(),
  latencyMs: z.number().nonnegative().max(MAX_LATENCY_MS),
  status: z.enum(['ok', 'error']),
  prediction: scalar.optional(),
  confidence: z.number().min(0).max(1).nullable().optional(),
  label: scalar.optional(),
  features: z
    .record(
      z.string().regex(FEATURE_NAME, 'feature names are 1-128 letters, digits, spaces or _ . - : /'),
      scalar,
    )
    .refine(
      f => Object.keys(f).length <= MAX_FEATURES_PER_EVENT,
      `at most ${MAX_FEATURES_PER_EVENT} features per event`,
    )
    .optional(),
});

const batchSchema = z.strictObject({
  events: z
    .array(z.unknown())
    .min(1, 'must hold at least one event')
    .max(MAX_EVENTS_PER_BATCH, `at most ${MAX_EVENTS_PER_BATCH} events per batch`),
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
        .map(i => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
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
  const events: PredictionEvent[] = new Array(batch.data.events.length);
  batch.data.events.forEach((raw, index) => {
    const parsed = eventSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        report(
          index,
          `${issue.path.length ? `.${issue.path.join('.')}` : ''}: ${issue.message}`,
        );
      }
      return;
    }
    const e = parsed.data;
    const timestampMs =
      typeof e.timestamp === 'number' ? e.timestamp : Date.parse(e.timestamp);
    if (timestampMs < now - MAX_EVENT_AGE_MS) {
      report(index, '.timestamp: is more than 7 days old');
      return;
    }
    if (timestampMs > now + MAX_CLOCK_SKEW_MS) {
      report(index, '.timestamp: is more than 5 minutes in the future');
      return;
    }
    events[index] = {
      id: e.id,
      timestampMs,
      environment: e.environment,
      modelVersion:
        e.modelVersion === undefined ? undefined : String(e.modelVersion),
      latencyMs: e.latencyMs,
      status: e.status,
      prediction: e.prediction,
      confidence: e.confidence,
      label: e.label,
      features: e.features,
    };
  });
  if (problemCount > 0) {
    const more =
      problemCount > problems.length
        ? ` (and ${problemCount - problems.length} more)`
        : '';
    throw new InputError(
      `Invalid prediction batch, nothing was recorded: ${problems.join('; ')}${more}`,
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
