import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { mlopsDeploymentTargetsExtensionPoint } from '@backstage-mlops/plugin-mlops-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { openMlopsDatabase } from './database/migrations';
import { readDemoData, seedDemoData } from './demo/seedDemoData';
import {
  DeploymentTargetCollector,
  registryVersionCheck,
  setupDeployments,
} from './deployments';
import { setupPipelines } from './pipelines';
import {
  DriftService,
  DriftStore,
  createDriftRouter,
  driftSettingsFromConfig,
  scheduleDriftChecks,
} from './drift';
import { EntityResolver } from './shared/EntityResolver';
import { HealthService } from './health/HealthService';
import {
  IncidentService,
  IncidentStore,
  createIncidentsRouter,
  readIncidentConfig,
  scheduleHealthChecks,
} from './incidents';
import { MlopsObjectStore } from './objects/MlopsObjectStore';
import {
  MlopsObjectService,
  ObjectChangeNotifier,
  createObjectsRouter,
} from './objects';
import { MetricDirections } from './registry/compareVersions';
import { RegistryStore } from './registry/RegistryStore';
import { createRouter } from './service/router';
import {
  MonitoringService,
  MonitoringStore,
  scheduleMonitoringRetention,
} from './monitoring';
import { TrackingStore } from './tracking';
import { HealthChangeSignal } from './shared/HealthChangeSignal';
import { withRetrainWebhook } from './pipelines/RetrainWebhook';
import { MlopsObjectReadAccess } from './permissions/MlopsObjectReadAccess';

/**
 * The MLOps backend plugin, served under `/api/mlops`.
 *
 * @public
 */
export const mlopsPlugin = createBackendPlugin({
  pluginId: 'mlops',
  register(env) {
    const deploymentTargets = new DeploymentTargetCollector();
    env.registerExtensionPoint(
      mlopsDeploymentTargetsExtensionPoint,
      deploymentTargets,
    );
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
        events: eventsServiceRef,
      },
      async init({
        config,
        logger,
        httpRouter,
        httpAuth,
        database,
        scheduler,
        auth,
        permissions,
        permissionsRegistry,
        catalog,
        events,
      }) {
        const db = await openMlopsDatabase(database);
        MlopsObjectReadAccess.register(permissionsRegistry, db);
        const readAccess = new MlopsObjectReadAccess(db, permissions, httpAuth);
        const objects = new MlopsObjectStore(db);
        const registry = new RegistryStore(db);
        // Write routes ask for a prompt health re-evaluation through this
        // signal; the incident service it reaches is built further down.
        const healthChanges = new HealthChangeSignal();
        const pipelines = await setupPipelines({
          config,
          logger,
          httpAuth,
          db,
          entities: new EntityResolver(catalog),
          scheduler,
          healthChanges,
          readAccess,
        });
        const deployments = setupDeployments({
          config,
          logger,
          httpAuth,
          db,
          entities: new EntityResolver(catalog),
          extraTargets: deploymentTargets.targets,
          catalog,
          permissions,
          versions: registryVersionCheck(registry),
          healthChanges,
          readAccess,
        });
        const tracking = await TrackingStore.create({ db });
        const monitoringStore = new MonitoringStore(db);
        const monitoring = {
          store: monitoringStore,
          service: new MonitoringService(monitoringStore, { registry }),
          healthChanges,
        };
        await scheduleMonitoringRetention({
          scheduler,
          logger,
          store: monitoringStore,
        });
        const driftStore = new DriftStore(db);
        const drift = new DriftService({
          store: driftStore,
          logger,
          ...driftSettingsFromConfig(config),
          versions: registry,
          registry,
          featureWindows: monitoring.service,
        });
        await scheduleDriftChecks({ config, scheduler, logger, drift });
        const incidentStore = new IncidentStore(db);
        const incidents = new IncidentService({
          store: incidentStore,
          logger,
          catalog,
          auth,
          ...readIncidentConfig(config),
          // Every source is optional (incidents/sources.ts): without one its
          // detectors do not run and what they would judge stays unknown.
          sources: {
            monitoring: monitoring.service,
            drift,
            deployments: deployments.store,
            // A retrain request also reaches the orchestrator when an operator
            // configured its webhook.
            pipelines: withRetrainWebhook(pipelines.store, {
              url: config.getOptionalString(
                'mlops.pipelines.retrainWebhookUrl',
              ),
              logger,
            }),
            registry,
          },
        });
        healthChanges.connect(incidents);
        await scheduleHealthChecks({ scheduler, config, logger, incidents });
        // Create and delete routes call objectChanges so the catalog mirrors
        // the change within seconds.
        const objectChanges = new ObjectChangeNotifier({ events, logger });
        const objectService = new MlopsObjectService({
          store: objects,
          notifier: objectChanges,
          appBaseUrl: config.getOptionalString('app.baseUrl') ?? '',
          registry,
        });

        const seedFile = config.getOptionalString('mlops.demo.seedFile');
        if (seedFile) {
          await seedDemoData({
            data: await readDemoData(seedFile),
            objects,
            logger,
            deployments: { db },
            pipelines: { db },
            monitoring: monitoringStore,
            tracking,
            drift: { drift, store: driftStore, registry },
            incidents,
            registry,
          });
        }

        // Before the main router: the drift routes parse their own, larger
        // JSON bodies.
        httpRouter.use(
          await createDriftRouter({
            httpAuth,
            entities: new EntityResolver(catalog),
            drift,
            readAccess,
          }),
        );
        httpRouter.use(
          await createRouter({
            logger,
            httpAuth,
            db,
            entities: new EntityResolver(catalog),
            health: new HealthService(objects, incidentStore),
            triageSignals: incidents,
            fleetSources: { registry, drift, incidents: incidentStore },
            tracking,
            objectChanges,
            monitoring,
            catalog,
            readAccess,
            registry: {
              store: registry,
              directions: MetricDirections.fromConfig(config),
              runs: tracking,
              deployments: deployments.store,
              permissions,
              objectChanges,
            },
          }),
        );
        httpRouter.use(
          createObjectsRouter({ httpAuth, objects: objectService, readAccess }),
        );
        httpRouter.use(deployments.router);
        httpRouter.use(pipelines.router);
        httpRouter.use(
          await createIncidentsRouter({
            httpAuth,
            entities: new EntityResolver(catalog),
            incidents,
            catalog,
            permissions,
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
