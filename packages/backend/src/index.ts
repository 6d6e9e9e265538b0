import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

// Events: carries the catalog's MLOps deltas between backend replicas (without
// it each replica only sees the changes made on itself).
backend.add(import('@backstage/plugin-events-backend'));

// Auth: the guest provider for local use; see app-config.yaml.
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

// Catalog, with the MLOps entity provider and annotation processor.
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
backend.add(import('@backstage-mlops/plugin-catalog-backend-module-mlops'));

// Scaffolder, with the mlops:pipeline:register action.
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage-mlops/plugin-scaffolder-backend-module-mlops'));

// Permissions, with the demo policy: owners act on their MLOps entities,
// everyone signed in reads.
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./permissions'));

// Search over the catalog; PostgreSQL search engine when running on PostgreSQL.
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-pg'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));
// MLOps models, pipelines, experiments and the triage guide in search.
backend.add(import('@backstage-mlops/plugin-search-backend-module-mlops'));

// Notifications (the Notifications page; MLOps incidents notify their
// owners) and signals, which push them to open browsers.
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

// MLOps.
backend.add(import('@backstage-mlops/plugin-mlops-backend'));
// The demo organisation from mlops.demo.seedFile (the demo portal only).
backend.add(import('@backstage-mlops/plugin-mlops-backend-module-demo'));
// Mirrors the MLflow servers under mlops.sources.mlflow (none: it does nothing).
backend.add(
  import('@backstage-mlops/plugin-mlops-backend-module-source-mlflow'),
);
// Pipelines from Airflow and Prefect, serving metrics from Prometheus
// (mlops.sources.airflow, .prefect, .prometheus; none: they do nothing).
backend.add(
  import('@backstage-mlops/plugin-mlops-backend-module-source-airflow'),
);
backend.add(
  import('@backstage-mlops/plugin-mlops-backend-module-source-prefect'),
);
backend.add(
  import('@backstage-mlops/plugin-mlops-backend-module-source-prometheus'),
);

backend.start();
