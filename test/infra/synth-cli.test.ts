/**
 * What `npm run synth` does, end to end and offline: the real bundles (esbuild, as `npm run build`), then the
 * CDK CLI through `cdk.json`, with no credentials, no network and no Docker. cdk-nag runs inside the synth.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFunctions } from '../../esbuild.config.ts';
import { ALL_FUNCTIONS } from '../../infra/catalog.ts';
import { REPOSITORY_ROOT } from '../../infra/plumbline.ts';

const work = mkdtempSync(join(tmpdir(), 'plumbline-synth-'));
const dist = join(work, 'dist');

beforeAll(async () => {
  await buildFunctions({ outdir: dist, functions: [...ALL_FUNCTIONS], quiet: true });
});

function cdkSynth(outdir: string, context: Record<string, string>) {
  const args = ['synth', '--quiet', '--no-notices', '-o', outdir, '-c', `plumbline:assetDir=${dist}`];
  for (const [key, value] of Object.entries(context)) args.push('-c', `${key}=${value}`);
  return spawnSync(join(REPOSITORY_ROOT, 'node_modules', '.bin', 'cdk'), args, {
    cwd: REPOSITORY_ROOT,
    encoding: 'utf8',
    // Within the slow project's 300 s test timeout (vitest.config.ts): 27–50 s is usual on a busy 2-core box.
    timeout: 240_000,
    // Offline and anonymous: no credentials, no profile, no proxy to anywhere.
    env: {
      PATH: `${join(REPOSITORY_ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
      HOME: work,
      CDK_DISABLE_VERSION_CHECK: 'true',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  });
}

interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

const readTemplate = (dir: string, stack: string) =>
  JSON.parse(readFileSync(join(dir, `${stack}.template.json`), 'utf8')) as CfnTemplate;

describe('cdk synth (npm run synth)', () => {
  it('account mode: writes the template and each function bundle as an asset, with its suite configuration', () => {
    const out = join(work, 'account.out');
    const result = cdkSynth(out, {});
    expect(result.stderr).not.toMatch(/AwsSolutions-|Error/);
    expect(result.status).toBe(0);
    const template = readTemplate(out, 'Plumbline');
    const functions = Object.values(template.Resources).filter(
      (resource) => resource.Type === 'AWS::Lambda::Function',
    );
    expect(functions.map((fn) => fn.Properties?.FunctionName).sort()).toEqual(
      ALL_FUNCTIONS.map((name) => `plumbline-${name}`).sort(),
    );
    // Each asset directory is a bundle from npm run build, shipped with plumbline.config.json beside it.
    const assets = readdirSync(out).filter((entry) => entry.startsWith('asset.'));
    expect(assets).toHaveLength(ALL_FUNCTIONS.length);
    for (const asset of assets) {
      expect(existsSync(join(out, asset, 'index.mjs'))).toBe(true);
      expect(existsSync(join(out, asset, 'plumbline.config.json'))).toBe(true);
    }
    // The CLI's own synth (a process of its own, cdk-nag included) takes most of a minute on a busy 2-core box.
  });

  it('a bad setting fails the synth with the key and the value', () => {
    const result = cdkSynth(join(work, 'bad.out'), { 'plumbline:periodicFrequency': 'Daily' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(
      'Invalid context plumbline:periodicFrequency="Daily": Invalid option: expected one of "One_Hour"|"Three_Hours"|"Six_Hours"|"Twelve_Hours"|"TwentyFour_Hours"',
    );
  });
});
