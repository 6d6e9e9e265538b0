/** A feature value as clients send it. */
export type FeatureValue = number | string | boolean | null;

/** A validated prediction event, ready to be counted. */
export interface PredictionEvent {
  /** Client event id: the key that makes a retried batch harmless. */
  id: string;
  timestampMs: number;
  environment: string;
  modelVersion?: string;
  latencyMs: number;
  status: 'ok' | 'error';
  prediction?: FeatureValue;
  confidence?: number | null;
  label?: FeatureValue;
  features?: Record<string, FeatureValue>;
}
