import { LoggerService } from '@backstage/backend-plugin-api';
import { MlopsObjectChangeEvent } from '@backstage-mlops/plugin-mlops-common';

/** More distinct objects waiting than this are left to the full refresh. */
const DEFAULT_MAX_PENDING = 10_000;

/**
 * Applies MLOps object changes to the catalog one at a time, after the event
 * handler has returned. The events service awaits its subscribers, so doing
 * the delta inside the handler made every create request wait for a round
 * trip to the MLOps API and a catalog mutation (registered-models/create was
 * 2.5x slower than MLflow's own server because of it).
 *
 * Changes to the same object coalesce: only its latest event is kept, and
 * the delta re-reads the object anyway. The queue is bounded; past the bound
 * a change is dropped with one warning, and the scheduled full refresh
 * mirrors it instead.
 */
export class ChangeQueue {
  private readonly pending = new Map<string, MlopsObjectChangeEvent>();
  private draining: Promise<void> | undefined;
  private warnedFull = false;

  constructor(
    private readonly apply: (event: MlopsObjectChangeEvent) => Promise<void>,
    private readonly logger: LoggerService,
    private readonly maxPending = DEFAULT_MAX_PENDING,
  ) {}

  enqueue(event: MlopsObjectChangeEvent): void {
    const key = `${event.kind}:${event.name}`;
    if (!this.pending.has(key) && this.pending.size >= this.maxPending) {
      if (!this.warnedFull) {
        this.warnedFull = true;
        this.logger.warn(
          `MLOps catalog: more than ${this.maxPending} changes waiting; the next full refresh mirrors the rest`,
        );
      }
      return;
    }
    // Re-insert so the map's order stays the order of the latest changes.
    this.pending.delete(key);
    this.pending.set(key, event);
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /** Resolves once every change enqueued so far has been applied. */
  async idle(): Promise<void> {
    while (this.draining) {
      await this.draining;
    }
  }

  private async drain(): Promise<void> {
    // Yield first, so the publisher's request finishes before any work here.
    await new Promise(resolve => setImmediate(resolve));
    for (;;) {
      const next = this.pending.entries().next();
      if (next.done) {
        break;
      }
      const [key, event] = next.value;
      this.pending.delete(key);
      try {
        await this.apply(event);
      } catch (error) {
        this.logger.warn(`MLOps catalog delta failed: ${error}`);
      }
    }
    this.warnedFull = false;
  }
}
