/**
 * `npm run package`: deployable templates whose function code is named by parameters (`AssetBucket`, one
 * `<Function>CodeKey` each), the zipped bundles, and a manifest, for account and organisation mode; the
 * packaged templates pass cfn-lint (skipped with a message where it is not installed). Each mode is
 * packaged once.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_FUNCTIONS } from '../../infra/catalog.ts';
import { functionId } from '../../infra/constructs/suite-functions.ts';
import { type PackageResult, packageArguments, packagePlumbline } from '../../infra/package.ts';
import { cdkJsonContext, GLOBAL_RULES, ORGANIZATION_CONTEXT, workspace } from './support.ts';

interface PackagedTemplate {
  Parameters: Record<string, { Type: string; Default?: string }>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}

const readJson = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;

function packageMode(context: Record<string, unknown>): PackageResult {
  const space = workspace();
  return packagePlumbline(join(space.dir, 'package'), {
    ...cdkJsonContext(),
    'plumbline:configFile': space.configFile,
    'plumbline:assetDir': space.assetDir,
    ...context,
  });
}

const zipEntries = (file: string) =>
  execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line !== '');

let account: PackageResult;
let organization: PackageResult;

describe('npm run package', () => {
  beforeAll(() => {
    account = packageMode({});
    organization = packageMode(ORGANIZATION_CONTEXT);
  }, 600_000);

  it('writes one template per stack and a manifest with regions, order and assets', () => {
    expect(account.templates.map((file) => file.split('/').pop())).toEqual(['Plumbline.template.json']);
    const manifest = readJson<{
      stacks: { name: string; dependsOn: string[] }[];
      assets: { stack: string }[];
    }>(join(organization.outDir, 'manifest.json'));
    expect(manifest.stacks.map(({ name, dependsOn }) => [name, dependsOn])).toEqual([
      ['PlumblineOrg-eu-west-1', []],
      ['PlumblineOrg-us-east-1', ['PlumblineOrg-eu-west-1']],
    ]);
    // A bundle per function of each stack: the rules of global resources are in the home region's only.
    const assetsOf = (stack: string) => manifest.assets.filter((asset) => asset.stack === stack);
    expect(assetsOf('PlumblineOrg-eu-west-1')).toHaveLength(ALL_FUNCTIONS.length);
    expect(assetsOf('PlumblineOrg-us-east-1')).toHaveLength(ALL_FUNCTIONS.length - GLOBAL_RULES.length);
    expect(manifest.assets).toHaveLength(2 * ALL_FUNCTIONS.length - GLOBAL_RULES.length);
  });

  it('each function reads its code from AssetBucket and its own key parameter, defaulting to the zip', () => {
    const template = readJson<PackagedTemplate>(account.templates[0] as string);
    expect(template.Parameters.AssetBucket?.Type).toBe('String');
    // Nothing from the CDK bootstrap.
    expect(Object.keys(template.Parameters)).not.toContain('BootstrapVersion');
    const functions = Object.values(template.Resources).filter(
      (resource) => resource.Type === 'AWS::Lambda::Function',
    );
    expect(functions).toHaveLength(ALL_FUNCTIONS.length);
    for (const fn of functions) {
      const code = fn.Properties.Code as { S3Bucket: unknown; S3Key: { Ref: string } };
      expect(code.S3Bucket).toEqual({ Ref: 'AssetBucket' });
      // `<Function>CodeKey`, defaulting to `<Function>-<hash>.zip` (`Ec2EbsOptimized` for ec2-ebs-optimized).
      const id = functionId(String(fn.Properties.FunctionName).replace(/^plumbline-/, ''));
      expect(code.S3Key.Ref).toBe(`${id}CodeKey`);
      const key = template.Parameters[code.S3Key.Ref];
      expect(key?.Default).toMatch(new RegExp(`^${id}-[0-9a-f]{16}\\.zip$`));
      expect(account.assets.map((asset) => asset.file)).toContain(`assets/${key?.Default}`);
    }
  });

  it('each zip holds the bundle and its configuration at the root, as Lambda expects', () => {
    for (const asset of account.assets) {
      expect(zipEntries(join(account.outDir, asset.file)).sort()).toEqual([
        'index.mjs',
        'plumbline.config.json',
      ]);
    }
  });

  it('reads -c settings and --out from the command line, and refuses anything else', () => {
    expect(packageArguments(['-c', 'plumbline:namePrefix=acme', '--out', '/tmp/out'])).toEqual({
      outDir: '/tmp/out',
      context: { 'plumbline:namePrefix': 'acme' },
    });
    expect(() => packageArguments(['--region', 'eu-west-1'])).toThrow(
      'Unknown argument --region (expected -c plumbline:<key>=<value> or --out <dir>)',
    );
    expect(() => packageArguments(['-c', 'novalue'])).toThrow('-c novalue: expected key=value');
  });

  const lint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  it.skipIf(lint.status !== 0)(
    'the packaged templates pass cfn-lint, with no warning',
    () => {
      const run = spawnSync(
        'cfn-lint',
        [
          '--format',
          'json',
          '--ignore-checks',
          'W3005',
          '--',
          ...account.templates,
          ...organization.templates,
        ],
        { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      );
      const findings =
        run.stdout.trim() === ''
          ? []
          : (JSON.parse(run.stdout) as { Rule: { Id: string }; Message: string }[]);
      expect(findings.map((finding) => `${finding.Rule.Id}: ${finding.Message}`)).toEqual([]);
      expect(run.status).toBe(0);
    },
    300_000,
  );
});
