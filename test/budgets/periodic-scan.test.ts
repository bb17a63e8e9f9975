/**
 * What keeps the periodic run within its budget of 0.03 calls per resource and its wall time short: one
 * advanced query for all of a rule's types, the next inventory page requested while the current one is
 * evaluated, and the rule's earlier results read alongside the inventory rather than after it.
 */
import {
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
  SelectResourceConfigCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_EXPRESSION_LENGTH, selectExpressions } from '../../shared/aws/config-inventory.ts';
import { createConfigRuleHandler, MAX_RESULTS_AHEAD } from '../../shared/aws/config-runtime.ts';
import { EMPTY_SUITE_CONFIG } from '../../shared/core/suite-config.ts';
import { ACCOUNT, PERIODIC_TIME, periodicEvent } from '../fixtures/config/events.ts';
import { testRule } from '../support/test-rule.ts';

const config = mockClient(ConfigServiceClient);
const handler = () =>
  createConfigRuleHandler(testRule, {
    suiteConfig: () => EMPTY_SUITE_CONFIG,
    writer: { sleep: async () => {} },
  });

/** A `SelectResourceConfig` row for an EC2 instance carrying the test rule's Owner tag. */
function row(id: string): string {
  return JSON.stringify({
    resourceId: id,
    resourceType: 'AWS::EC2::Instance',
    accountId: ACCOUNT,
    awsRegion: 'us-east-2',
    configurationItemCaptureTime: '2016-02-17T01:36:34.043Z',
    configurationItemStatus: 'OK',
    configuration: { instanceId: id },
    tags: [{ key: 'Owner', value: 'ops', tag: 'Owner=ops' }],
  });
}

function result(resourceId: string) {
  return {
    EvaluationResultIdentifier: {
      EvaluationResultQualifier: {
        ConfigRuleName: 'plumbline-test-owner-tag',
        ResourceType: 'AWS::EC2::Instance',
        ResourceId: resourceId,
      },
    },
    ComplianceType: 'COMPLIANT' as const,
  };
}

/** Pages keyed by NextToken (`undefined` is the first page). */
function paged<Page>(pages: Page[]) {
  return (input: { NextToken?: string }) => {
    const index = input.NextToken === undefined ? 0 : Number(input.NextToken);
    const page = pages[index] ?? pages[0];
    return { ...page, ...(index + 1 < pages.length ? { NextToken: String(index + 1) } : {}) };
  };
}

/** The position of each call in the order the client received them, by command name. */
function callOrder(): string[] {
  return config.calls().map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name);
}

beforeEach(() => {
  config.reset();
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
  config.on(SelectResourceConfigCommand).resolves({ Results: [] });
});

describe('one advanced query for all of a rule’s resource types', () => {
  it('uses = for one type and IN for several', () => {
    expect(selectExpressions(['AWS::EC2::Instance'])).toEqual([
      expect.stringMatching(/ WHERE resourceType = 'AWS::EC2::Instance'$/),
    ]);
    expect(selectExpressions(['AWS::EC2::Instance', 'AWS::EC2::Volume', 'AWS::S3::Bucket'])).toEqual([
      expect.stringMatching(
        / WHERE resourceType IN \('AWS::EC2::Instance', 'AWS::EC2::Volume', 'AWS::S3::Bucket'\)$/,
      ),
    ]);
  });

  it('splits only when an expression would pass the 4,096-character limit, covering every type once', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^AWS::[A-Za-z0-9]{1,40}::[A-Za-z0-9]{1,60}$/), {
          minLength: 1,
          maxLength: 150,
        }),
        (types) => {
          const expressions = selectExpressions(types);
          for (const expression of expressions)
            expect(expression.length).toBeLessThanOrEqual(MAX_EXPRESSION_LENGTH);
          const covered = expressions.flatMap((expression) =>
            [...expression.matchAll(/'([^']+)'/g)].map((match) => match[1]),
          );
          expect(covered).toEqual(types);
          // Never more queries than needed: each split was forced by the limit.
          expect(expressions.length).toBeLessThanOrEqual(Math.ceil(types.join("', '").length / 3_500) + 1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reads 250 instances and volumes in 3 calls, not one chain per type', async () => {
    const rows = Array.from({ length: 250 }, (_, index) => row(`i-${index}`));
    config
      .on(SelectResourceConfigCommand)
      .callsFake(
        paged([
          { Results: rows.slice(0, 100) },
          { Results: rows.slice(100, 200) },
          { Results: rows.slice(200) },
        ]),
      );
    await handler()(periodicEvent());
    expect(config).toHaveReceivedCommandTimes(SelectResourceConfigCommand, 3);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 3);
  });
});

