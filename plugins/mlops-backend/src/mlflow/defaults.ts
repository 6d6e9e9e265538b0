import { HttpAuthService, LoggerService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import { ObjectChangeNotifier } from '../shared/ObjectChangeNotifier';
import type { TrackingStore } from '../tracking';
import { MlflowError, mlflowErrorHandler } from './errors';

/**
 * What `GET <tracking URI>/version` answers, as MLflow's server answers its
 * own version: the MLflow release whose REST API this endpoint is checked
 * against (contractReplay.test replays MLflow 2.17.2's client and the 3.5
 * line's, 3.5.2.dev0). MLflow's client reads it only to decide whether to
 * send spans to `/v1/traces` (3.4 and later), which answers NOT_IMPLEMENTED
 * in the words that make the client stop sending them.
 */
export const MLFLOW_API_VERSION = '3.5.1';

const TRACES_NOT_SUPPORTED =
  'GenAI traces are not supported by this server; runs, metrics, artifacts and models are';

/** MLflow's Default experiment: id `0`, where runs go when none is set. */
export const DEFAULT_EXPERIMENT_ID = '0';
export const DEFAULT_EXPERIMENT_NAME = 'Default';

/**
 * Creates MLflow's Default experiment the first time an MLflow client
 * talks to the portal, not at start-up: a portal nobody logs to with MLflow
 * gets no empty experiment in its catalog. It belongs to nobody until
 * someone claims it (sets its owner).
 */
export class DefaultExperiment {
  private ensured?: Promise<void>;

  constructor(
    private readonly experiments: Pick<
      TrackingStore,
      'createExperimentUnlessTaken'
    >,
    private readonly objectChanges?: ObjectChangeNotifier,
  ) {}

  ensure(): Promise<void> {
    if (!this.ensured) {
      this.ensured = this.create().catch(error => {
        // Try again on the next request instead of remembering a failure.
        this.ensured = undefined;
        throw error;
      });
    }
    return this.ensured;
  }

  private async create(): Promise<void> {
    // When someone already has an experiment called Default under another
    // id, theirs is kept, and runs for experiment 0 fail as for any unknown
    // id.
    const created = await this.experiments.createExperimentUnlessTaken({
      id: DEFAULT_EXPERIMENT_ID,
      name: DEFAULT_EXPERIMENT_NAME,
    });
    if (created) {
      await this.objectChanges?.upserted('experiment', DEFAULT_EXPERIMENT_NAME);
    }
  }
}

/** A page that carries MLflow's printed links into the portal. */
function redirectPage(appBaseUrl: string): string {
  const target = JSON.stringify(`${appBaseUrl.replace(/\/+$/, '')}/mlflow`);
  // The fragment (#/experiments/1/runs/abc) never reaches a server, so a
  // script hands it on as a query; the portal's page signs the user in and
  // opens the run on its experiment's entity page. MLflow 2.x prints the
  // link with a full stop after it ("View run x at: <url>."), which a
  // terminal may take as part of the link: no route ends with one.
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>MLflow runs are in the portal</title>
<meta name="referrer" content="no-referrer"></head>
<body><p>Opening this run in the portal&hellip;</p>
<script>
var hash = window.location.hash.replace(/^#/, '').replace(/\\.+$/, '');
window.location.replace(${target} + (hash ? '?route=' + encodeURIComponent(hash) : ''));
</script>
<noscript><a href=${target}>Open the portal</a></noscript>
</body></html>`;
}

/**
 * What MLflow's server does around its API: every API call needs
 * credentials, and a missing or bad token is a 401 in MLflow's
 * `{ error_code, message }` shape (the plugin lets `/mlflow` through
 * Backstage's own check so that this router can answer it); GenAI traces
 * are not served; `/version` answers a version; the tracking URI's root
 * leads into the portal.
 */
export function createMlflowDefaultsRouter(options: {
  logger: LoggerService;
  httpAuth: HttpAuthService;
  /** Without one (no database given), experiment 0 is like any unknown id. */
  defaultExperiment?: DefaultExperiment;
  appBaseUrl: string;
}): express.Router {
  const router = Router();
  router.get(['/mlflow', '/mlflow/'], (_req, res) => {
    res
      .type('html')
      .set(
        'Content-Security-Policy',
        "default-src 'none'; script-src 'unsafe-inline'",
      )
      .send(redirectPage(options.appBaseUrl));
  });
  router.use('/mlflow/api', async (req, _res, next) => {
    await options.httpAuth.credentials(req, { allow: ['user', 'service'] });
    await options.defaultExperiment?.ensure();
    next();
  });
  const notImplemented = () => {
    throw new MlflowError('NOT_IMPLEMENTED', TRACES_NOT_SUPPORTED);
  };
  router.use('/mlflow/api/3.0/mlflow/traces', notImplemented);
  router.use('/mlflow/api/2.0/mlflow/traces', notImplemented);
  const signedIn = (req: express.Request) =>
    options.httpAuth.credentials(req, { allow: ['user', 'service'] });
  router.get('/mlflow/version', async (req, res) => {
    await signedIn(req);
    res.type('text/plain').send(MLFLOW_API_VERSION);
  });
  // MLflow 3.4+'s OTLP span export. "REST OTLP span logging is not
  // supported" is what MLflow's client looks for to stop exporting spans.
  router.use('/mlflow/v1/traces', async req => {
    await signedIn(req);
    throw new MlflowError(
      'NOT_IMPLEMENTED',
      `REST OTLP span logging is not supported: ${TRACES_NOT_SUPPORTED}`,
    );
  });
  router.use('/mlflow', mlflowErrorHandler(options.logger));
  return router;
}
