#!/usr/bin/env node
/*
 * The packaging policy of every package under plugins/ (but private ones,
 * which are never released, like the demo module), checked on each CI run
 * so a package added later is held to it too. A package is what an adopter
 * installs from a tarball or the registry, so it must build, pack and resolve
 * beside the Backstage release the app runs:
 *
 * - one version for all packages (released together: .changeset/config.json
 *   keeps them in one `fixed` group), public, Apache-2.0, with a description;
 * - the scripts Backstage's own packages have, prepack/postpack above all
 *   (without them `npm pack` ships package.json pointing at src/*.ts);
 * - `files` with dist, plus migrations and config.d.ts when the package has
 *   them, and `configSchema` naming config.d.ts;
 * - every `@backstage/*` dependency a caret range (an exact pin gives an app on
 *   a later patch a second copy), every sibling `^<the version>`;
 * - frontend packages take React, ReactDOM and React Router as peer
 *   dependencies with the ranges Backstage's own plugins declare, never as
 *   dependencies (two Reacts break hooks);
 * - an `./alpha` entry point in exports and typesVersions alike, when
 *   src/alpha.ts(x) exists;
 * - a changeset (or, once released, a CHANGELOG.md) naming the package.
 *
 * Usage: node scripts/check-packages.js [--fix [plugins/<dir> ...]]
 *   --fix rewrites the package.json files for the mechanical rules (scripts,
 *   ranges, files, peers) and reports what is left; given directories, it
 *   rewrites only theirs.
 */
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const fix = process.argv.includes('--fix');
const onlyDirs = process.argv
  .slice(2)
  .filter(arg => arg !== '--fix')
  .map(arg => path.resolve(arg));

const SCOPE = '@backstage-mlops/';
const SCRIPTS = {
  build: 'backstage-cli package build',
  lint: 'backstage-cli package lint',
  test: 'backstage-cli package test',
  clean: 'backstage-cli package clean',
  prepack: 'backstage-cli package prepack',
  postpack: 'backstage-cli package postpack',
};
// As @backstage/plugin-catalog of release 1.55 declares them.
const REACT_PEERS = {
  '@types/react': '^17.0.0 || ^18.0.0',
  react: '^17.0.0 || ^18.0.0',
  'react-dom': '^17.0.0 || ^18.0.0',
  'react-router-dom': '^6.30.2',
};
const FRONTEND_ROLES = new Set([
  'frontend-plugin',
  'frontend-plugin-module',
  'web-library',
]);
const DEPENDENCY_FIELDS = [
  'dependencies',
  'peerDependencies',
  'devDependencies',
  'optionalDependencies',
];

function listPackages() {
  const dir = path.join(root, 'plugins');
  return fs
    .readdirSync(dir)
    .filter(name => fs.existsSync(path.join(dir, name, 'package.json')))
    .map(name => {
      const file = path.join(dir, name, 'package.json');
      return {
        dir: path.join(dir, name),
        file,
        pkg: JSON.parse(fs.readFileSync(file, 'utf8')),
      };
    });
}

function changesetNames() {
  const dir = path.join(root, '.changeset');
  const names = new Set();
  if (!fs.existsSync(dir)) return names;
  for (const file of fs.readdirSync(dir)) {
    if (!file.endsWith('.md') || file === 'README.md') continue;
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    const front = /^---\n([\s\S]*?)\n---/.exec(text);
    if (!front) continue;
    for (const line of front[1].split('\n')) {
      const m = /^['"]?([^'":]+)['"]?\s*:/.exec(line.trim());
      if (m) names.add(m[1]);
    }
  }
  return names;
}

function policyVersion(packages) {
  const common = packages.find(p => p.pkg.name === `${SCOPE}plugin-mlops-common`);
  return (common ?? packages[0]).pkg.version;
}

function sortKeys(object) {
  return Object.fromEntries(
    Object.keys(object)
      .sort()
      .map(k => [k, object[k]]),
  );
}

