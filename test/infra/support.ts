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
import { ALL_FUNCTIONS, CONFIG_RULE_FUNCTIONS, isGlobalRule, isPeriodicOnly } from '../../infra/catalog.ts';
import { definePlumbline, type PlumblineApp, REPOSITORY_ROOT } from '../../infra/plumbline.ts';
import { recordedTypes } from '../../shared/core/account-item.ts';
import { DEPLOY_PARAMETERS_VARIABLE } from '../../shared/lambda/suite.ts';
import { findRule } from '../../shared/rules/index.ts';

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

/** The rule parameters TEST_SUITE_YAML gives, by rule; every other rule gets none from the file. */
export const TEST_SUITE_PARAMETERS: Record<string, Record<string, string>> = {
  'security-group': { blockedPorts: '22,3389' },
  'required-tags': { tag1Key: 'owner', tag1Value: 'team-a, team-b' },
};

/** Each rule's Config scope with TEST_SUITE_YAML: the registry's types, required-tags' narrowed by tagPolicy. */
export function testSuiteScope(rule: string): readonly string[] {
  if (rule === 'required-tags') return ['AWS::EC2::Instance', 'AWS::S3::Bucket'];
  const registered = findRule(rule);
  if (registered === undefined) throw new Error(`no rule ${rule}`);
  return registered.resourceTypes;
}

/**
 * Every type the rules evaluate with TEST_SUITE_YAML that a recorder can record, in the rules' order: the
 * account itself (`AWS::::Account`) is judged, never recorded.
 */
export const RECORDED_RULE_TYPES: readonly string[] = [
  ...new Set(CONFIG_RULE_FUNCTIONS.flatMap((rule) => recordedTypes(testSuiteScope(rule)))),
];

/** The Config-rule functions triggered on a schedule only (`trigger: 'periodic'`): no change trigger, no scope. */
export const PERIODIC_ONLY_RULES = CONFIG_RULE_FUNCTIONS.filter(isPeriodicOnly);
/** The Config-rule functions of global resources only (IAM, the account): home region only in account mode. */
export const GLOBAL_RULES = CONFIG_RULE_FUNCTIONS.filter(isGlobalRule);
/** The rules' own account-level reads (`readActions`), by rule; a rule without any is absent. */
export const RULE_READ_ACTIONS: Record<string, readonly string[]> = Object.fromEntries(
  CONFIG_RULE_FUNCTIONS.flatMap((rule) => {
    const reads = findRule(rule)?.readActions ?? [];
    return reads.length > 0 ? [[rule, reads]] : [];
  }),
);

/** Every message type, as a Config rule of recorded resources is triggered. */
export const CHANGE_AND_PERIODIC_TRIGGERS = [
  'ConfigurationItemChangeNotification',
  'OversizedConfigurationItemChangeNotification',
  'ScheduledNotification',
];
/** The message types that trigger `rule`'s Config rule. */
export const triggersOf = (rule: string): string[] =>
  isPeriodicOnly(rule) ? ['ScheduledNotification'] : CHANGE_AND_PERIODIC_TRIGGERS;

/** A rule's `readActions` as one IAM statement renders them (a single action as a string), or none. */
export function readStatements(
  rule: string,
): { Effect: string; Action: string | string[]; Resource: string }[] {
  const reads = RULE_READ_ACTIONS[rule];
  if (reads === undefined) return [];
  return [{ Effect: 'Allow', Action: reads.length === 1 ? (reads[0] as string) : [...reads], Resource: '*' }];
}

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
/** The recorder's role as synthesised: AWS Config's service-linked role in the stack's account. */
export const CONFIG_SERVICE_LINKED_ROLE_ARN = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':iam::',
      { Ref: 'AWS::AccountId' },
      ':role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig',
    ],
  ],
};

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

export interface CfnTemplate {
  Parameters: Record<string, { Default?: string; AllowedPattern?: string; AllowedValues?: string[] }>;
  Conditions: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}

const NO_VALUE = Symbol('AWS::NoValue');

/**
 * Resolves `value` as CloudFormation would (`Ref`, `Fn::Join`, `Fn::If` on the template's conditions,
 * `Fn::Equals`, `Fn::Not`, `AWS::NoValue`), with `parameters` over the template's defaults. */
export function resolveValue(
  template: CfnTemplate,
  value: unknown,
  parameters: Record<string, string>,
): unknown {
  const parameterValue = (name: string) => {
    if (name === 'AWS::NoValue') return NO_VALUE;
    const given = parameters[name] ?? template.Parameters[name]?.Default;
    if (given === undefined) throw new Error(`no value for ${name}`);
    return given;
  };
  const condition = (name: string): boolean => {
    const expression = template.Conditions[name];
    if (expression === undefined) throw new Error(`no condition ${name}`);
    return Boolean(resolveValue(template, expression, parameters));
  };
  if (Array.isArray(value)) return value.map((item) => resolveValue(template, item, parameters));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const [first] = entries;
  if (entries.length === 1 && first) {
    const [key, argument] = first as [string, unknown];
    if (key === 'Ref') return parameterValue(argument as string);
    if (key === 'Fn::Join') {
      const [separator, items] = argument as [string, unknown[]];
      return items.map((item) => resolveValue(template, item, parameters)).join(separator);
    }
    if (key === 'Fn::If') {
      const [name, whenTrue, whenFalse] = argument as [string, unknown, unknown];
      return resolveValue(template, condition(name) ? whenTrue : whenFalse, parameters);
    }
    if (key === 'Fn::Equals') {
      const [a, b] = (argument as unknown[]).map((item) => resolveValue(template, item, parameters));
      return a === b;
    }
    if (key === 'Fn::Not') return !resolveValue(template, (argument as unknown[])[0], parameters);
  }
  const resolved: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    const result = resolveValue(template, item, parameters);
    if (result !== NO_VALUE) resolved[key] = result;
  }
  return resolved;
}

function resourcesOf(template: CfnTemplate, type: string) {
  return Object.values(template.Resources).filter((resource) => resource.Type === type);
}

/** What AWS Config receives as each rule's `InputParameters`, by rule name. */
export function ruleInputs(
  template: CfnTemplate,
  parameters: Record<string, string>,
): Record<string, unknown> {
  const account = resourcesOf(template, 'AWS::Config::ConfigRule').map((rule) => [
    rule.Properties.ConfigRuleName,
    resolveValue(template, rule.Properties.InputParameters, parameters),
  ]);
  const organization = resourcesOf(template, 'AWS::Config::OrganizationConfigRule').map((rule) => {
    const metadata = rule.Properties.OrganizationCustomRuleMetadata as { InputParameters: unknown };
    return [
      rule.Properties.OrganizationConfigRuleName,
      JSON.parse(resolveValue(template, metadata.InputParameters, parameters) as string),
    ];
  });
  return Object.fromEntries([...account, ...organization]);
}

/** What each responder reads from `PLUMBLINE_DEPLOY_PARAMETERS`, by function name. */
export function responderInputs(
  template: CfnTemplate,
  parameters: Record<string, string>,
): Record<string, unknown> {
  return Object.fromEntries(
    resourcesOf(template, 'AWS::Lambda::Function')
      .map((fn) => {
        const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
        const raw = variables[DEPLOY_PARAMETERS_VARIABLE];
        return [
          fn.Properties.FunctionName,
          raw === undefined ? undefined : resolveValue(template, raw, parameters),
        ];
      })
      .filter(([, raw]) => raw !== undefined)
      .map(([name, raw]) => [name, JSON.parse(raw as string)]),
  );
}
