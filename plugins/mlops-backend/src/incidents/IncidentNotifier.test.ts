import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  NotificationSendOptions,
  NotificationService,
} from '@backstage/plugin-notifications-node';
import knexFactory, { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/databases';
import { migrateForIncidents } from './__testUtils__/migrate';
import { Finding } from './detectors/types';
import {
  IncidentNotificationSettings,
  IncidentNotifier,
} from './IncidentNotifier';
import { MlopsObjectStore } from '../objects';
import { IncidentStore } from './IncidentStore';

jest.setTimeout(60_000);

const model = { kind: 'model' as const, name: 'fraud-detection' };
const at = (minute: number) => new Date(Date.UTC(2026, 11, 3, 12, minute));

const errorRate = (severity: Finding['severity'], rate: number): Finding => ({
  symptom: 'error_rate_high',
  severity,
  message: `Error rate ${rate}% is above 5%`,
  evidence: {
    values: { errorRate: rate / 100 },
    threshold: 0.05,
    windowMinutes: 15,
  },
});

const fraudEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'fraud-detection',
    namespace: 'default',
    title: 'Fraud detection',
    annotations: { 'backstage-mlops.dev/model': 'fraud-detection' },
  },
  spec: { type: 'ml-model', lifecycle: 'production', owner: 'risk-ml' },
};

/** A notifications service that records what it was asked to send. */
function recordingNotifications() {
  const sent: NotificationSendOptions[] = [];
  const service: NotificationService = {
    async send(options) {
      sent.push(options);
    },
  };
  return { sent, service };
}

