import fs from 'fs';
import path from 'path';

/*
 * The dependency rules of ARCHITECTURE.md, checked on every production file
 * under src/ (tests and test utilities may reach into internals to set up
 * their data):
 * - plumbing (shared/, database/, permissions/) imports no capability;
 * - a capability (and plugin.ts) imports a capability only through its index;
 * - nothing in a folder imports the plugin's wiring (the files at src/'s root);
 * - stores own the SQL: only stores, the query modules a store is split
 *   into, migrations and the database and permission plumbing import knex or
 *   query (`db(`, `.raw(`); routers and services ask a store. A folder's
 *   index.ts and the files at src/'s root may import knex only to hand the
 *   database to the stores they open.
 */

const SRC = __dirname;
const PLUMBING = new Set(['shared', 'database', 'permissions']);

function isTestFile(file: string) {
  return (
    /\.test\.tsx?$/.test(file) ||
    file.split(path.sep).some(p => p === '__testUtils__' || p === '__tests__')
  );
}

function productionFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return productionFiles(full);
    }
    return /\.tsx?$/.test(entry.name) && !isTestFile(full) ? [full] : [];
  });
}

/** Relative module specifiers of a file's imports and re-exports. */
function relativeImports(source: string): string[] {
  const found: string[] = [];
  const pattern =
    /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]*)['"]|import\(\s*['"](\.{1,2}\/[^'"]*)['"]\s*\)/g;
  for (const match of source.matchAll(pattern)) {
    found.push(match[1] ?? match[2]);
  }
  return found;
}

/**
 * The top-level folder under src/ that a file or import target lies in, or
 * undefined for a file at src/'s root (the wiring: plugin.ts and its helpers).
 * An import of a folder itself (`../tracking`) is an import of its index.
 */
function topFolder(file: string): string | undefined {
  const parts = path.relative(SRC, file).split(path.sep);
  if (parts.length > 1) {
    return parts[0];
  }
  const isRootModule =
    /\.tsx?$/.test(parts[0]) ||
    ['.ts', '.tsx'].some(ext =>
      fs.existsSync(path.join(SRC, `${parts[0]}${ext}`)),
    );
  return isRootModule ? undefined : parts[0];
}

/** Every broken rule, as "from -> to: why". */
function dependencyViolations(
  files: Array<{ file: string; source: string }>,
): string[] {
  const problems: string[] = [];
  for (const { file, source } of files) {
    const from = topFolder(file);
    for (const spec of relativeImports(source)) {
      const target = path.resolve(path.dirname(file), spec);
      const to = topFolder(target);
      const where = `${path.relative(SRC, file)} -> ${spec}`;
      if (to === undefined) {
        if (from !== undefined) {
          problems.push(`${where}: imports the plugin's wiring`);
        }
        continue;
      }
      if (from === to || PLUMBING.has(to)) {
        continue;
      }
      if (from !== undefined && PLUMBING.has(from)) {
        problems.push(`${where}: plumbing imports a capability`);
        continue;
      }
      const rest = path.relative(path.join(SRC, to), target);
      if (rest !== '' && rest !== 'index') {
        problems.push(
          `${where}: reaches into ${to}'s internals, not its index`,
        );
      }
    }
  }
  return problems;
}

/** Query modules a store is split into (they build or run its SQL). */
const STORE_QUERY_MODULES = new Set([
  'artifacts/ArtifactLocations.ts',
  'incidents/healthChecks.ts',
  'monitoring/monitoringRows.ts',
  'monitoring/predictionIngest.ts',
  'pipelines/observedRuns.ts',
  'pipelines/pipelineRows.ts',
  'pipelines/pipelineSweep.ts',
  'registry/mirrorModel.ts',
  'registry/modelEdits.ts',
  'registry/modelHistory.ts',
  'registry/registryRows.ts',
  'registry/registrySearch.ts',
  'registry/versionRetention.ts',
  'tracking/experimentSearch.ts',
  'tracking/metricWriter.ts',
  'tracking/mirrorRuns.ts',
  'tracking/plannerStatistics.ts',
  'tracking/runBatch.ts',
  'tracking/runFilters.ts',
  'tracking/runRows.ts',
  'tracking/runSearch.ts',
]);

