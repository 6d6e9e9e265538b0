import { LoggerService } from '@backstage/backend-plugin-api';
import {
  MLOPS_OBJECTS_EVENT_TOPIC,
  MlopsObjectChangeEvent,
  MlopsObjectKind,
} from '@backstage-mlops/plugin-mlops-common';
import { EventsService } from '@backstage/plugin-events-node';

/**
 * Announces that a model, experiment or pipeline was created, changed or
 * deleted, so the catalog can mirror it within seconds instead of at its next
 * scheduled refresh. Every route that creates or deletes one of these objects
 * calls it after its write committed.
 */
export class ObjectChangeNotifier {
  private readonly events?: EventsService;
  private readonly logger: LoggerService;

  constructor(options: { events?: EventsService; logger: LoggerService }) {
    this.events = options.events;
    this.logger = options.logger;
  }

  /** The object now exists (created or changed). */
  async upserted(kind: MlopsObjectKind, name: string): Promise<void> {
    await this.publish({ action: 'upserted', kind, name });
  }

  /** The object no longer exists. */
  async deleted(kind: MlopsObjectKind, name: string): Promise<void> {
    await this.publish({ action: 'deleted', kind, name });
  }

  private async publish(event: MlopsObjectChangeEvent): Promise<void> {
    if (!this.events) {
      return;
    }
    // The request does not wait for the announcement to travel. Backstage's
    // events service calls this backend's own subscribers (the catalog
    // module's queue) before its first await and then, on PostgreSQL, posts
    // the event to the events backend's bus for other replicas: an HTTP
    // round trip and a database write inside every create and delete.
    // Through a promise, so a publish that throws at once (or an events
    // service that returns no promise) cannot fail the write that called it.
    const events = this.events;
    Promise.resolve()
      .then(() =>
        events.publish({
          topic: MLOPS_OBJECTS_EVENT_TOPIC,
          eventPayload: event,
        }),
      )
      .catch(error => {
        // The write already succeeded; the catalog's scheduled full refresh
        // picks the change up even when this announcement is lost.
        this.logger.warn(
          `Could not announce ${event.action} of ${event.kind} "${event.name}": ${error}`,
        );
      });
  }
}
