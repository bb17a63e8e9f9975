/**
 * API calls per scenario against bench/budgets.json: every function (and, until its folder lands, every
 * Config rule through the bench's stand-in) driven through its handler with mocked clients, every command
 * counted. A regression fails with the figure, its value and its budget.
 */
import { PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Budgets, callBudgetViolations, loadBudgets, parseBudgets } from '../../bench/budgets.ts';
import { type Discovery, discover } from '../../bench/lib/discover.ts';
import {
  ACCOUNT_BUCKETS,
  callScenarios,
  missingScenarios,
  PERIODIC_RESOURCES,
  prepareEnvironment,
} from '../../bench/scenarios/api-calls.ts';
import { recordedTypes } from '../../shared/core/account-item.ts';

let discovery: Discovery;
let budgets: Budgets;

beforeAll(async () => {
  prepareEnvironment();
  discovery = await discover();
  budgets = loadBudgets();
});

describe('API-call budgets', () => {
  it('finds every function folder and every rule', () => {
    expect(discovery.problems).toEqual([]);
    expect(discovery.functions.map((target) => target.name)).toEqual(
      expect.arrayContaining(discovery.rules.map((rule) => rule.rule.name)),
    );
  });

  it('has a scenario for every function, and a budget for every scenario', () => {
    expect(
      missingScenarios(discovery.functions),
      'functions without an API-call scenario in bench/scenarios/api-calls.ts',
    ).toEqual([]);
    const unbudgeted = callScenarios(discovery.functions)
      .filter((scenario) => budgets.apiCalls[scenario.budget] === undefined)
      .map((scenario) => `${scenario.function} ${scenario.name} (${scenario.budget})`);
    expect(unbudgeted, 'scenarios without a budget in bench/budgets.json').toEqual([]);
  });

  it('stays within budget in every scenario', async ({ signal }) => {
    const violations: string[] = [];
    for (const scenario of callScenarios(discovery.functions)) {
      // Once timed out, start no further scenario: the test is over.
      signal.throwIfAborted();
      violations.push(...callBudgetViolations(scenario, await scenario.run(), budgets));
    }
    expect(violations).toEqual([]);
  });

  it('writes a change-triggered evaluation with exactly one PutEvaluations of one evaluation', async () => {
    const rules = discovery.functions.filter(
      (target) => target.rule && !target.rule.rule.accountFacts?.length,
    );
    expect(rules.length).toBeGreaterThan(0);
    for (const target of rules) {
      const change = callScenarios([target]).find((scenario) => scenario.name === 'change');
      if (change === undefined) throw new Error(`${target.name}: no change scenario`);
      const { figure, mocks } = await change.runRecorded();
      expect(figure.calls, target.name).toEqual({ 'config:PutEvaluations': 1 });
      expect(mocks.config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
      expect(mocks.config.commandCalls(PutEvaluationsCommand)[0]?.args[0].input.Evaluations).toHaveLength(1);
    }
  });

  it('reverts drift both ways in one revoke and one authorize (sg-drift-revert drift-restore)', async () => {
    const restore = callScenarios(discovery.functions).find(
      (scenario) => scenario.function === 'sg-drift-revert' && scenario.name === 'drift-restore',
    );
    const figure = await restore?.run();
    expect(figure?.error).toBeUndefined();
    expect(figure?.outcome).toMatchObject({ status: 'handled', baseline: 'web', outcome: 'applied' });
    expect(figure?.calls).toEqual({
      'ec2:DescribeSecurityGroups': 1,
      'ec2:RevokeSecurityGroupIngress': 1,
      'ec2:AuthorizeSecurityGroupIngress': 1,
      'sns:Publish': 1,
    });
  });

  it('re-checks every bucket of the account in pages on an account-level change (public-bucket-remediate bucket-remediate-account)', async () => {
    const account = callScenarios(discovery.functions).find(
      (scenario) =>
        scenario.function === 'public-bucket-remediate' && scenario.name === 'bucket-remediate-account',
    );
    const figure = await account?.run();
    expect(figure?.error).toBeUndefined();
    const publicBuckets = ACCOUNT_BUCKETS / 100;
    expect(figure?.outcome).toMatchObject({ status: 'account-checked', listed: ACCOUNT_BUCKETS });
    expect(figure?.calls).toEqual({
      's3control:GetPublicAccessBlock': 1,
      's3:ListBuckets': 2,
      's3:GetBucketAcl': ACCOUNT_BUCKETS,
      's3:GetBucketPolicy': ACCOUNT_BUCKETS,
      's3:GetPublicAccessBlock': ACCOUNT_BUCKETS,
      's3:GetBucketOwnershipControls': ACCOUNT_BUCKETS,
      's3:PutPublicAccessBlock': publicBuckets,
      'sns:Publish': publicBuckets,
    });
  });

  it('evaluates every resource of the periodic run', async () => {
    for (const scenario of callScenarios(discovery.functions).filter((s) => s.name === 'periodic')) {
      const figure = await scenario.run();
      const rule = discovery.rules.find((candidate) => candidate.rule.name === scenario.function)?.rule;
      if (rule !== undefined && recordedTypes(rule.resourceTypes).length === 0) {
        // A rule on the account itself reads no inventory: it judges the account, and the synthetic account's
        // earlier results (none of which is the account) are cleaned as stale.
        expect(figure.outcome, scenario.function).toMatchObject({
          messageType: 'scheduled',
          evaluations: 1 + PERIODIC_RESOURCES,
          staleCleaned: PERIODIC_RESOURCES,
        });
        continue;
      }
      expect(figure.outcome, scenario.function).toMatchObject({
        messageType: 'scheduled',
        evaluations: PERIODIC_RESOURCES,
        staleCleaned: 0,
        putEvaluationsCalls: PERIODIC_RESOURCES / 100,
      });
    }
  });
});

describe('the budget check itself', () => {
  const sample = parseBudgets({
    apiCalls: {
      'configRule.change': { maxCalls: 1, why: 'one PutEvaluations' },
      'configRule.periodic': { maxCallsPerResource: 0.03, why: 'pages of 100' },
      'configRule.periodic-list': { maxCallsPerResource: 0.04, plusCallsPerResourceType: 1, why: 'per type' },
    },
    callsPerAccountFact: 1,
    bundleBytes: { why: 'headroom', default: 1000, functions: {} },
  });
  const change = {
    function: 'required-tags',
    name: 'change',
    budget: 'configRule.change',
    accountFacts: 0,
    resourceTypes: 12,
  };
  const periodic = {
    function: 'public-bucket',
    name: 'periodic',
    budget: 'configRule.periodic',
    accountFacts: 1,
    resourceTypes: 2,
  };

  it('names the figure, its value and its budget when over', () => {
    expect(
      callBudgetViolations(change, { total: 2, resources: 1, calls: { 'config:PutEvaluations': 2 } }, sample),
    ).toEqual(['required-tags change: API calls = 2 (config:PutEvaluations 2), budget 1']);
    expect(
      callBudgetViolations(
        periodic,
        {
          total: 303,
          resources: 10_000,
          calls: { 'config:SelectResourceConfig': 302, 's3control:GetPublicAccessBlock': 1 },
        },
        sample,
      ),
    ).toEqual([
      'public-bucket periodic: API calls per resource = 0.0302 (303 calls for 10000 resources: config:SelectResourceConfig 302, s3control:GetPublicAccessBlock 1), budget 0.03',
    ]);
  });

  it('allows one call per account fact, and nothing more', () => {
    expect(
      callBudgetViolations({ ...change, accountFacts: 1 }, { total: 2, resources: 1, calls: {} }, sample),
    ).toEqual([]);
    expect(callBudgetViolations(periodic, { total: 301, resources: 10_000, calls: {} }, sample)).toEqual([]);
  });

  it('allows the per-type calls a budget names, and nothing more', () => {
    const list = { ...periodic, name: 'periodic-list', budget: 'configRule.periodic-list', accountFacts: 0 };
    expect(callBudgetViolations(list, { total: 402, resources: 10_000, calls: {} }, sample)).toEqual([]);
    expect(
      callBudgetViolations(
        list,
        { total: 403, resources: 10_000, calls: { 'config:ListDiscoveredResources': 403 } },
        sample,
      ),
    ).toEqual([
      'public-bucket periodic-list: API calls per resource = 0.0403 (403 calls for 10000 resources: config:ListDiscoveredResources 403), budget 0.0402',
    ]);
  });

  it('reports a failed handler and a missing budget', () => {
    expect(
      callBudgetViolations(change, { total: 0, resources: 1, calls: {}, error: 'boom' }, sample),
    ).toEqual(['required-tags change: the handler failed: boom']);
    expect(
      callBudgetViolations({ ...change, budget: 'nope' }, { total: 1, resources: 1, calls: {} }, sample),
    ).toEqual(['required-tags change: no budget "nope" in bench/budgets.json apiCalls']);
  });

  it('rejects a malformed budgets file, naming the field', () => {
    expect(() => parseBudgets({ apiCalls: {}, callsPerAccountFact: -1, bundleBytes: {} })).toThrow(
      /^bench\/budgets\.json: callsPerAccountFact: .*; bundleBytes\.why: /,
    );
  });
});
