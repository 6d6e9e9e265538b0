/*
 * The MLOps backend alone, in a process of its own, so that the bench
 * measures the backend's memory and not the client's: the real plugin over
 * a fresh SQLite file, the filesystem artifact store in a temporary folder.
 * Prints "PORT <port> PID <pid>" when it listens; stops with its parent.
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { mlopsPlugin } from '../../plugins/mlops-backend/src/plugin';
import { openDatabase } from '../lib';

async function main() {
  const knex = await openDatabase('sqlite', 'mlflow');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-artifacts-'));
  const { server } = await startTestBackend({
    features: [
      mlopsPlugin,
      mockServices.database.factory({ knex }),
      // Every request is a training job's (a service principal with an
      // external access token), which may register and alias models.
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.service('external:training-jobs'),
      }),
      mockServices.rootConfig.factory({
        data: {
          mlops: {
            artifacts: {
              filesystem: { root },
              maxFileBytes: 1024 * 1024 * 1024,
            },
          },
        },
      }),
      catalogServiceMock.factory({ entities: [] }),
    ],
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`PORT ${port} PID ${process.pid} ROOT ${root}\n`);
  const stop = () => {
    fs.rmSync(root, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
