import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  componentEntityV1alpha1Validator,
  Entity,
  resourceEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
// The MLOps backend joins this test as the action's real counterpart.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import mlopsPlugin from '@backstage-mlops/plugin-mlops-backend';
import fs from 'fs';
import path from 'path';
import request from 'supertest';
import { parseAllDocuments } from 'yaml';
import { scaffolderModuleMlops } from './module';

jest.setTimeout(120_000);

const templateDir = path.resolve(__dirname, '../../../templates/ml-pipeline');
const templateFile = path.join(templateDir, 'template.yaml');

function templateEntity(): Entity {
  const [doc] = parseAllDocuments(fs.readFileSync(templateFile, 'utf8'));
  const entity = doc.toJS() as Entity;
  entity.metadata.namespace = 'default';
  entity.metadata.annotations = {
    'backstage.io/managed-by-location': `file:${templateFile}`,
    'backstage.io/managed-by-origin-location': `file:${templateFile}`,
  };
  return entity;
}

function directoryContents(
  dir: string,
  prefix = '',
): Array<{
  path: string;
  base64Content: string;
}> {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      return directoryContents(path.join(dir, entry.name), relative);
    }
    return [
      {
        path: relative,
        base64Content: fs
          .readFileSync(path.join(dir, entry.name))
          .toString('base64'),
      },
    ];
  });
}

const values = {
  name: 'churn-training',
  modelName: 'churn',
  description: 'Trains the churn model every night',
  owner: 'group:default/risk-ml',
  system: 'system:default/ml-platform',
  orchestrator: 'prefect',
  schedule: '0 3 * * *',
  publish: false,
};

async function startBackend() {
  const { server } = await startTestBackend({
    features: [
      scaffolderPlugin,
      scaffolderModuleMlops,
      mlopsPlugin,
      catalogServiceMock.factory({ entities: [templateEntity()] }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://portal.test' },
          backend: { reading: { allow: [{ host: 'localhost' }] } },
        },
      }),
    ],
  });
  return server;
}

async function storedObjects(server: any) {
  const response = await request(server)
    .get('/api/mlops/objects')
    .set('Authorization', mockCredentials.service.header());
  expect(response.status).toBe(200);
  return response.body.items.map((o: any) => `${o.kind}:${o.name}`).sort();
}

function files(response: request.Response): Map<string, string> {
  return new Map(
    response.body.directoryContents.map((f: any) => [
      f.path,
      Buffer.from(f.base64Content, 'base64').toString('utf8'),
    ]),
  );
}