function checkPackage({ dir, pkg }, version, released, problems) {
  const say = message => problems.push(`${pkg.name ?? dir}: ${message}`);
  const role = pkg.backstage?.role;
  const has = relative => fs.existsSync(path.join(dir, relative));

  if (!pkg.name?.startsWith(SCOPE)) say(`name must start with ${SCOPE}`);
  if (pkg.version !== version) {
    if (fix) pkg.version = version;
    else say(`version ${pkg.version}, but every package is released at ${version}`);
  }
  if (pkg.license !== 'Apache-2.0') say('license must be Apache-2.0');
  if (!pkg.description) say('needs a description (shown by npm and the Backstage plugin directory)');
  if (!role) say('needs backstage.role');
  if (!pkg.backstage?.pluginId) say('needs backstage.pluginId');
  if (pkg.publishConfig?.access !== 'public') {
    if (fix) pkg.publishConfig = { ...pkg.publishConfig, access: 'public' };
    else say('publishConfig.access must be public');
  }

  pkg.scripts = pkg.scripts ?? {};
  for (const [name, command] of Object.entries(SCRIPTS)) {
    if (pkg.scripts[name] !== command) {
      if (fix) pkg.scripts[name] = command;
      else say(`scripts.${name} must be "${command}"`);
    }
  }
  if (fix) pkg.scripts = sortKeys(pkg.scripts);

  // Source entry points in the repo; prepack swaps them for dist.
  if (pkg.main !== 'src/index.ts') say('main must be src/index.ts (prepack points it at dist)');
  if (pkg.types !== 'src/index.ts') say('types must be src/index.ts (prepack points it at dist)');
  if (!pkg.exports && !pkg.publishConfig?.main) {
    say('needs publishConfig.main/types (or exports) so the packed package.json points at dist');
  }

  const wantFiles = ['dist'];
  if (has('migrations')) wantFiles.push('migrations');
  if (has('config.d.ts')) wantFiles.push('config.d.ts');
  const files = pkg.files ?? [];
  for (const entry of wantFiles) {
    if (!files.includes(entry)) {
      if (fix) pkg.files = [...(pkg.files ?? []), entry];
      else say(`files must include ${entry}`);
    }
  }
  if (has('config.d.ts') && pkg.configSchema !== 'config.d.ts') {
    if (fix) pkg.configSchema = 'config.d.ts';
    else say('configSchema must be config.d.ts');
  }

  const alphaSource = ['src/alpha.ts', 'src/alpha.tsx'].find(has);
  if (alphaSource) {
    if (pkg.exports?.['./alpha'] !== `./${alphaSource}`) {
      say(`exports["./alpha"] must be "./${alphaSource}"`);
    }
    if (pkg.exports?.['.'] !== './src/index.ts') say('exports["."] must be "./src/index.ts"');
    if (pkg.exports?.['./package.json'] !== './package.json') {
      say('exports["./package.json"] must be "./package.json"');
    }
    const tv = pkg.typesVersions?.['*']?.alpha;
    if (!Array.isArray(tv) || tv[0] !== alphaSource) {
      say(`typesVersions["*"].alpha must be ["${alphaSource}"]`);
    }
  } else if (pkg.exports?.['./alpha']) {
    say('exports ./alpha, but there is no src/alpha.ts(x)');
  }

  for (const field of DEPENDENCY_FIELDS) {
    const deps = pkg[field];
    if (!deps) continue;
    for (const [dep, range] of Object.entries(deps)) {
      if (dep.startsWith(SCOPE)) {
        if (range !== `^${version}`) {
          if (fix) deps[dep] = `^${version}`;
          else say(`${field}.${dep} must be ^${version} (one version for all packages)`);
        }
      } else if (dep.startsWith('@backstage/') && field !== 'peerDependencies') {
        if (/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(range)) {
          if (fix) deps[dep] = `^${range}`;
          else say(`${field}.${dep} is pinned to ${range}: use ^${range}`);
        } else if (!/^\^\d+\.\d+\.\d+(-[\w.]+)?$/.test(range)) {
          say(`${field}.${dep} must be a caret range of the supported release, not ${range}`);
        }
      }
    }
  }

  if (FRONTEND_ROLES.has(role)) {
    for (const [dep, range] of Object.entries(REACT_PEERS)) {
      if (pkg.dependencies?.[dep]) {
        if (fix) delete pkg.dependencies[dep];
        else say(`${dep} must be a peer dependency, not a dependency`);
      }
      if (pkg.peerDependencies?.[dep] !== range) {
        if (fix) pkg.peerDependencies = { ...pkg.peerDependencies, [dep]: range };
        else say(`peerDependencies.${dep} must be "${range}" (as Backstage's own plugins)`);
      }
    }
    if (pkg.peerDependenciesMeta?.['@types/react']?.optional !== true) {
      if (fix) {
        pkg.peerDependenciesMeta = {
          ...pkg.peerDependenciesMeta,
          '@types/react': { optional: true },
        };
      } else say('peerDependenciesMeta["@types/react"] must be optional');
    }
    if (fix && pkg.peerDependencies) pkg.peerDependencies = sortKeys(pkg.peerDependencies);
  }
  if ((FRONTEND_ROLES.has(role) || role === 'common-library') && pkg.sideEffects !== false) {
    if (fix) pkg.sideEffects = false;
    else say('sideEffects must be false (lets the app bundle shake unused cards out)');
  }

  if (!released.has(pkg.name) && !has('CHANGELOG.md')) {
    say('has no changeset (add one with `npx changeset`) and no CHANGELOG.md');
  }
}

function main() {
  const packages = listPackages();
  const version = policyVersion(packages);
  const released = changesetNames();
  const problems = [];
  for (const entry of packages) {
    // A private package (the demo module) is never released; nothing to hold it to.
    if (entry.pkg.private) continue;
    checkPackage(entry, version, released, problems);
    const chosen = onlyDirs.length === 0 || onlyDirs.includes(entry.dir);
    if (fix && chosen) fs.writeFileSync(entry.file, `${JSON.stringify(entry.pkg, null, 2)}\n`);
  }
  const config = path.join(root, '.changeset', 'config.json');
  if (fs.existsSync(config)) {
    const fixed = JSON.parse(fs.readFileSync(config, 'utf8')).fixed ?? [];
    const group = fixed.find(g => g.includes(`${SCOPE}*`));
    if (!group) problems.push(`.changeset/config.json: "fixed" must hold ["${SCOPE}*"] (one version for all packages)`);
  } else {
    problems.push('.changeset/config.json is missing');
  }
  if (problems.length) {
    console.error(`Packaging policy: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`Packaging policy: ${packages.length} packages at ${version}, all as they should be`);
}

main();