describe('IncidentNotifier', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let knex: Knex;
    const extraConnections: Knex[] = [];

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await migrateForIncidents(knex);
      await knex('mlops_registered_models').insert({
        name: 'fraud-detection',
        owner: 'group:default/fraud-store-owner',
        created_at: at(0),
        updated_at: at(0),
      });
    });

    afterAll(async () => {
      await Promise.all(extraConnections.map(c => c.destroy()));
    });

    /** One backend replica: its own store (and, on PostgreSQL, its own pool). */
    function replica(
      notifications: NotificationService,
      settings: Partial<IncidentNotificationSettings> = {},
      entities: Entity[] = [fraudEntity],
    ) {
      let db = knex;
      if (databaseId !== 'SQLITE_3') {
        // In-memory SQLite is one connection; PostgreSQL replicas are not.
        db = knexFactory(knex.client.config);
        extraConnections.push(db);
      }
      const store = new IncidentStore(db);
      const logger = mockServices.logger.mock();
      const notifier = new IncidentNotifier({
        store,
        owners: new MlopsObjectStore(db),
        notifications,
        catalog: catalogServiceMock({ entities }),
        auth: mockServices.auth(),
        logger,
        settings: { enabled: true, minSeverity: 'warning', ...settings },
      });
      store.onChange(notifier.onChange);
      return { store, notifier, logger };
    }

    it('notifies the owning group once when an incident opens, once per severity change and once when it resolves', async () => {
      const { sent, service } = recordingNotifications();
      const { store } = replica(service);

      const { incident } = await store.reportSymptom(
        model,
        errorRate('warning', 6),
        at(1),
      );
      // Seen again, unchanged: nothing new to tell.
      await store.reportSymptom(model, errorRate('warning', 7), at(2));
      await store.reportSymptom(model, errorRate('critical', 12), at(3));
      await store.reportSymptom(model, errorRate('critical', 14), at(4));
      expect(await store.reportClear(model, 'error_rate_high', at(5), 0)).toBe(
        'resolved',
      );

      expect(sent.map(n => [n.payload.title, n.payload.severity])).toEqual([
        ['Fraud detection: error rate high (warning)', 'high'],
        ['Fraud detection: error rate high is now critical', 'critical'],
        ['Fraud detection: error rate high resolved', 'normal'],
      ]);
      for (const notification of sent) {
        expect(notification.recipients).toEqual({
          type: 'entity',
          entityRef: 'group:default/risk-ml',
        });
        expect(notification.payload.link).toBe(
          `/catalog/default/component/fraud-detection/mlops?incident=${incident.id}`,
        );
        expect(notification.payload.topic).toBe('MLOps incident');
      }
      expect(sent[0].payload.description).toContain(
        'Error rate 6% is above 5%',
      );
      const rows = await knex('mlops_incident_notifications')
        .where({ incident_id: incident.id })
        .orderBy('notified_at')
        .pluck('notice');
      expect(rows.sort()).toEqual(['opened', 'resolved', 'severity:critical']);
    });

    it('notifies when a person resolves the incident', async () => {
      const { sent, service } = recordingNotifications();
      const { store } = replica(service);
      const { incident } = await store.reportSymptom(
        model,
        errorRate('critical', 9),
        at(1),
      );
      await store.resolve(incident.id, 'user:default/alice', 'rolled back');
      expect(sent.map(n => n.payload.title)).toEqual([
        'Fraud detection: error rate high (critical)',
        'Fraud detection: error rate high resolved',
      ]);
      expect(sent[1].payload.description).toContain('by user:default/alice');
    });

    it('sends each notice once when two replicas evaluate the same incident', async () => {
      const { sent, service } = recordingNotifications();
      const a = replica(service);
      const b = replica(service);

      await Promise.all([
        a.store.reportSymptom(model, errorRate('warning', 6), at(1)),
        b.store.reportSymptom(model, errorRate('warning', 6), at(1)),
      ]);
      await Promise.all([
        a.store.reportSymptom(model, errorRate('critical', 12), at(2)),
        b.store.reportSymptom(model, errorRate('critical', 12), at(2)),
      ]);
      const [incident] = await a.store.openIncidents([model]);
      // Both replicas believe they saw the change: the claim decides.
      await Promise.all([
        a.notifier.onChange(incident, 'severity_changed'),
        b.notifier.onChange(incident, 'severity_changed'),
      ]);
      await Promise.all([
        a.store.reportClear(model, 'error_rate_high', at(3), 0),
        b.store.reportClear(model, 'error_rate_high', at(3), 0),
      ]);
      const resolved = await a.store.get(incident.id);
      await Promise.all([
        a.notifier.onChange(resolved, 'resolved'),
        b.notifier.onChange(resolved, 'resolved'),
      ]);

      expect(sent.map(n => n.payload.title)).toEqual([
        'Fraud detection: error rate high (warning)',
        'Fraud detection: error rate high is now critical',
        'Fraud detection: error rate high resolved',
      ]);
    });

    it('sends nothing when notifications are disabled', async () => {
      const { sent, service } = recordingNotifications();
      const { store } = replica(service, { enabled: false });
      const { incident } = await store.reportSymptom(
        model,
        errorRate('critical', 9),
        at(1),
      );
      await store.resolve(incident.id, 'user:default/alice');
      expect(sent).toEqual([]);
      const [{ n }] = await knex('mlops_incident_notifications').count({
        n: '*',
      });
      expect(Number(n)).toBe(0);
    });

    it('says nothing below the minimum severity, and speaks up when the incident turns critical', async () => {
      const { sent, service } = recordingNotifications();
      const { store } = replica(service, { minSeverity: 'critical' });

      const quiet = await store.reportSymptom(
        model,
        errorRate('warning', 6),
        at(1),
      );
      await store.resolve(quiet.incident.id, 'user:default/alice');
      // Nobody was told it opened, so nobody is told it resolved.
      expect(sent).toEqual([]);

      await store.reportSymptom(model, errorRate('warning', 6), at(2));
      await store.reportSymptom(model, errorRate('critical', 15), at(3));
      expect(sent.map(n => n.payload.title)).toEqual([
        'Fraud detection: error rate high is now critical',
      ]);
    });

    it("tells the store's owner when no catalog entity claims the object", async () => {
      const { sent, service } = recordingNotifications();
      const { store } = replica(service, {}, []);
      await store.reportSymptom(model, errorRate('critical', 9), at(1));
      expect(sent).toHaveLength(1);
      expect(sent[0].recipients).toEqual({
        type: 'entity',
        entityRef: 'group:default/fraud-store-owner',
      });
      expect(sent[0].payload.title).toBe(
        'fraud-detection: error rate high (critical)',
      );
      expect(sent[0].payload.link).toBe('/mlops');
    });

    it('keeps evaluating when the notifications service fails', async () => {
      const failing: NotificationService = {
        async send() {
          throw new Error('notifications backend unavailable');
        },
      };
      const { store, logger } = replica(failing);
      const outcome = await store.reportSymptom(
        model,
        errorRate('critical', 9),
        at(1),
      );
      expect(outcome.opened).toBe(true);
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringContaining('notifications backend unavailable'),
      );
    });
  });
});
