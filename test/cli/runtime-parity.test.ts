/**
 * The CLI and the Config-rule Lambda runtime give identical verdicts on the same items: the example
 * snapshot is served to `createConfigRuleHandler` as Config's inventory in a periodic run, and every
 * `PutEvaluations` entry is compared with the CLI's evaluation of the same rule and resource.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Evaluation as ConfigEvaluation,
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
  SelectResourceConfigCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createConfigRuleHandler } from '../../shared/aws/config-runtime.ts';
import type { AnyRule, PublicAccessBlockFlags } from '../../shared/core/model.ts';
import { parseSuiteConfig } from '../../shared/core/suite-config.ts';
import { periodicEvent } from '../fixtures/config/events.ts';
import { testRule } from '../support/test-rule.ts';
import { EXAMPLE_CONFIG, EXAMPLE_SNAPSHOT, plumblineRules, REPO, runCli } from './support/cli.ts';
import { exampleItems, queriedTypes, selectRow } from './support/inventory.ts';

const config = mockClient(ConfigServiceClient);
const ACCOUNT = '111122223333';
/** The example's AWS::S3::AccountPublicAccessBlock: every setting off. */
const ACCOUNT_BLOCK: PublicAccessBlockFlags = {
  blockPublicAcls: false,
  ignorePublicAcls: false,
  blockPublicPolicy: false,
  restrictPublicBuckets: false,
};

const suite = parseSuiteConfig(parseYaml(readFileSync(join(REPO, EXAMPLE_CONFIG), 'utf8')), EXAMPLE_CONFIG, [
  'security-group',
  'required-tags',
  'public-bucket',
  testRule.name,
]);

beforeEach(() => {
  config.reset();
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
  config.on(SelectResourceConfigCommand).callsFake((input: { Expression: string }) => ({
    Results: exampleItems()
      .filter((item) => queriedTypes(input.Expression).includes(item.resourceType))
      .map(selectRow),
  }));
});

/** What the Lambda writes for each resource: `type id` → [compliance, annotation]. */
async function lambdaVerdicts(rule: AnyRule): Promise<Record<string, [string, string]>> {
  const handler = createConfigRuleHandler(rule, {
    createConfigClient: () => new ConfigServiceClient({ region: 'us-east-1' }),
    suiteConfig: () => suite,
    accountFacts: { publicAccessBlock: async () => ACCOUNT_BLOCK },
    writer: { sleep: async () => {} },
    region: 'us-east-1',
  });
  await handler(periodicEvent({ accountId: ACCOUNT, ruleParameters: suite.rules[rule.name] ?? {} }));
  const written: ConfigEvaluation[] = config
    .commandCalls(PutEvaluationsCommand)
    .flatMap((call) => call.args[0].input.Evaluations ?? []);
  return Object.fromEntries(
    written.map((evaluation) => [
      `${evaluation.ComplianceResourceType} ${evaluation.ComplianceResourceId}`,
      [evaluation.ComplianceType ?? '', evaluation.Annotation ?? ''],
    ]),
  );
}

async function cliVerdicts(rule: AnyRule): Promise<Record<string, [string, string]>> {
  const result = await runCli(
    [
      'scan',
      '--snapshot',
      EXAMPLE_SNAPSHOT,
      '--config',
      EXAMPLE_CONFIG,
      '--rule',
      rule.name,
      '--format',
      'json',
    ],
    { rules: (settings) => [...plumblineRules(settings), testRule] },
  );
  const evaluations: { resourceType: string; resourceId: string; compliance: string; annotation: string }[] =
    JSON.parse(result.stdout).evaluations;
  return Object.fromEntries(
    evaluations.map((evaluation) => [
      `${evaluation.resourceType} ${evaluation.resourceId}`,
      [evaluation.compliance, evaluation.annotation],
    ]),
  );
}

describe('CLI and Config-rule runtime parity on the example snapshot', () => {
  it.each([...plumblineRules(suite.settings), testRule].map((rule) => [rule.name, rule] as const))(
    '%s',
    async (_name, rule) => {
      const lambda = await lambdaVerdicts(rule);
      const cli = await cliVerdicts(rule);
      expect(Object.keys(cli).length).toBeGreaterThan(0);
      expect(lambda).toEqual(cli);
    },
  );
});
