import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import {
  MLOPS_OBJECTS_EVENT_TOPIC,
  MlopsObjectChangeEvent,
  objectChangesOf,
} from '@backstage-mlops/plugin-mlops-common';
import { DEFAULT_OBJECT_CHANGE_WINDOW } from '../shared/ObjectChangeNotifier';

/**
 * Another plugin listening for the MLOps backend's object announcements, as
 * the catalog module does in a real backend. Start the test backend with
 * `feature` and the real in-process events service (`eventsServiceFactory`,
 * `events.useEventBus: 'never'`), so events cross plugins.
 */
export function announcementListener() {
  const received: MlopsObjectChangeEvent[] = [];
  const feature = createBackendPlugin({
    pluginId: 'announcement-listener',
    register(env) {
      env.registerInit({
        deps: { events: eventsServiceRef },
        async init({ events }) {
          await events.subscribe({
            id: 'announcement-listener',
            topics: [MLOPS_OBJECTS_EVENT_TOPIC],
            onEvent: async event => {
              received.push(...objectChangesOf(event.eventPayload));
            },
          });
        },
      });
    },
  });
  return {
    feature,
    /** Every change announced so far, events unpacked, in order. */
    received,
    /**
     * Waits until the announcements of the requests made so far have
     * arrived: past the notifier's window, with room for delivery.
     */
    settle: () =>
      new Promise<void>(resolve =>
        setTimeout(resolve, DEFAULT_OBJECT_CHANGE_WINDOW.windowMs * 3),
      ),
  };
}
