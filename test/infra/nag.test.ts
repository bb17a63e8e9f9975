/**
 * cdk-nag's AwsSolutions pack over every stack the app can produce: no finding may be left unacknowledged,
 * and every acknowledgement carries its reason. (The app also runs the pack at synth, failing it.)
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, ORGANIZATION_CONTEXT, workspace } from './support.ts';

interface Finding {
  rule: string;
  path: string;
}

function findings(scope: IConstruct): Finding[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => ({
      rule: violation.ruleName,
      path: (resource as { constructPath?: string }).constructPath ?? resource.resourceLogicalId ?? '',
    })),
  );
}

function acknowledgements(scope: IConstruct): { id: string; reason: unknown }[] {
  return scope.node
    .findAll()
    .flatMap((construct) => construct.node.metadata)
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.entries(entry.data as Record<string, unknown>))
    .map(([id, reason]) => ({ id, reason }));
}

let accountApp: App;
let organizationApp: App;
let memberApp: App;
let centralApps: App[];

beforeAll(() => {
  accountApp = buildApp(workspace(), {
    'plumbline:regions': 'eu-west-1,us-east-1',
    'plumbline:createConfigRecorder': true,
    'plumbline:createTrail': true,
    'plumbline:notificationEmails': 'secops@example.com',
    'plumbline:ruleConcurrency': 10,
    'plumbline:inventory': 'list',
  }).app;
  organizationApp = buildApp(workspace(), { ...ORGANIZATION_CONTEXT, 'plumbline:createTrail': true }).app;
  memberApp = buildApp(workspace(), { ...ORGANIZATION_CONTEXT, 'plumbline:stacks': 'member' }).app;
  const central = {
    ...ORGANIZATION_CONTEXT,
    'plumbline:createConfigRecorder': true,
    'plumbline:createConfigServiceLinkedRole': true,
    'plumbline:configDeliveryBucket': 'acme-config-archive',
  };
  centralApps = [
    buildApp(workspace(), { ...central, 'plumbline:stacks': 'member' }).app,
    buildApp(workspace(), { ...central, 'plumbline:stacks': 'log-archive' }).app,
  ];
}, 600_000);

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in account mode with the recorder, the trail, two regions and the list inventory', () => {
    expect(findings(accountApp)).toEqual([]);
  });

  it('finds nothing unacknowledged in organisation mode (regional stacks, StackSet template, member stacks)', () => {
    expect(findings(organizationApp)).toEqual([]);
    expect(findings(memberApp)).toEqual([]);
  });

  it('finds nothing unacknowledged with a central delivery bucket: member stacks and the log-archive stack', () => {
    for (const app of centralApps) expect(findings(app)).toEqual([]);
  });

  it('every acknowledgement names a rule and gives a reason of substance', () => {
    const all = [accountApp, organizationApp, memberApp].flatMap(acknowledgements);
    expect(all.length).toBeGreaterThan(0);
    for (const { id, reason } of all) {
      expect(id).toMatch(/AwsSolutions-(IAM4|IAM5|L1|S1|SQS3)/);
      expect(typeof reason === 'string' && reason.length >= 40).toBe(true);
    }
  });

  it('the check itself reports what is not acknowledged', () => {
    const app = new App();
    const stack = new Stack(app, 'Probe');
    new s3.Bucket(stack, 'Unsafe');
    expect(findings(app).map((finding) => finding.rule)).toEqual(
      expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']),
    );
  });
});