describe('overlapping reads and writes', () => {
  it('asks for the next inventory page before writing the current one', async () => {
    const rows = Array.from({ length: 200 }, (_, index) => row(`i-${index}`));
    config
      .on(SelectResourceConfigCommand)
      .callsFake(paged([{ Results: rows.slice(0, 100) }, { Results: rows.slice(100) }]));
    await handler()(periodicEvent());
    const order = callOrder();
    expect(order.lastIndexOf('SelectResourceConfigCommand')).toBeLessThan(
      order.indexOf('PutEvaluationsCommand'),
    );
  });

  it('reads the earlier results while the inventory is still being read', async () => {
    const rows = Array.from({ length: 300 }, (_, index) => row(`i-${index}`));
    config
      .on(SelectResourceConfigCommand)
      .callsFake(paged([0, 1, 2].map((page) => ({ Results: rows.slice(page * 100, page * 100 + 100) }))));
    config
      .on(GetComplianceDetailsByConfigRuleCommand)
      .callsFake(paged([0, 1, 2].map((page) => ({ EvaluationResults: [result(`i-${page}`)] }))));
    const summary = await handler()(periodicEvent());
    const order = callOrder();
    expect(order.indexOf('GetComplianceDetailsByConfigRuleCommand')).toBeLessThan(
      order.lastIndexOf('SelectResourceConfigCommand'),
    );
    expect(config).toHaveReceivedCommandTimes(GetComplianceDetailsByConfigRuleCommand, 3);
    expect(summary.staleCleaned).toBe(0);
  });
});

describe('the stale clean-up, read side by side with the inventory', () => {
  it('cleans only resources gone from the inventory, whatever the order the two reads arrive in', async () => {
    config
      .on(SelectResourceConfigCommand)
      .callsFake(paged([{ Results: [row('i-a')] }, { Results: [row('i-b')] }, { Results: [row('i-c')] }]));
    // i-c's result arrives before its inventory item; i-a's result comes twice; i-gone is gone.
    config
      .on(GetComplianceDetailsByConfigRuleCommand)
      .callsFake(
        paged([
          { EvaluationResults: [result('i-c'), result('i-a')] },
          { EvaluationResults: [result('i-gone'), result('i-a')] },
        ]),
      );
    const summary = await handler()(periodicEvent());
    expect(summary.staleCleaned).toBe(1);
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        expect.objectContaining({ ComplianceResourceId: 'i-a', ComplianceType: 'COMPLIANT' }),
        expect.objectContaining({ ComplianceResourceId: 'i-b', ComplianceType: 'COMPLIANT' }),
        expect.objectContaining({ ComplianceResourceId: 'i-c', ComplianceType: 'COMPLIANT' }),
        {
          ComplianceResourceType: 'AWS::EC2::Instance',
          ComplianceResourceId: 'i-gone',
          ComplianceType: 'NOT_APPLICABLE',
          Annotation: 'resource no longer exists in the AWS Config inventory',
          OrderingTimestamp: new Date(PERIODIC_TIME),
        },
      ],
    });
  });

  it('stops reading ahead when the results come in another order, until the inventory is read', async () => {
    const rows = Array.from({ length: 300 }, (_, index) => row(`i-${index}`));
    const inventory = paged([0, 1, 2].map((page) => ({ Results: rows.slice(page * 100, page * 100 + 100) })));
    // A slow inventory, and results for resources it does not hold: the reader would otherwise run ahead.
    config
      .on(SelectResourceConfigCommand)
      .callsFake((input) => new Promise((resolve) => setTimeout(() => resolve(inventory(input)), 5)));
    const pages = Array.from({ length: 15 }, (_, page) => ({
      EvaluationResults: Array.from({ length: 100 }, (_, index) => result(`i-deleted-${page * 100 + index}`)),
    }));
    config.on(GetComplianceDetailsByConfigRuleCommand).callsFake(paged(pages));

    const summary = await handler()(periodicEvent());

    const order = callOrder();
    const resultCalls = order.flatMap((name, index) =>
      name === 'GetComplianceDetailsByConfigRuleCommand' ? [index] : [],
    );
    const heldPages = MAX_RESULTS_AHEAD / 100 + 1;
    expect(resultCalls[heldPages]).toBeGreaterThan(order.lastIndexOf('SelectResourceConfigCommand'));
    expect(resultCalls[heldPages - 1]).toBeLessThan(order.lastIndexOf('SelectResourceConfigCommand'));
    expect(summary.staleCleaned).toBe(1_500);
    expect(summary.evaluations).toBe(1_800);
  });

  it('fails with the inventory error when the inventory cannot be read, and cleans nothing', async () => {
    config
      .on(SelectResourceConfigCommand)
      .rejects(Object.assign(new Error('Invalid expression'), { name: 'InvalidExpressionException' }));
    config
      .on(GetComplianceDetailsByConfigRuleCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(handler()(periodicEvent())).rejects.toThrow('Invalid expression');
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
  });

  it('fails with the results error when the earlier results cannot be read, after the inventory is written', async () => {
    config.on(SelectResourceConfigCommand).resolves({ Results: [row('i-a')] });
    config
      .on(GetComplianceDetailsByConfigRuleCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    await expect(handler()(periodicEvent())).rejects.toThrow('not authorized');
  });
});
