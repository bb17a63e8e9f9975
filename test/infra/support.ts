/**
 * Helpers for the CDK tests: a suite configuration file and the bundle folders `npm run build` would write
 * (a stub handler plus the configuration shipped beside it), in a temporary directory, and an app built with
 * the context from `cdk.json` plus the test's own.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { parse as parseYaml } from 'yaml';
import { ALL_FUNCTIONS } from '../../infra/catalog.ts';
import { definePlumbline, type PlumblineApp, REPOSITORY_ROOT } from '../../infra/plumbline.ts';

/** The suite configuration the stack tests deploy: parameters each rule documents. */
export const TEST_SUITE_YAML = `# Test suite configuration
rules:
  security-group:
    blockedPorts: "22,3389"
  required-tags:
    tag1Key: owner
    tag1Value: "team-a, team-b"
tagPolicy:
  resourceTypes: [AWS::EC2::Instance, AWS::S3::Bucket]
responders:
  sg-drift-revert: {}
`;

export interface Workspace {
  dir: string;
  configFile: string;
  assetDir: string;
}

/** A configuration file and matching bundles; `shipped` overrides what the bundles carry. */
export function workspace(yamlText = TEST_SUITE_YAML, shipped?: unknown): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'plumbline-infra-'));
  const configFile = join(dir, 'plumbline.config.yaml');
  writeFileSync(configFile, yamlText);
  const assetDir = join(dir, 'dist');
  const document = shipped ?? parseYaml(yamlText) ?? {};
  for (const name of ALL_FUNCTIONS) {
    mkdirSync(join(assetDir, name), { recursive: true });
    writeFileSync(
      join(assetDir, name, 'index.mjs'),
      `export const handler = async () => ${JSON.stringify(name)};\n`,
    );
    writeFileSync(join(assetDir, name, 'plumbline.config.json'), `${JSON.stringify(document, null, 2)}\n`);
  }
  return { dir, configFile, assetDir };
}

/** The context `cdk.json` gives every synth. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

export interface BuiltApp extends PlumblineApp {
  app: App;
}

/** Builds the app as `cdk synth` would, with `context` over `cdk.json`'s (cdk-nag runs separately). */
export function buildApp(space: Workspace, context: Record<string, unknown> = {}): BuiltApp {
  const app = new App({
    outdir: join(space.dir, 'cdk.out'),
    context: {
      ...cdkJsonContext(),
      'plumbline:configFile': space.configFile,
      'plumbline:assetDir': space.assetDir,
      ...context,
    },
  });
  return { app, ...definePlumbline(app, { nag: false }) };
}

/** Organisation-mode context used across tests. */
export const ORGANIZATION_CONTEXT = {
  'plumbline:mode': 'organization',
  'plumbline:organizationId': 'o-a1b2c3d4e5',
  'plumbline:organizationalUnitIds': 'r-ab12,ou-ab12-cdef5678',
  'plumbline:regions': 'eu-west-1,us-east-1',
  'plumbline:homeRegion': 'eu-west-1',
  'plumbline:excludedAccounts': '111111111111',
  'plumbline:adminAccountId': '222222222222',
  'plumbline:managementAccountId': '333333333333',
};

/** The logical id of the one resource of `type` whose properties match `properties`. */
export function logicalId(template: Template, type: string, properties: Record<string, unknown>): string {
  const found = Object.keys(template.findResources(type, { Properties: properties }));
  if (found.length !== 1) {
    throw new Error(`expected one ${type} matching ${JSON.stringify(properties)}, found ${found.length}`);
  }
  return found[0] as string;
}

/** The logical id of the function named `plumbline-<name>`. */
export function functionLogicalId(template: Template, name: string): string {
  return logicalId(template, 'AWS::Lambda::Function', { FunctionName: `plumbline-${name}` });
}

/** `{ "Fn::GetAtt": [id, "Arn"] }` */
export const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
export const refTo = (id: string) => ({ Ref: id });

/** `arn:${Partition}:<service>:${Region}:${AccountId}:<rest>` as the CDK renders it for an agnostic stack. */
export function agnosticArn(service: string, rest: string, region: unknown = { Ref: 'AWS::Region' }) {
  return {
    'Fn::Join': [
      '',
      ['arn:', { Ref: 'AWS::Partition' }, `:${service}:`, region, ':', { Ref: 'AWS::AccountId' }, `:${rest}`],
    ],
  };
}
