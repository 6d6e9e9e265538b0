import {
  parseExperimentFilter,
  parseModelSearch,
  parseRunFilter,
  parseRunOrderBy,
  parseVersionSearch,
} from './searchGrammars';

describe('MLflow search grammar', () => {
  it('reads metric, param, tag and attribute clauses joined by AND', () => {
    expect(
      parseRunFilter(
        `metrics.rmse < 0.8 and params.model = "tree" AND tags.\`team name\` != 'risk ml' and attributes.status = 'FINISHED'`,
      ),
    ).toEqual([
      { type: 'metric', key: 'rmse', op: '<', value: 0.8 },
      { type: 'param', key: 'model', op: '=', value: 'tree' },
      { type: 'tag', key: 'team name', op: '!=', value: 'risk ml' },
      { type: 'attribute', key: 'status', op: '=', value: 'FINISHED' },
    ]);
  });

  it('accepts every comparator, negative and exponent numbers, and no spaces', () => {
    expect(
      parseRunFilter(
        'metrics.a>=-1.5e-3 and metrics.b<=2 and metrics.c>3 and metrics.d!=.5',
      ),
    ).toEqual([
      { type: 'metric', key: 'a', op: '>=', value: -0.0015 },
      { type: 'metric', key: 'b', op: '<=', value: 2 },
      { type: 'metric', key: 'c', op: '>', value: 3 },
      { type: 'metric', key: 'd', op: '!=', value: 0.5 },
    ]);
  });

  it('reads LIKE, ILIKE, IN, NOT IN, IS NULL and IS NOT NULL', () => {
    expect(
      parseRunFilter(
        `params.model LIKE 'tree%' and tags.owner ilike '%ANA%' and attributes.run_id IN ('a', "b") and run_name not in ('x') and tags.stale IS NULL and params.lr is not null`,
      ),
    ).toEqual([
      { type: 'param', key: 'model', op: 'LIKE', value: 'tree%' },
      { type: 'tag', key: 'owner', op: 'ILIKE', value: '%ANA%' },
      { type: 'attribute', key: 'run_id', op: 'IN', value: ['a', 'b'] },
      { type: 'attribute', key: 'run_name', op: 'NOT IN', value: ['x'] },
      { type: 'tag', key: 'stale', op: 'IS NULL' },
      { type: 'param', key: 'lr', op: 'IS NOT NULL' },
    ]);
  });

  it('reads run attributes by their MLflow names and aliases', () => {
    expect(
      parseRunFilter(
        "attributes.start_time >= 1700000000000 and created < 2 and `Run name` = 'x' and user_id = 'ana' and tags.mlflow.runName = 'y'",
      ),
    ).toEqual([
      { type: 'attribute', key: 'start_time', op: '>=', value: 1700000000000 },
      { type: 'attribute', key: 'start_time', op: '<', value: 2 },
      { type: 'attribute', key: 'run_name', op: '=', value: 'x' },
      { type: 'attribute', key: 'user_id', op: '=', value: 'ana' },
      { type: 'tag', key: 'mlflow.runName', op: '=', value: 'y' },
    ]);
  });

  it('reads datasets and artifact_uri clauses', () => {
    expect(
      parseRunFilter(
        "datasets.name IN ('iris') and dataset.context = 'training' and attributes.artifact_uri LIKE 's3://%'",
      ),
    ).toEqual([
      { type: 'dataset', key: 'name', op: 'IN', value: ['iris'] },
      { type: 'dataset', key: 'context', op: '=', value: 'training' },
      { type: 'attribute', key: 'artifact_uri', op: 'LIKE', value: 's3://%' },
    ]);
    expect(() => parseRunFilter("datasets.size = '1'")).toThrow(
      /Invalid dataset key 'size'/,
    );
  });

  it('keeps dots inside quoted keys and reads escaped quotes in values', () => {
    expect(parseRunFilter(`params."lr.schedule" = 'it\\'s cosine'`)).toEqual([
      { type: 'param', key: 'lr.schedule', op: '=', value: "it's cosine" },
    ]);
    expect(parseRunFilter(`params.note = 'it''s'`)).toEqual([
      { type: 'param', key: 'note', op: '=', value: "it's" },
    ]);
  });

  it('matches everything for an empty filter', () => {
    expect(parseRunFilter(undefined)).toEqual([]);
    expect(parseRunFilter('   ')).toEqual([]);
  });

  it.each([
    ["metrics.rmse < 'low'", /must be compared with a number/],
    ['params.lr = 0.1', /quoted string/],
    ['metrics.rmse < 1 or metrics.mae < 1', /joined with AND/],
    ["metrics.rmse LIKE '1%'", /Invalid comparator 'LIKE' for metrics.rmse/],
    ["params.model < 'b'", /Invalid comparator '<' for params.model/],
    ["attributes.artifact_id = 'abc'", /Invalid attribute key 'artifact_id'/],
    ["attributes.status = 'DONE'", /not a run status/],
    ["attributes.status > 'FINISHED'", /Invalid comparator '>'/],
    ["attributes.run_id IN 'a'", /IN takes a list/],
    ['attributes.run_id IN ()', /at least one/],
    ["foo.bar = 'x'", /Invalid entity type 'foo'/],
    ['rmse < 1', /Invalid attribute key 'rmse'/],
    ['metrics.rmse <', /Expected a value/],
    ['metrics.rmse < 1 and', /dangling AND/],
    ["params.model = 'tree", /Unterminated/],
  ])('refuses %s with a clear INVALID_PARAMETER_VALUE', (filter, message) => {
    expect(() => parseRunFilter(filter)).toThrow(
      expect.objectContaining({
        code: 'INVALID_PARAMETER_VALUE',
        message: expect.stringMatching(message),
      }),
    );
  });

  it('reads several order_by entries with their direction', () => {
    expect(
      parseRunOrderBy([
        'metrics.auc DESC',
        'params.lr',
        'tags.team desc',
        'attributes.start_time desc',
        'metrics.`val loss` asc',
        'run_name',
        'attributes.status',
      ]),
    ).toEqual([
      { type: 'metric', key: 'auc', direction: 'desc' },
      { type: 'param', key: 'lr', direction: 'asc' },
      { type: 'tag', key: 'team', direction: 'desc' },
      { type: 'attribute', key: 'start_time', direction: 'desc' },
      { type: 'metric', key: 'val loss', direction: 'asc' },
      { type: 'attribute', key: 'name', direction: 'asc' },
      { type: 'attribute', key: 'status', direction: 'asc' },
    ]);
    expect(parseRunOrderBy([])).toEqual([]);
    expect(() => parseRunOrderBy(['attributes.nonsense'])).toThrow(
      /Invalid attribute key 'nonsense'/,
    );
    expect(() => parseRunOrderBy(['metrics.auc sideways'])).toThrow(/Invalid/);
  });

  it('gives experiments names, times and tags, and nothing of runs', () => {
    expect(
      parseExperimentFilter(
        "name LIKE 'churn%' and tags.team = 'risk' and creation_time > 5 and tags.x IS NULL",
      ),
    ).toEqual([
      { entity: 'attribute', key: 'name', op: 'LIKE', value: 'churn%' },
      { entity: 'tag', key: 'team', op: '=', value: 'risk' },
      { entity: 'attribute', key: 'creation_time', op: '>', value: 5 },
      { entity: 'tag', key: 'x', op: 'IS NULL' },
    ]);
    expect(() => parseExperimentFilter('metrics.auc > 1')).toThrow(
      /Invalid entity type 'metrics'/,
    );
  });

  it('gives models and versions their own attributes and orders', () => {
    expect(
      parseModelSearch(
        "tag.`mlflow.prompt.is_prompt` != 'true' and name = 'x'",
        ['timestamp desc'],
      ),
    ).toEqual({
      filter: [
        {
          entity: 'tag',
          key: 'mlflow.prompt.is_prompt',
          op: '!=',
          value: 'true',
        },
        { entity: 'attribute', key: 'name', op: '=', value: 'x' },
      ],
      orderBy: [{ key: 'last_updated_timestamp', direction: 'desc' }],
    });
    expect(
      parseVersionSearch(
        "run_id IN ('abc') and version_number >= 2 and source_path LIKE 'mlflow-artifacts:%'",
        ['version_number DESC'],
      ).filter,
    ).toEqual([
      { entity: 'attribute', key: 'run_id', op: 'IN', value: ['abc'] },
      { entity: 'attribute', key: 'version_number', op: '>=', value: 2 },
      {
        entity: 'attribute',
        key: 'source_path',
        op: 'LIKE',
        value: 'mlflow-artifacts:%',
      },
    ]);
    expect(() => parseModelSearch("run_id = 'x'", undefined)).toThrow(
      /Invalid attribute key 'run_id'/,
    );
    expect(() => parseVersionSearch("name IN ('x')", undefined)).toThrow(
      /Invalid comparator 'IN' for name/,
    );
  });
});