const IMPORTS_KNEX = /(?:from\s*|require\(\s*|import\(\s*)['"]knex['"]/;
// `db(`, `this.db(`, `tx.raw(`; not express's raw body parser.
const QUERIES = /\bdb\(|(?<!\bexpress)\.raw\(/;

function ownsSql(relative: string): boolean {
  const parts = relative.split(path.sep);
  return (
    ['database', 'permissions', 'migrations'].some(p => parts.includes(p)) ||
    /Store\.ts$/.test(relative) ||
    /^migrate/.test(parts[parts.length - 1]) ||
    STORE_QUERY_MODULES.has(parts.join('/'))
  );
}

/** Every production file outside the stores that touches knex, with why. */
function sqlViolations(
  files: Array<{ file: string; source: string }>,
): string[] {
  const problems: string[] = [];
  for (const { file, source } of files) {
    const relative = path.relative(SRC, file);
    if (ownsSql(relative)) {
      continue;
    }
    const isWiring =
      topFolder(file) === undefined || path.basename(file) === 'index.ts';
    if (IMPORTS_KNEX.test(source) && !isWiring) {
      problems.push(`${relative}: imports knex outside a store`);
    } else if (QUERIES.test(source)) {
      problems.push(`${relative}: queries the database outside a store`);
    }
  }
  return problems;
}

describe('the dependency rules (ARCHITECTURE.md)', () => {
  it('hold for every production file under src/', () => {
    const files = productionFiles(SRC).map(file => ({
      file,
      source: fs.readFileSync(file, 'utf8'),
    }));
    expect(files.length).toBeGreaterThan(50);
    expect(dependencyViolations(files)).toEqual([]);
  });

  it('keep the SQL in stores for every production file under src/', () => {
    const files = productionFiles(SRC).map(file => ({
      file,
      source: fs.readFileSync(file, 'utf8'),
    }));
    expect(sqlViolations(files)).toEqual([]);
  });

  it('catch each kind of bad import', () => {
    const at = (p: string) => path.join(SRC, p);
    expect(
      dependencyViolations([
        { file: at('shared/x.ts'), source: "import { a } from '../tracking';" },
        {
          file: at('fleet/x.ts'),
          source: "import { b } from '../triage/TriageService';",
        },
        { file: at('drift/x.ts'), source: "export * from '../plugin';" },
        {
          file: at('health/x.ts'),
          source:
            "import type { c } from '../incidents';\nimport { d } from '../shared/validation';\nimport { e } from './own';",
        },
      ]),
    ).toEqual([
      'shared/x.ts -> ../tracking: plumbing imports a capability',
      "fleet/x.ts -> ../triage/TriageService: reaches into triage's internals, not its index",
      "drift/x.ts -> ../plugin: imports the plugin's wiring",
    ]);
  });

  it('catch SQL outside a store', () => {
    const at = (p: string) => path.join(SRC, p);
    expect(
      sqlViolations([
        {
          file: at('fleet/FleetService.ts'),
          source: "import { Knex } from 'knex';",
        },
        {
          file: at('triage/context.ts'),
          source: "await db('mlops_pipelines').whereIn('name', names);",
        },
        {
          file: at('health/router.ts'),
          source: "await options.db.raw('select 1');",
        },
        {
          file: at('incidents/index.ts'),
          source: "await this.db('mlops_incidents');",
        },
        // Allowed: a store, a query module, plumbing, wiring, express's raw parser.
        {
          file: at('drift/DriftStore.ts'),
          source: "import { Knex } from 'knex';\nthis.db('x');",
        },
        { file: at('tracking/runSearch.ts'), source: "db.raw('1');" },
        { file: at('database/ping.ts'), source: "await db.raw('select 1');" },
        {
          file: at('registry/index.ts'),
          source: "import { Knex } from 'knex';",
        },
        { file: at('sources/router.ts'), source: 'express.raw({ limit });' },
      ]),
    ).toEqual([
      'fleet/FleetService.ts: imports knex outside a store',
      'triage/context.ts: queries the database outside a store',
      'health/router.ts: queries the database outside a store',
      'incidents/index.ts: queries the database outside a store',
    ]);
  });
});
