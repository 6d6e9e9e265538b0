import { HttpAuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { MlopsArtifactStore } from '@backstage-mlops/plugin-mlops-node';
import { Knex } from 'knex';
import nodePath from 'node:path';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';
import { TrackingStore } from '../tracking';
import { ArtifactLocations } from './ArtifactLocations';
import { ArtifactService } from './ArtifactService';
import { DatasetStore } from './DatasetStore';
import { FilesystemArtifactStore } from './FilesystemArtifactStore';
import { LoggedModelStore } from './LoggedModelStore';
import { MultipartUploads } from './MultipartUploads';
import { createArtifactsRouter } from './router';
import { S3ArtifactStore } from './S3ArtifactStore';

export { ArtifactService } from './ArtifactService';
export { ArtifactLocations, PROXY_SCHEME } from './ArtifactLocations';
export type { RunDatasetInput, RunDataset } from './DatasetStore';
export type { LoggedModelClause } from './LoggedModelStore';
export { mlflowLoggedModel } from './router';
export { FilesystemArtifactStore } from './FilesystemArtifactStore';
export { S3ArtifactStore } from './S3ArtifactStore';

/** Default for `mlops.artifacts.maxFileBytes`: 5 GiB, S3's largest single PUT. */
export const DEFAULT_MAX_ARTIFACT_FILE_BYTES = 5 * 1024 ** 3;

/** Default lifetime of a multipart upload's part URLs: an hour, as boto3's presigned URLs. */
const DEFAULT_PART_URL_EXPIRY_SECONDS = 3600;

function multipartFromConfig(
  config: Config,
  store: MlopsArtifactStore,
  maxFileBytes: number,
): MultipartUploads {
  const multipart = config.getOptionalConfig('mlops.artifacts.multipart');
  const signingKey = multipart?.getOptionalString('signingKey');
  if (signingKey !== undefined && signingKey.length < 32) {
    throw new Error(
      'mlops.artifacts.multipart.signingKey must be at least 32 characters',
    );
  }
  const expiresInSeconds =
    multipart?.getOptionalNumber('partUrlExpirySeconds') ??
    DEFAULT_PART_URL_EXPIRY_SECONDS;
  // S3 presigned URLs live a week at most.
  if (
    !Number.isInteger(expiresInSeconds) ||
    expiresInSeconds < 60 ||
    expiresInSeconds > 7 * 24 * 3600
  ) {
    throw new Error(
      'mlops.artifacts.multipart.partUrlExpirySeconds must be a whole number of seconds from 60 to 604800',
    );
  }
  return new MultipartUploads(store, {
    maxFileBytes,
    expiresInSeconds,
    signingKey,
  });
}

/**
 * The artifact store `mlops.artifacts` configures: a folder (the default,
 * `filesystem.root`, else `artifacts` beside the SQLite files, else
 * `./data/artifacts`) or an S3-compatible bucket.
 */
export async function artifactStoreFromConfig(
  config: Config,
): Promise<MlopsArtifactStore> {
  const type =
    config.getOptionalString('mlops.artifacts.store') ?? 'filesystem';
  if (type === 's3') {
    const s3 = config.getConfig('mlops.artifacts.s3');
    const accessKeyId = s3.getOptionalString('accessKeyId');
    const secretAccessKey = s3.getOptionalString('secretAccessKey');
    return new S3ArtifactStore({
      bucket: s3.getString('bucket'),
      prefix: s3.getOptionalString('prefix'),
      region: s3.getOptionalString('region'),
      endpoint: s3.getOptionalString('endpoint'),
      forcePathStyle: s3.getOptionalBoolean('forcePathStyle'),
      credentials:
        accessKeyId && secretAccessKey
          ? { accessKeyId, secretAccessKey }
          : undefined,
    });
  }
  if (type !== 'filesystem') {
    throw new Error(
      `mlops.artifacts.store must be 'filesystem' or 's3', not '${type}'`,
    );
  }
  // `connection` is an object for a SQLite directory or PostgreSQL, but a
  // plain string in create-app's default (`':memory:'`), where reading
  // `connection.directory` would throw and stop the plugin at start.
  const connection = config.getOptional('backend.database.connection');
  const sqliteDirectory =
    typeof connection === 'object' &&
    connection !== null &&
    !Array.isArray(connection) &&
    typeof connection.directory === 'string'
      ? connection.directory
      : undefined;
  const root =
    config.getOptionalString('mlops.artifacts.filesystem.root') ??
    (sqliteDirectory
      ? nodePath.join(sqliteDirectory, '..', 'artifacts')
      : nodePath.join('data', 'artifacts'));
  return FilesystemArtifactStore.create(root);
}

/**
 * The artifacts capability: MLflow's artifact proxy over an artifact store,
 * where experiments and runs keep their artifacts, MLflow 3's logged models
 * and the datasets runs used.
 */
export async function createArtifacts(options: {
  config: Config;
  logger: LoggerService;
  httpAuth: HttpAuthService;
  db: Knex;
  tracking: TrackingStore;
  readAccess: MlopsObjectReadAccess;
  /** The registry's versions, for `model-versions/get-download-uri`. */
  registry: {
    getVersion(
      name: string,
      version: number,
    ): Promise<{ artifactUri?: string }>;
  };
  /** Set through `mlopsArtifactStoreExtensionPoint`; else from config. */
  store?: MlopsArtifactStore;
}) {
  const { config, logger, db, tracking } = options;
  const store = options.store ?? (await artifactStoreFromConfig(config));
  const maxFileBytes =
    config.getOptionalNumber('mlops.artifacts.maxFileBytes') ??
    DEFAULT_MAX_ARTIFACT_FILE_BYTES;
  logger.info(
    `MLOps artifacts: ${store.type} store, at most ${maxFileBytes} bytes per file`,
  );
  const service = new ArtifactService(
    store,
    maxFileBytes,
    tracking,
    new DatasetStore(db),
    new LoggedModelStore(db),
    new ArtifactLocations(db),
  );
  const backendBaseUrl = config.getOptionalString('backend.baseUrl');
  const router = createArtifactsRouter({
    logger,
    httpAuth: options.httpAuth,
    tracking,
    readAccess: options.readAccess,
    artifacts: service,
    registry: options.registry,
    multipart: multipartFromConfig(config, store, maxFileBytes),
    // Backstage's own notion of the plugin's external address (what its
    // default discovery answers), so part URLs work behind a proxy too.
    externalBaseUrl: backendBaseUrl
      ? `${backendBaseUrl.replace(/\/+$/, '')}/api/mlops`
      : undefined,
  });
  return { router, service };
}
