import { parseRunFilter, parseRunOrderBy } from './searchSyntax';

describe('MLflow run search syntax', () => {
  it('reads metric, param, tag and status clauses joined by AND', () => {
    expect(
      parseRunFilter(
        `metrics.rmse < 0.8 and params.model = "tree" AND tags.\`team name\` != 'risk ml' and attributes.status = 'FINISHED'`,
      ),
    ).toEqual([
      { type: 'metric', key: 'rmse', op: '<', value: 0.8 },
      { type: 'param', key: 'model', op: '=', value: 'tree' },
      { type: 'tag', key: 'team name', op: '!=', value: 'risk ml' },
      { type: 'status', op: '=', value: 'FINISHED' },
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

  it('keeps dots inside quoted keys and reads escaped quotes in values', () => {
    expect(parseRunFilter(`params."lr.schedule" = 'it\\'s cosine'`)).toEqual([
      { type: 'param', key: 'lr.schedule', op: '=', value: "it's cosine" },
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
    ["params.model LIKE 'tree%'", /LIKE comparator is not supported/],
    ["attributes.run_id = 'abc'", /attributes.run_id is not supported/],
    ["attributes.status = 'DONE'", /not a run status/],
    ["attributes.status > 'FINISHED'", /only be compared with = or !=/],
    ["foo.bar = 'x'", /Unknown search prefix/],
    ['rmse < 1', /not a valid search identifier/],
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

  it('reads order_by entries with their direction', () => {
    expect(parseRunOrderBy(['metrics.auc DESC'])).toEqual({
      type: 'metric',
      key: 'auc',
      direction: 'desc',
    });
    expect(parseRunOrderBy(['params.lr'])).toEqual({
      type: 'param',
      key: 'lr',
      direction: 'asc',
    });
    expect(parseRunOrderBy(['attributes.start_time desc'])).toEqual({
      type: 'attribute',
      key: 'start_time',
      direction: 'desc',
    });
    expect(parseRunOrderBy(['metrics.`val loss` asc'])).toEqual({
      type: 'metric',
      key: 'val loss',
      direction: 'asc',
    });
    expect(parseRunOrderBy([])).toBeUndefined();
  });

  it('refuses a second order_by key and unknown attributes', () => {
    expect(() => parseRunOrderBy(['metrics.auc', 'params.lr'])).toThrow(
      /one key/,
    );
    expect(() => parseRunOrderBy(['attributes.user_id'])).toThrow(
      /not supported/,
    );
  });
});
