import fragments from './__fixtures__/airflow-openapi-fragments.json';
import { AirflowTestServer } from './__testUtils__/AirflowTestServer';
import { specProperties, specSchema } from './__testUtils__/specFragments';
import * as schemas from './schemas';
import { runStateOf, taskStateOf } from './mapping';

/*
 * Every field this module reads or sends must exist in Airflow's published
 * spec: a renamed field would otherwise read as undefined and runs would
 * silently lose their state or times.
 */

const READ: Array<[keyof typeof schemas, 'v2' | 'v2auth' | 'v1', string]> = [
  ['dagRunV2', 'v2', 'DAGRunResponse'],
  ['dagRunCollectionV2', 'v2', 'DAGRunCollectionResponse'],
  ['taskInstanceV2', 'v2', 'TaskInstanceResponse'],
  ['taskInstanceCollectionV2', 'v2', 'TaskInstanceCollectionResponse'],
  ['taskLogV2', 'v2', 'TaskInstancesLogResponse'],
  ['loginResponse', 'v2auth', 'LoginResponse'],
  ['dagRunV1', 'v1', 'DAGRun'],
  ['dagRunCollectionV1', 'v1', 'DAGRunCollection'],
  ['taskInstanceV1', 'v1', 'TaskInstance'],
  ['taskInstanceCollectionV1', 'v1', 'TaskInstanceCollection'],
];

function v1LogAnswerProperties(): string[] {
  const op = (fragments as any).v1.paths[
    '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/logs/{task_try_number}'
  ].get;
  return Object.keys(
    op.responses['200'].content['application/json'].schema.properties,
  );
}

describe('the fields the Airflow source reads and sends', () => {
  it.each(READ)('%s reads only fields of %s %s', (name, part, specName) => {
    const shape = (schemas[name] as any).shape as Record<string, unknown>;
    const missing = Object.keys(shape).filter(
      field => !specProperties(part, specName).includes(field),
    );
    expect(missing).toEqual([]);
  });

  it('reads the structured log events by their spec field', () => {
    expect(specProperties('v2', 'StructuredLogMessage')).toContain('event');
    expect(v1LogAnswerProperties()).toEqual(
      expect.arrayContaining(Object.keys(schemas.taskLogV1.shape)),
    );
  });

  it.each([
    ['v2', schemas.REQUEST_FIELDS.v2.DAGRunsBatchBody, 'DAGRunsBatchBody'],
    [
      'v2',
      schemas.REQUEST_FIELDS.v2.TaskInstancesBatchBody,
      'TaskInstancesBatchBody',
    ],
    ['v2auth', schemas.REQUEST_FIELDS.v2.LoginBody, 'LoginBody'],
    ['v1', schemas.REQUEST_FIELDS.v1.ListDagRunsForm, 'ListDagRunsForm'],
    [
      'v1',
      schemas.REQUEST_FIELDS.v1.ListTaskInstanceForm,
      'ListTaskInstanceForm',
    ],
  ] as const)(
    '%s request body fields exist in its spec schema %#',
    (part, fields, specName) => {
      const missing = fields.filter(
        (f: string) => !specProperties(part, specName).includes(f),
      );
      expect(missing).toEqual([]);
    },
  );

  it('maps every DAG run and task state the specs list, and none they do not', () => {
    const runStates = [
      ...((fragments as any).v2.schemas.DagRunState.enum as string[]),
      ...((fragments as any).v1.schemas.DagState.enum as string[]),
    ];
    expect(runStates.map(runStateOf)).toEqual(
      runStates.map(
        s =>
          ((
            {
              queued: 'PENDING',
              running: 'RUNNING',
              success: 'COMPLETED',
              failed: 'FAILED',
            } as any
          )[s]),
      ),
    );
    const taskStates = [
      ...((fragments as any).v2.schemas.TaskInstanceState.enum as string[]),
      ...((fragments as any).v1.schemas.TaskState.enum as Array<string | null>),
    ];
    for (const state of taskStates) {
      // Only a state the table names may map to a finished stage.
      const mapped = taskStateOf(state ?? undefined);
      expect([
        'SCHEDULED',
        'PENDING',
        'RUNNING',
        'COMPLETED',
        'FAILED',
        'CANCELLED',
      ]).toContain(mapped);
    }
    expect(taskStateOf('failed')).toBe('FAILED');
    expect(taskStateOf('upstream_failed')).toBe('CANCELLED');
    expect(taskStateOf('up_for_retry')).toBe('PENDING');
  });
});

describe('the Airflow test server follows the spec', () => {
  it.each([1, 2] as const)(
    'answers every required field (v%s)',
    async apiVersion => {
      const server = await AirflowTestServer.start({
        apiVersion,
        username: 'u',
        password: 'p',
      });
      try {
        server.runs.push({
          dagId: 'd',
          runId: 'r',
          state: 'failed',
          runAfter: '2026-11-20T00:00:00Z',
        });
        const task = { dagId: 'd', runId: 'r', taskId: 't', state: 'failed' };
        const part = apiVersion === 2 ? 'v2' : 'v1';
        const run = server.dagRunJson(server.runs[0]);
        const ti = server.taskJson(task);
        const runSchema = apiVersion === 2 ? 'DAGRunResponse' : 'DAGRun';
        const taskSchema =
          apiVersion === 2 ? 'TaskInstanceResponse' : 'TaskInstance';
        for (const [json, name] of [
          [run, runSchema],
          [ti, taskSchema],
        ] as const) {
          const schema = specSchema(part, name);
          expect(
            Object.keys(json).filter(
              k => !specProperties(part, name).includes(k),
            ),
          ).toEqual([]);
          expect((schema.required ?? []).filter(k => !(k in json))).toEqual([]);
        }
      } finally {
        await server.stop();
      }
    },
  );
});