describe('the "New ML pipeline" template', () => {
  it('produces the repository for Prefect in a dry run, checking the registration without storing it', async () => {
    const server = await startBackend();
    const response = await request(server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', mockCredentials.user.header())
      .send({
        template: templateEntity(),
        values,
        directoryContents: directoryContents(templateDir),
      });
    expect(response.status).toBe(200);

    const produced = files(response);
    expect([...produced.keys()].sort()).toEqual([
      'README.md',
      'catalog-info.yaml',
      'pipeline/flow.py',
      'prefect.yaml',
      'requirements.txt',
      'tracking.py',
    ]);

    const entities = parseAllDocuments(produced.get('catalog-info.yaml')!).map(
      d => d.toJS() as Entity,
    );
    expect(
      entities.map(e => `${e.kind}:${e.metadata.name}:${e.spec?.type}`),
    ).toEqual([
      'Component:churn:ml-model',
      'Component:churn-training:ml-pipeline',
      'Resource:churn-experiments:ml-experiment',
    ]);
    const [model, pipeline, experiment] = entities;
    expect(model.metadata.annotations).toEqual({
      'backstage-mlops.dev/model': 'churn',
    });
    expect(model.spec).toMatchObject({
      owner: 'group:default/risk-ml',
      system: 'system:default/ml-platform',
      dependsOn: ['component:default/churn-training'],
    });
    expect(pipeline.metadata.description).toBe(
      'Trains the churn model every night',
    );
    expect(pipeline.metadata.annotations).toEqual({
      'backstage-mlops.dev/pipeline': 'churn-training',
      'backstage-mlops.dev/orchestrator': 'prefect',
    });
    expect(pipeline.spec?.dependsOn).toEqual([
      'resource:default/churn-experiments',
    ]);
    expect(experiment.metadata.annotations).toEqual({
      'backstage-mlops.dev/experiment': 'churn',
    });
    await expect(componentEntityV1alpha1Validator.check(model)).resolves.toBe(
      true,
    );
    await expect(
      componentEntityV1alpha1Validator.check(pipeline),
    ).resolves.toBe(true);
    await expect(
      resourceEntityV1alpha1Validator.check(experiment),
    ).resolves.toBe(true);

    const flow = produced.get('pipeline/flow.py')!;
    expect(flow).toContain('def churn_training():');
    for (const stage of [
      'ingest',
      'validate',
      'train',
      'evaluate',
      'register',
    ]) {
      expect(flow).toMatch(new RegExp(`tracking\\.stage_run\\(\\s*"${stage}"`));
    }
    expect(produced.get('tracking.py')).toContain('EXPERIMENT = "churn"');
    expect(produced.get('prefect.yaml')).toContain('cron: "0 3 * * *"');
    expect(produced.get('requirements.txt')).toContain('prefect>=');
    expect(produced.get('requirements.txt')).not.toContain('airflow');
    expect(produced.get('README.md')).toContain('# churn-training');

    // The action checked the registration with the backend but stored nothing.
    expect(response.body.output.links).toEqual(
      expect.arrayContaining([
        {
          title: 'Model in MLOps',
          url: 'http://portal.test/mlops/models/churn',
        },
      ]),
    );
    expect(await storedObjects(server)).toEqual([]);
  });

  it('produces an Airflow DAG instead when Airflow is chosen', async () => {
    const server = await startBackend();
    const response = await request(server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', mockCredentials.user.header())
      .send({
        template: templateEntity(),
        values: { ...values, orchestrator: 'airflow', schedule: '@daily' },
        directoryContents: directoryContents(templateDir),
      });
    expect(response.status).toBe(200);
    const produced = files(response);
    expect([...produced.keys()].sort()).toEqual([
      'README.md',
      'catalog-info.yaml',
      'dags/churn_training.py',
      'requirements.txt',
      'tracking.py',
    ]);
    const dag = produced.get('dags/churn_training.py')!;
    expect(dag).toContain('schedule="@daily"');
    expect(dag).toContain('def churn_training():');
    expect(produced.get('requirements.txt')).toContain('apache-airflow>=');
  });

  it('refuses values that break the template rules before running anything', async () => {
    const server = await startBackend();
    const response = await request(server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', mockCredentials.user.header())
      .send({
        template: templateEntity(),
        values: { ...values, name: 'Churn Training!' },
        directoryContents: directoryContents(templateDir),
      });
    expect(response.status).toBe(400);
    expect(await storedObjects(server)).toEqual([]);
  });

  it('registers pipeline, experiment and model when the template runs, and again without duplicates', async () => {
    const server = await startBackend();
    const run = async () => {
      const created = await request(server)
        .post('/api/scaffolder/v2/tasks')
        .set('Authorization', mockCredentials.user.header())
        .send({ templateRef: 'template:default/ml-pipeline', values });
      expect(created.status).toBe(201);
      for (let i = 0; i < 200; i++) {
        const task = await request(server)
          .get(`/api/scaffolder/v2/tasks/${created.body.id}`)
          .set('Authorization', mockCredentials.user.header());
        if (['completed', 'failed', 'cancelled'].includes(task.body.status)) {
          return task.body;
        }
        await new Promise(resolve => setTimeout(resolve, 100));
      }
      throw new Error('task did not finish');
    };

    const first = await run();
    expect(first.status).toBe('completed');
    expect(await storedObjects(server)).toEqual([
      'experiment:churn',
      'model:churn',
      'pipeline:churn-training',
    ]);
    const model = await request(server)
      .get('/api/mlops/objects/model/churn')
      .set('Authorization', mockCredentials.service.header());
    expect(model.body).toMatchObject({
      owner: 'group:default/risk-ml',
      pipelineName: 'churn-training',
      experimentName: 'churn',
    });
    const pipeline = await request(server)
      .get('/api/mlops/objects/pipeline/churn-training')
      .set('Authorization', mockCredentials.service.header());
    expect(pipeline.body).toMatchObject({
      orchestrator: 'prefect',
      schedule: '0 3 * * *',
      description: 'Trains the churn model every night',
    });

    const second = await run();
    expect(second.status).toBe('completed');
    expect(await storedObjects(server)).toEqual([
      'experiment:churn',
      'model:churn',
      'pipeline:churn-training',
    ]);
    const again = await request(server)
      .get('/api/mlops/objects/model/churn')
      .set('Authorization', mockCredentials.service.header());
    expect(again.body.id).toBe(model.body.id);

    // Another team cannot take the model over through the template.
    const created = await request(server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', mockCredentials.user.header())
      .send({
        templateRef: 'template:default/ml-pipeline',
        values: { ...values, owner: 'group:default/support-ml' },
      });
    let status = 'open';
    for (let i = 0; i < 200 && !['completed', 'failed'].includes(status); i++) {
      await new Promise(resolve => setTimeout(resolve, 100));
      status = (
        await request(server)
          .get(`/api/scaffolder/v2/tasks/${created.body.id}`)
          .set('Authorization', mockCredentials.user.header())
      ).body.status;
    }
    expect(status).toBe('failed');
    const events = await request(server)
      .get(`/api/scaffolder/v2/tasks/${created.body.id}/events`)
      .set('Authorization', mockCredentials.user.header());
    expect(JSON.stringify(events.body)).toContain(
      'owned by group:default/risk-ml',
    );
    const unchanged = await request(server)
      .get('/api/mlops/objects/model/churn')
      .set('Authorization', mockCredentials.service.header());
    expect(unchanged.body.owner).toBe('group:default/risk-ml');
  });
});
