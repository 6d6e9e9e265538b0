import { createHmac, timingSafeEqual } from 'crypto';
import type {
  MlopsSourceWebhookRequest,
  MlopsSourceWebhookResult,
} from '@backstage-mlops/plugin-mlops-node';

/** How old a delivery may be, either way, before it counts as a replay. */
export const REPLAY_WINDOW_SECONDS = 300;

/** Delivery ids remembered to refuse a replay inside the window. */
const REMEMBERED_DELIVERIES = 10_000;

/** Entities whose events name a registered model in `data.name`. */
const MODEL_ENTITIES = new Set([
  'registered_model',
  'registered_model_tag',
  'model_version',
  'model_version_tag',
  'model_version_alias',
]);

/**
 * MLflow's signature: `v1,` and the base64 HMAC-SHA256, keyed with the
 * webhook's secret, of `<delivery id>.<timestamp>.<raw body>`.
 */
export function mlflowSignature(
  secret: string,
  deliveryId: string,
  timestamp: string,
  body: Buffer | string,
): string {
  const mac = createHmac('sha256', secret)
    .update(`${deliveryId}.${timestamp}.`)
    .update(body)
    .digest('base64');
  return `v1,${mac}`;
}

function equalText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Checks MLflow webhook deliveries for one instance: the signature, the
 * timestamp inside the replay window, and a delivery id not seen before;
 * an accepted model event asks for a sync of that model.
 */
export class MlflowWebhookReceiver {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly secret: string | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async handle(
    request: MlopsSourceWebhookRequest,
  ): Promise<MlopsSourceWebhookResult> {
    if (!this.secret) {
      return { accepted: false };
    }
    const signature = request.headers['x-mlflow-signature'];
    const deliveryId = request.headers['x-mlflow-delivery-id'];
    const timestamp = request.headers['x-mlflow-timestamp'];
    if (
      !signature ||
      !deliveryId ||
      !timestamp ||
      !/^\d{1,12}$/.test(timestamp)
    ) {
      return { accepted: false };
    }
    const age = this.now() / 1000 - Number(timestamp);
    if (Math.abs(age) > REPLAY_WINDOW_SECONDS) {
      return { accepted: false };
    }
    const expected = mlflowSignature(
      this.secret,
      deliveryId,
      timestamp,
      request.rawBody,
    );
    // The header may carry several signatures during a secret rotation.
    const matches = signature
      .split(' ')
      .some(candidate => equalText(candidate.trim(), expected));
    if (!matches) {
      return { accepted: false };
    }
    if (this.seen.has(deliveryId)) {
      return { accepted: false };
    }
    this.remember(deliveryId);
    let event: { entity?: unknown; data?: { name?: unknown } };
    try {
      event = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      return { accepted: true };
    }
    const name = event?.data?.name;
    if (
      typeof event?.entity === 'string' &&
      MODEL_ENTITIES.has(event.entity) &&
      typeof name === 'string' &&
      name.length > 0
    ) {
      return { accepted: true, sync: { registeredModels: [name] } };
    }
    return { accepted: true };
  }

  private remember(deliveryId: string) {
    const cutoff = this.now() - 2 * REPLAY_WINDOW_SECONDS * 1000;
    if (this.seen.size >= REMEMBERED_DELIVERIES) {
      for (const [id, at] of this.seen) {
        if (at < cutoff || this.seen.size >= REMEMBERED_DELIVERIES) {
          this.seen.delete(id);
        } else {
          break;
        }
      }
    }
    this.seen.set(deliveryId, this.now());
  }
}
