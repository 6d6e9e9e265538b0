import { PrefectTestServer } from './__testUtils__/PrefectTestServer';
import {
  resolve,
  schemaAtPath,
  specSchema,
  undeclared,
} from './__testUtils__/specFragments';
import { stateOf } from './mapping';
import * as schemas from './schemas';

/*
 * Every field this module reads or sends must exist in Prefect's published
 * schema: a renamed field would read as undefined and runs would lose their
 * state, times or failure message without an error.
 */

function fieldsOf(schema: any, prefix: string[] = []): string[][] {
  const shape = schema.shape ?? schema.unwrap?.()?.shape;
  if (!shape) return [];
  return Object.entries(shape).flatMap(([key, child]: [string, any]) => {
    let inner = child;
    while (inner.unwrap && !inner.shape) inner = inner.unwrap();
    return [
      [...prefix, key],
      ...(inner.shape ? fieldsOf(inner, [...prefix, key]) : []),
    ];
  });
}

describe('the fields the Prefect source reads and sends', () => {
  it.each([
    ['flow', 'Flow'],
    ['deployment', 'DeploymentResponse'],
    ['flowRun', 'FlowRunResponse'],
    ['taskRun', 'TaskRun'],
  ] as const)('%s reads only fields of %s', (name, specName) => {
    const missing = fieldsOf(schemas[name])
      .filter(path => !schemaAtPath(specName, path))
      .map(path => path.join('.'));
    expect(missing).toEqual([]);
    // The nested state is read too, down to its message.
    expect(fieldsOf(schemas[name]).length).toBeGreaterThan(1);
  });

  it.each(Object.entries(schemas.REQUEST_FIELDS))(
    'sends only fields %s declares',
    (body, paths) => {
      expect(
        paths.filter(p => !schemaAtPath(body, p)).map(p => p.join('.')),
      ).toEqual([]);
    },
  );

  it('asks for sort orders the spec offers', () => {
    for (const [name, value] of Object.entries(schemas.SORTS)) {
      expect(specSchema(name).enum).toContain(value);
    }
  });

  it('maps every state type of the spec, and Late by its name', () => {
    const types = specSchema('StateType').enum as string[];
    expect(
      Object.fromEntries(types.map(t => [t, stateOf(t, undefined)])),
    ).toEqual({
      SCHEDULED: 'SCHEDULED',
      PENDING: 'PENDING',
      RUNNING: 'RUNNING',
      COMPLETED: 'COMPLETED',
      FAILED: 'FAILED',
      CANCELLED: 'CANCELLED',
      CRASHED: 'CRASHED',
      PAUSED: 'PENDING',
      CANCELLING: 'RUNNING',
    });
    expect(stateOf('SCHEDULED', 'Late')).toBe('LATE');
  });
});

describe('the Prefect test server follows the spec', () => {
  it('answers flow runs and task runs with every required field and nothing undeclared', async () => {
    const server = await PrefectTestServer.start({ apiKey: 'k' });
    try {
      const id = server.addFlowRun({
        flowName: 'train',
        deployment: 'nightly',
        stateType: 'FAILED',
        message: 'boom',
        expectedStart: '2026-11-20T00:00:00Z',
      });
      server.addTaskRun({ flowRunId: id, name: 'fit-0', stateType: 'FAILED' });
      const checks: Array<[string, Record<string, unknown>]> = [
        ['FlowRunResponse', server.flowRunJson(server.flowRuns[0])],
        ['TaskRun', server.taskRunJson(server.taskRuns[0])],
        ['State', server.flowRunJson(server.flowRuns[0]).state],
      ];
      for (const [name, json] of checks) {
        expect(undeclared(name, json)).toEqual([]);
        const required = (resolve(specSchema(name))!.required ??
          []) as string[];
        expect(required.filter(k => !(k in json))).toEqual([]);
      }
    } finally {
      await server.stop();
    }
  });
});
