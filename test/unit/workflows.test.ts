// The GitHub workflows cannot run here, so they are kept right by construction: CI runs .ci/run (the
// same script a clean clone runs), and a release runs those tests before it packages and publishes,
// publishes with tokens from repository secrets only, and attaches the VSIX it built.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '../../..');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, { 'runs-on': string; container?: { image: string }; steps: Step[] }>;
}

function load(file: string): Workflow {
  return parse(fs.readFileSync(path.join(root, file), 'utf8')) as Workflow;
}

/**
 * The steps of the workflow's only job, after checking it runs where .ci/run expects to: a fresh
 * Debian machine with Node 20 (the node:20 Debian image on a Linux runner), as root for apt-get.
 */
function steps(wf: Workflow): Step[] {
  const jobs = Object.values(wf.jobs);
  assert.equal(jobs.length, 1, 'one job');
  const job = jobs[0];
  assert.ok(job);
  assert.match(job['runs-on'], /^ubuntu-/);
  assert.match(job.container?.image ?? '', /^node:20-(bookworm|bullseye|trixie)$/);
  return job.steps;
}

const indexOf = (all: Step[], test: (s: Step) => boolean, what: string) => {
  const i = all.findIndex(test);
  assert.ok(i >= 0, `no step ${what}`);
  return i;
};
const runs = (pattern: RegExp) => (s: Step) => typeof s.run === 'string' && pattern.test(s.run);

describe('GitHub workflows', () => {
  it('CI runs .ci/run on Debian with Node 20 for every push and pull request', () => {
    const wf = load('.github/workflows/ci.yml');
    assert.ok('push' in wf.on && 'pull_request' in wf.on);
    const all = steps(wf);
    const checkout = indexOf(all, (s) => Boolean(s.uses?.startsWith('actions/checkout@')), 'checking out');
    const tests = indexOf(all, runs(/^bash \.ci\/run$/), 'running bash .ci/run');
    assert.ok(checkout < tests);
    assert.ok(fs.existsSync(path.join(root, '.ci', 'run')));
  });

  it('a v* tag runs the same tests, then packages, then publishes to both marketplaces and attaches the VSIX', () => {
    const wf = load('.github/workflows/release.yml');
    assert.deepEqual(wf.on, { push: { tags: ['v*'] } });
    const all = steps(wf);
    const tests = indexOf(all, runs(/^bash \.ci\/run$/), 'running bash .ci/run');
    const pack = indexOf(all, runs(/^npm run package$/), 'running npm run package');
    const vsce = indexOf(all, runs(/\bvsce publish\b/), 'running vsce publish');
    const ovsx = indexOf(all, runs(/\bovsx(@[\d.]+)? publish\b/), 'running ovsx publish');
    const attach = indexOf(
      all,
      (s) => Boolean(s.uses?.startsWith('softprops/action-gh-release@')) && /\.vsix$/.test(String(s.with?.files)),
      'attaching the VSIX to a release',
    );
    assert.ok(tests < pack, 'tests before packaging');
    assert.ok(pack < vsce && pack < ovsx, 'packaging before publishing');
    assert.ok(pack < attach, 'packaging before attaching');
    // Both publish the VSIX that was packaged and tested, not a fresh build.
    assert.match(all[vsce]?.run ?? '', /--packagePath \S+\.vsix/);
    assert.match(all[ovsx]?.run ?? '', /publish \S+\.vsix/);
  });

  it('publishes with tokens from repository secrets, and no step has a token written into it', () => {
    const all = steps(load('.github/workflows/release.yml'));
    const vsce = all.find(runs(/\bvsce publish\b/));
    const ovsx = all.find(runs(/\bovsx(@[\d.]+)? publish\b/));
    assert.equal(vsce?.env?.VSCE_PAT, '${{ secrets.VSCE_PAT }}');
    assert.equal(ovsx?.env?.OVSX_PAT, '${{ secrets.OVSX_PAT }}');
    for (const s of all) {
      for (const [k, v] of Object.entries(s.env ?? {})) {
        if (/PAT|TOKEN/.test(k)) assert.match(v, /^\$\{\{ (secrets\.\w+|github\.token) \}\}$/, `${s.name ?? s.run}: ${k}`);
      }
    }
    for (const s of [vsce, ovsx]) assert.doesNotMatch(s?.run ?? '', /\s(-p|--pat)(\s|=)/, `${s?.name}: a token on the command line`);
  });

  it('Dependabot watches the npm packages and the workflow actions', () => {
    const config = parse(fs.readFileSync(path.join(root, '.github/dependabot.yml'), 'utf8')) as {
      version: number;
      updates: Array<{ 'package-ecosystem': string; directory: string }>;
    };
    assert.equal(config.version, 2);
    assert.deepEqual(config.updates.map((u) => [u['package-ecosystem'], u.directory]).sort(), [
      ['github-actions', '/'],
      ['npm', '/'],
    ]);
  });
});
