/**
 * The `rds-snapshot-private` responder through its handler: the snapshot's restore attribute re-read from RDS,
 * `report` by default, `enforce` removing `all` only (named accounts kept), failures notified and thrown.
 */
import {
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBSnapshotAttributesCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  ModifyDBSnapshotAttributeCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { responderEnvironment } from '../../shared/aws/responder-runtime.ts';
import { createSnapshotPrivateResponder } from '../../shared/aws/responders.ts';
import { InputError, ParameterError } from '../../shared/core/model.ts';
import { parseSnapshotResponderSettings } from '../../shared/rules/rds-snapshot-not-public/responder.ts';
import { ACCOUNT } from '../fixtures/public-bucket/items.ts';
import {
  modifyClusterSnapshotAttribute,
  modifySnapshotAttribute,
  SNAPSHOT_ARN,
} from '../fixtures/rds-snapshot-not-public/cloudtrail.ts';
import { CLUSTER_SNAPSHOT, SNAPSHOT } from '../fixtures/rds-snapshot-not-public/snapshots.ts';

const rds = mockClient(RDSClient);
const sns = mockClient(SNSClient);
const sts = mockClient(STSClient);

const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:plumbline-notifications`;
const ROLE_NAME = 'plumbline-rds-snapshot-private';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/${ROLE_NAME}`;
const NOW = new Date('2024-05-14T09:42:00.000Z');
const context = { invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${ROLE_NAME}` };
const PARTNER = '444455556666';

function responder(mode?: string) {
  return createSnapshotPrivateResponder({
    sns: new SNSClient({}),
    sts: new STSClient({}),
    createRdsClient: () => new RDSClient({}),
    environment: () =>
      responderEnvironment({ PLUMBLINE_TOPIC_ARN: TOPIC, PLUMBLINE_FUNCTION_ROLE_ARN: ROLE }),
    suiteConfig: () => ({
      rules: {},
      settings: mode === undefined ? {} : { responders: { 'rds-snapshot-private': { mode } } },
    }),
    now: () => NOW,
  });
}

/** RDS `DescribeDBSnapshotAttributes` (RDS API Reference: `DBSnapshotAttributesResult`). */
function snapshotSharedWith(values: string[]) {
  rds.on(DescribeDBSnapshotAttributesCommand).resolves({
    DBSnapshotAttributesResult: {
      DBSnapshotIdentifier: SNAPSHOT,
      DBSnapshotAttributes: [{ AttributeName: 'restore', AttributeValues: values }],
    },
  });
}

function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

function published(index = 0) {
  const input = sns.commandCalls(PublishCommand)[index]?.args[0].input;
  const email = (JSON.parse(String(input?.Message)) as { email: string }).email;
  return { attributes: input?.MessageAttributes, email };
}

beforeEach(() => {
  for (const mock of [rds, sns, sts]) mock.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
});

describe('rds-snapshot-private: report mode (the default)', () => {
  it('re-reads a public snapshot, reports it naming the snapshot and what would be removed, and writes nothing', async () => {
    snapshotSharedWith(['all']);
    await expect(responder()(modifySnapshotAttribute(), context)).resolves.toEqual({
      status: 'reported',
      snapshot: SNAPSHOT,
      sharedWith: [],
      messageId: 'msg-1',
    });
    expect(rds).toHaveReceivedCommandTimes(DescribeDBSnapshotAttributesCommand, 1);
    expect(rds).toHaveReceivedCommandWith(DescribeDBSnapshotAttributesCommand, {
      DBSnapshotIdentifier: SNAPSHOT,
    });
    expect(rds).toHaveReceivedCommandTimes(ModifyDBSnapshotAttributeCommand, 0);
    const notice = published();
    expect(notice.attributes?.outcome).toEqual({ DataType: 'String', StringValue: 'planned' });
    expect(notice.email).toContain(`AWS::RDS::DBSnapshot ${SNAPSHOT}`);
    expect(notice.email).toContain(
      'would remove "all" from the restore attribute; shared with no account by name; set responders.rds-snapshot-private.mode to enforce to do it',
    );
    expect(notice.email).toContain('request: ModifyDBSnapshotAttribute restore: added all');
  });
});

describe('rds-snapshot-private: enforce', () => {
  it('removes only "all" with ModifyDBSnapshotAttribute (nothing added), then notifies applied', async () => {
    snapshotSharedWith(['all']);
    await expect(responder('enforce')(modifySnapshotAttribute(), context)).resolves.toEqual({
      status: 'made-private',
      snapshot: SNAPSHOT,
      sharedWith: [],
      messageId: 'msg-1',
    });
    expect(rds).toHaveReceivedCommandTimes(ModifyDBSnapshotAttributeCommand, 1);
    expect(rds.commandCalls(ModifyDBSnapshotAttributeCommand)[0]?.args[0].input).toEqual({
      DBSnapshotIdentifier: SNAPSHOT,
      AttributeName: 'restore',
      ValuesToRemove: ['all'],
    });
    expect(published().attributes?.outcome).toEqual({ DataType: 'String', StringValue: 'applied' });
    expect(published().email).toContain('removed "all" from the restore attribute');
  });

  it('a snapshot shared with named accounts and all: only all is removed, the accounts keep access and are named', async () => {
    snapshotSharedWith([PARTNER, 'all', '210987654321']);
    const event = modifySnapshotAttribute({ valuesToAdd: ['all', PARTNER] });
    await expect(responder('enforce')(event, context)).resolves.toMatchObject({
      status: 'made-private',
      sharedWith: [PARTNER, '210987654321'],
    });
    expect(rds.commandCalls(ModifyDBSnapshotAttributeCommand)[0]?.args[0].input).toEqual({
      DBSnapshotIdentifier: SNAPSHOT,
      AttributeName: 'restore',
      ValuesToRemove: ['all'],
    });
    expect(published().email).toContain(
      `removed "all" from the restore attribute; still shared with ${PARTNER}, 210987654321 (named accounts keep their access)`,
    );
  });

  it('a DB cluster snapshot: DescribeDBClusterSnapshotAttributes, then ModifyDBClusterSnapshotAttribute removing all', async () => {
    rds.on(DescribeDBClusterSnapshotAttributesCommand).resolves({
      DBClusterSnapshotAttributesResult: {
        DBClusterSnapshotIdentifier: CLUSTER_SNAPSHOT,
        DBClusterSnapshotAttributes: [{ AttributeName: 'restore', AttributeValues: ['all'] }],
      },
    });
    await expect(responder('enforce')(modifyClusterSnapshotAttribute(), context)).resolves.toMatchObject({
      status: 'made-private',
      snapshot: CLUSTER_SNAPSHOT,
    });
    expect(rds).toHaveReceivedCommandWith(DescribeDBClusterSnapshotAttributesCommand, {
      DBClusterSnapshotIdentifier: CLUSTER_SNAPSHOT,
    });
    expect(rds.commandCalls(ModifyDBClusterSnapshotAttributeCommand)[0]?.args[0].input).toEqual({
      DBClusterSnapshotIdentifier: CLUSTER_SNAPSHOT,
      AttributeName: 'restore',
      ValuesToRemove: ['all'],
    });
    expect(rds).toHaveReceivedCommandTimes(ModifyDBSnapshotAttributeCommand, 0);
    expect(published().email).toContain(`AWS::RDS::DBClusterSnapshot ${CLUSTER_SNAPSHOT}`);
  });

  it('a snapshot ARN in the request: its identifier is read and written', async () => {
    snapshotSharedWith(['all']);
    await responder('enforce')(modifySnapshotAttribute(undefined, { identifier: SNAPSHOT_ARN }), context);
    expect(rds).toHaveReceivedCommandWith(DescribeDBSnapshotAttributesCommand, {
      DBSnapshotIdentifier: SNAPSHOT,
    });
    expect(rds).toHaveReceivedCommandWith(ModifyDBSnapshotAttributeCommand, {
      DBSnapshotIdentifier: SNAPSHOT,
    });
  });

  it("never acts on the event's claim alone: RDS says the snapshot is not public, so no write and no notice", async () => {
    snapshotSharedWith([PARTNER]);
    await expect(responder('enforce')(modifySnapshotAttribute(), context)).resolves.toEqual({
      status: 'not-public',
      snapshot: SNAPSHOT,
      sharedWith: [PARTNER],
    });
    expect(rds).toHaveReceivedCommandTimes(ModifyDBSnapshotAttributeCommand, 0);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('a snapshot deleted since: no write, no notice', async () => {
    rds.on(DescribeDBSnapshotAttributesCommand).rejects(awsError('DBSnapshotNotFoundFault'));
    await expect(responder('enforce')(modifySnapshotAttribute(), context)).resolves.toEqual({
      status: 'gone',
      snapshot: SNAPSHOT,
    });
    expect(rds).toHaveReceivedCommandTimes(ModifyDBSnapshotAttributeCommand, 0);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });
});

describe('rds-snapshot-private: failures land in a notice and the dead-letter queue', () => {
  it('a failed Modify call: a failed notice naming the error, then the error is thrown (EventBridge retries)', async () => {
    snapshotSharedWith(['all']);
    rds
      .on(ModifyDBSnapshotAttributeCommand)
      .rejects(awsError('InvalidDBSnapshotStateFault', 'snapshot is being copied'));
    await expect(responder('enforce')(modifySnapshotAttribute(), context)).rejects.toThrow(
      `RDS ModifyDBSnapshotAttribute on ${SNAPSHOT} failed: InvalidDBSnapshotStateFault: snapshot is being copied`,
    );
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(published().attributes?.outcome).toEqual({ DataType: 'String', StringValue: 'failed' });
    expect(published().email).toContain(
      'removing "all" from the restore attribute failed: RDS ModifyDBSnapshotAttribute on mydbsnapshot failed: InvalidDBSnapshotStateFault: snapshot is being copied',
    );
  });

  it('an unreadable snapshot: a failed notice, the error thrown, no write', async () => {
    rds.on(DescribeDBSnapshotAttributesCommand).rejects(awsError('AccessDenied', 'not authorized'));
    await expect(responder('enforce')(modifySnapshotAttribute(), context)).rejects.toThrow(
      `RDS DescribeDBSnapshotAttributes on ${SNAPSHOT} failed: AccessDenied: not authorized`,
    );
    expect(rds).toHaveReceivedCommandTimes(ModifyDBSnapshotAttributeCommand, 0);
    expect(published().attributes?.outcome).toEqual({ DataType: 'String', StringValue: 'failed' });
  });

  it('made private but not notified: the retry sends the kept notice, without reading or writing again', async () => {
    snapshotSharedWith(['all']);
    sns.on(PublishCommand).rejectsOnce(awsError('Throttling')).resolves({ MessageId: 'msg-2' });
    const handler = responder('enforce');
    await expect(handler(modifySnapshotAttribute(), context)).rejects.toThrow('SNS Publish');
    await expect(handler(modifySnapshotAttribute(), context)).resolves.toEqual({
      status: 'redelivered',
      snapshot: SNAPSHOT,
      messageId: 'msg-2',
    });
    expect(rds).toHaveReceivedCommandTimes(ModifyDBSnapshotAttributeCommand, 1);
    expect(rds).toHaveReceivedCommandTimes(DescribeDBSnapshotAttributesCommand, 1);
    expect(published(1).attributes?.outcome).toEqual({ DataType: 'String', StringValue: 'applied' });
  });
});

describe('rds-snapshot-private: what it leaves alone', () => {
  it('its own call (its exact function role as session issuer) is skipped without any call', async () => {
    const own = modifySnapshotAttribute(undefined, {
      caller: `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE_NAME}/session`,
    });
    await expect(responder('enforce')(own, context)).resolves.toEqual({
      status: 'skipped',
      reason: `own call (arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE_NAME}/session)`,
    });
    expect(rds.calls()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
  });

  it('a failed call (errorCode) is skipped without any call', async () => {
    const failed = modifySnapshotAttribute(undefined, { errorCode: 'InvalidParameterValue' });
    await expect(responder('enforce')(failed, context)).resolves.toEqual({
      status: 'skipped',
      reason: 'the call failed (InvalidParameterValue) and changed nothing',
    });
    expect(rds.calls()).toHaveLength(0);
  });

  it('an attribute other than restore is skipped without reading RDS', async () => {
    const other = modifySnapshotAttribute({ attributeName: 'copy-tags', valuesToAdd: ['true'] });
    await expect(responder('enforce')(other, context)).resolves.toEqual({
      status: 'skipped',
      reason: 'attribute copy-tags does not say who may restore the snapshot',
      snapshot: SNAPSHOT,
    });
    expect(rds.calls()).toHaveLength(0);
  });

  it('an ordinary user who shares the function role name is acted on like anyone else', async () => {
    snapshotSharedWith(['all']);
    const lookalike = modifySnapshotAttribute(undefined, {
      caller: `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE_NAME}-copy/alice`,
    });
    await expect(responder()(lookalike, context)).resolves.toMatchObject({ status: 'reported' });
    expect(rds).toHaveReceivedCommandTimes(DescribeDBSnapshotAttributesCommand, 1);
    expect(published().email).toContain(`${ROLE_NAME}-copy`);
  });
});

describe('rds-snapshot-private: bad input is an error naming the field', () => {
  it('a request without the snapshot identifier', async () => {
    const event = modifySnapshotAttribute();
    const detail = event.detail as { requestParameters: Record<string, unknown> };
    delete detail.requestParameters.dBSnapshotIdentifier;
    const call = responder('enforce')(event, context);
    await expect(call).rejects.toThrow(InputError);
    await expect(responder('enforce')(event, context)).rejects.toThrow(
      'Invalid ModifyDBSnapshotAttribute event: detail.requestParameters.dBSnapshotIdentifier:',
    );
    expect(rds.calls()).toHaveLength(0);
  });

  it('an identifier that is not an RDS snapshot identifier, with the value', async () => {
    const event = modifySnapshotAttribute(undefined, { identifier: 'my snapshot;*' });
    await expect(responder('enforce')(event, context)).rejects.toThrow(
      'Invalid ModifyDBSnapshotAttribute event: detail.requestParameters.dBSnapshotIdentifier: expected an RDS snapshot identifier (letters, digits and hyphens, starting with a letter) or its ARN (got "my snapshot;*")',
    );
    expect(rds.calls()).toHaveLength(0);
  });

  it('a snapshot ARN of another account is never acted on', async () => {
    const foreign = SNAPSHOT_ARN.replace(ACCOUNT, PARTNER);
    await expect(
      responder('enforce')(modifySnapshotAttribute(undefined, { identifier: foreign }), context),
    ).rejects.toThrow(
      `Invalid ModifyDBSnapshotAttribute event: detail.requestParameters.dBSnapshotIdentifier: ${foreign} is not a DB snapshot of account ${ACCOUNT} in us-east-1`,
    );
    expect(rds.calls()).toHaveLength(0);
  });

  it('a DB cluster snapshot ARN in a DB snapshot call is refused, naming the field', async () => {
    const cluster = `arn:aws:rds:us-east-1:${ACCOUNT}:cluster-snapshot:${CLUSTER_SNAPSHOT}`;
    await expect(
      responder('enforce')(modifySnapshotAttribute(undefined, { identifier: cluster }), context),
    ).rejects.toThrow(
      `Invalid ModifyDBSnapshotAttribute event: detail.requestParameters.dBSnapshotIdentifier: ${cluster} is not a DB snapshot of account ${ACCOUNT} in us-east-1`,
    );
    expect(rds.calls()).toHaveLength(0);
  });

  it('valuesToAdd that is not a list', async () => {
    const event = modifySnapshotAttribute({ valuesToAdd: 'all' as unknown as string[] });
    await expect(responder('enforce')(event, context)).rejects.toThrow(
      'detail.requestParameters.valuesToAdd',
    );
  });

  it('settings: a mode that is not enforce or report, and an unknown key, name the setting and the value', () => {
    expect(() =>
      parseSnapshotResponderSettings({ responders: { 'rds-snapshot-private': { mode: 'fix' } } }),
    ).toThrow(ParameterError);
    expect(() =>
      parseSnapshotResponderSettings({ responders: { 'rds-snapshot-private': { mode: 'fix' } } }),
    ).toThrow('responders.rds-snapshot-private.mode="fix"');
    expect(() =>
      parseSnapshotResponderSettings({ responders: { 'rds-snapshot-private': { modes: 'enforce' } } }),
    ).toThrow(
      'Invalid rule parameter responders.rds-snapshot-private.modes="enforce": unknown setting (known: mode)',
    );
    expect(parseSnapshotResponderSettings({})).toEqual({ mode: 'report' });
  });
});

describe('rds-snapshot-private over random sharing', () => {
  it('never widens access: in enforce mode the only write removes exactly "all", and only when RDS lists it', async () => {
    const account = fc.stringMatching(/^[0-9]{12}$/);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.oneof(account, fc.constant('all')), { maxLength: 6 }),
        fc.constantFrom(...['enforce', 'report']),
        async (restore, mode) => {
          for (const mock of [rds, sns]) mock.reset();
          sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
          snapshotSharedWith(restore);
          const result = await responder(mode)(modifySnapshotAttribute(), context);
          const writes = rds.commandCalls(ModifyDBSnapshotAttributeCommand).map((call) => call.args[0].input);
          const isPublic = restore.includes('all');
          expect(writes).toEqual(
            isPublic && mode === 'enforce'
              ? [{ DBSnapshotIdentifier: SNAPSHOT, AttributeName: 'restore', ValuesToRemove: ['all'] }]
              : [],
          );
          expect(result).toMatchObject({
            sharedWith: restore.filter((value) => value !== 'all'),
            status: isPublic ? (mode === 'enforce' ? 'made-private' : 'reported') : 'not-public',
          });
        },
      ),
      { numRuns: 100 },
    );
  });
});
