/**
 * The other ways a bucket becomes public: Object Ownership that turns ACLs back on, and account-level Block
 * Public Access turned off or removed (then every bucket of the account is checked again, page by page).
 */
import {
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { responderEnvironment } from '../../shared/aws/responder-runtime.ts';
import { createPublicBucketResponder } from '../../shared/aws/responders.ts';
import { LIST_BUCKETS_PAGE_SIZE } from '../../shared/aws/s3.ts';
import type { SuiteConfig } from '../../shared/core/suite-config.ts';
import {
  ALICE,
  deleteAccountPublicAccessBlock,
  deleteBucketOwnershipControls,
  putAccountPublicAccessBlock,
  putBucketOwnershipControls,
  RESPONDER,
  RESPONDER_ROLE,
} from '../fixtures/public-bucket/cloudtrail.ts';
import { ACCOUNT, BUCKET, OWNER_ID, policyText } from '../fixtures/public-bucket/items.ts';

const s3 = mockClient(S3Client);
const s3control = mockClient(S3ControlClient);
const sns = mockClient(SNSClient);

const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:plumbline-notifications`;
const context = {
  invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:plumbline-public-bucket-remediate`,
};
const ALL_FOUR = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};
const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const missing = (name: string) => Object.assign(new Error(name), { name });

function suite(mode: 'enforce' | 'report', excluded = ''): SuiteConfig {
  return {
    rules: { 'public-bucket': excluded ? { excludedPublicBuckets: excluded } : {} },
    settings: { responders: { 'public-bucket-remediate': { mode } } },
  };
}

function responder(mode: 'enforce' | 'report' = 'enforce', excluded = '') {
  return createPublicBucketResponder({
    sns: new SNSClient({}),
    sts: new STSClient({}),
    environment: () =>
      responderEnvironment({
        PLUMBLINE_TOPIC_ARN: TOPIC,
        PLUMBLINE_FUNCTION_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/${RESPONDER_ROLE}`,
      }),
    suiteConfig: () => suite(mode, excluded),
    createClients: (region) => ({ s3: new S3Client({ region }), s3control: new S3ControlClient({ region }) }),
    now: () => new Date('2024-05-14T09:42:00.000Z'),
  });
}

type Exposure = 'acl' | 'policy' | 'none' | 'unreadable';

/** Answers the four reads of one bucket (matched on `Bucket`): public by ACL, by policy, or private. */
function bucketState(name: string, exposure: Exposure, ownership?: string) {
  const input = { Bucket: name, ExpectedBucketOwner: ACCOUNT };
  if (exposure === 'unreadable') {
    s3.on(GetBucketAclCommand, input).rejects(missing('AccessDenied'));
  } else {
    s3.on(GetBucketAclCommand, input).resolves({
      Owner: { ID: OWNER_ID },
      Grants: [
        { Grantee: { Type: 'CanonicalUser', ID: OWNER_ID }, Permission: 'FULL_CONTROL' },
        ...(exposure === 'acl'
          ? [{ Grantee: { Type: 'Group' as const, URI: ALL_USERS }, Permission: 'READ' as const }]
          : []),
      ],
    });
  }
  if (exposure === 'policy')
    s3.on(GetBucketPolicyCommand, input).resolves({ Policy: policyText('public-read') });
  else s3.on(GetBucketPolicyCommand, input).rejects(missing('NoSuchBucketPolicy'));
  s3.on(GetPublicAccessBlockCommand, input).rejects(missing('NoSuchPublicAccessBlockConfiguration'));
  if (ownership) {
    s3.on(GetBucketOwnershipControlsCommand, input).resolves({
      OwnershipControls: { Rules: [{ ObjectOwnership: ownership as 'ObjectWriter' }] },
    });
  } else {
    s3.on(GetBucketOwnershipControlsCommand, input).rejects(missing('OwnershipControlsNotFoundError'));
  }
}

function accountBlock(flags?: Record<string, boolean>) {
  if (flags)
    s3control.on(GetAccountPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: flags });
  else
    s3control.on(GetAccountPublicAccessBlockCommand).rejects(missing('NoSuchPublicAccessBlockConfiguration'));
}

/** `ListBuckets` in two pages (S3 API Reference, "ListBuckets": `Buckets[].Name`, `BucketRegion`, `ContinuationToken`). */
function listedBuckets(first: string[], second: string[]) {
  const page = (names: string[]) =>
    names.map((Name) => ({
      Name,
      CreationDate: new Date('2024-01-01T00:00:00Z'),
      BucketRegion: 'us-east-1',
    }));
  s3.on(ListBucketsCommand)
    .resolves({ Buckets: page(first), Owner: { ID: OWNER_ID }, ContinuationToken: 'page-2' })
    .on(ListBucketsCommand, { ContinuationToken: 'page-2' })
    .resolves({ Buckets: page(second), Owner: { ID: OWNER_ID } });
}

function publishedLines(index: number): string[] {
  const input = sns.commandCalls(PublishCommand)[index]?.args[0].input;
  return (JSON.parse(String(input?.Message)) as { email: string }).email.split('\n');
}

beforeEach(() => {
  s3.reset();
  s3control.reset();
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'message-1' });
  s3.on(PutPublicAccessBlockCommand).resolves({});
});

describe('Object Ownership turning ACLs back on', () => {
  it.each([
    [
      putBucketOwnershipControls('ObjectWriter'),
      'PutBucketOwnershipControls: Object Ownership ObjectWriter (ACLs in force)',
      'ObjectWriter',
    ],
    [
      deleteBucketOwnershipControls(),
      'DeleteBucketOwnershipControls: Object Ownership controls removed (ACLs in force)',
      undefined,
    ],
  ])('%#: reads the bucket afresh and blocks its public ACL', async (event, request, ownership) => {
    bucketState(BUCKET, 'acl', ownership);
    accountBlock();
    const result = await responder()(event, context);
    expect(result).toEqual({
      status: 'blocked',
      bucket: BUCKET,
      findings: ['ACL grants READ to AllUsers'],
      messageId: 'message-1',
    });
    expect(s3).toHaveReceivedCommandTimes(GetBucketAclCommand, 1);
    expect(s3).toHaveReceivedCommandWith(GetBucketOwnershipControlsCommand, {
      Bucket: BUCKET,
      ExpectedBucketOwner: ACCOUNT,
    });
    expect(s3).toHaveReceivedCommandTimes(PutPublicAccessBlockCommand, 1);
    expect(s3).toHaveReceivedCommandWith(PutPublicAccessBlockCommand, {
      Bucket: BUCKET,
      ExpectedBucketOwner: ACCOUNT,
      PublicAccessBlockConfiguration: ALL_FOUR,
    });
    expect(publishedLines(0)).toContain(`  - request: ${request}`);
  });

  it('BucketOwnerEnforced (ACLs disabled): the public ACL does not count, nothing is written', async () => {
    bucketState(BUCKET, 'acl', 'BucketOwnerEnforced');
    accountBlock();
    const result = await responder()(putBucketOwnershipControls('BucketOwnerEnforced'), context);
    expect(result).toEqual({ status: 'not-public', bucket: BUCKET });
    expect(s3).toHaveReceivedCommandTimes(PutPublicAccessBlockCommand, 0);
    expect(sns).not.toHaveReceivedAnyCommand();
  });
});

describe('account-level Block Public Access turned off or removed', () => {
  it('checks every bucket of the account, page by page, and blocks each public one with its own notice', async () => {
    accountBlock({
      BlockPublicAcls: false,
      IgnorePublicAcls: false,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: false,
    });
    listedBuckets(['acl-public', 'private-1'], ['policy-public', 'private-2']);
    bucketState('acl-public', 'acl');
    bucketState('private-1', 'none');
    bucketState('policy-public', 'policy');
    bucketState('private-2', 'none');
    const event = putAccountPublicAccessBlock({
      BlockPublicAcls: false,
      IgnorePublicAcls: false,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: false,
    });

    const result = await responder()(event, context);

    expect(result).toEqual({
      status: 'account-checked',
      account: ACCOUNT,
      listed: 4,
      buckets: [
        {
          status: 'blocked',
          bucket: 'acl-public',
          findings: ['ACL grants READ to AllUsers'],
          messageId: 'message-1',
        },
        {
          status: 'blocked',
          bucket: 'policy-public',
          findings: ['policy statement "PublicRead" (#1) allows s3:GetObject, s3:GetObjectVersion to *'],
          messageId: 'message-1',
        },
      ],
    });
    expect(s3control).toHaveReceivedCommandTimes(GetAccountPublicAccessBlockCommand, 1);
    expect(s3control).toHaveReceivedCommandWith(GetAccountPublicAccessBlockCommand, { AccountId: ACCOUNT });
    expect(s3).toHaveReceivedCommandTimes(ListBucketsCommand, 2);
    expect(s3.commandCalls(ListBucketsCommand).map((call) => call.args[0].input)).toEqual([
      { MaxBuckets: LIST_BUCKETS_PAGE_SIZE },
      { MaxBuckets: LIST_BUCKETS_PAGE_SIZE, ContinuationToken: 'page-2' },
    ]);
    expect(s3).toHaveReceivedCommandTimes(GetBucketAclCommand, 4);
    expect(s3).toHaveReceivedCommandTimes(GetBucketPolicyCommand, 4);
    expect(s3).toHaveReceivedCommandTimes(GetPublicAccessBlockCommand, 4);
    expect(s3).toHaveReceivedCommandTimes(GetBucketOwnershipControlsCommand, 4);
    expect(s3.commandCalls(PutPublicAccessBlockCommand).map((call) => call.args[0].input)).toEqual([
      { Bucket: 'acl-public', ExpectedBucketOwner: ACCOUNT, PublicAccessBlockConfiguration: ALL_FOUR },
      { Bucket: 'policy-public', ExpectedBucketOwner: ACCOUNT, PublicAccessBlockConfiguration: ALL_FOUR },
    ]);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      Subject: 'Plumbline public-bucket-remediate: acl-public was public: Block Public Access turned on',
    });
    expect(publishedLines(0)).toEqual(
      expect.arrayContaining([
        'Resource:    AWS::S3::Bucket acl-public',
        `Changed by:  ${ALICE} via PutAccountPublicAccessBlock from 203.0.113.10`,
        '  - request: PutAccountPublicAccessBlock: account BlockPublicAcls, IgnorePublicAcls, RestrictPublicBuckets off',
      ]),
    );
  });

  it('DeleteAccountPublicAccessBlock in report mode: reports each public bucket, writes nothing', async () => {
    accountBlock();
    listedBuckets([BUCKET], []);
    bucketState(BUCKET, 'acl');
    const result = await responder('report')(deleteAccountPublicAccessBlock(), context);
    expect(result).toMatchObject({
      status: 'account-checked',
      listed: 1,
      buckets: [{ status: 'reported', bucket: BUCKET }],
    });
    expect(s3).toHaveReceivedCommandTimes(PutPublicAccessBlockCommand, 0);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(publishedLines(0)).toContain(
      '  - request: DeleteAccountPublicAccessBlock: account Block Public Access removed',
    );
  });

  it('leaves excluded buckets unread and untouched', async () => {
    accountBlock();
    listedBuckets(['public-site', 'acl-public'], []);
    bucketState('acl-public', 'acl');
    const result = await responder('enforce', 'public-site')(deleteAccountPublicAccessBlock(), context);
    expect(result).toMatchObject({
      status: 'account-checked',
      listed: 2,
      buckets: [
        { status: 'excluded', bucket: 'public-site' },
        { status: 'blocked', bucket: 'acl-public' },
      ],
    });
    expect(s3).not.toHaveReceivedCommandWith(GetBucketAclCommand, { Bucket: 'public-site' });
    expect(s3).toHaveReceivedCommandTimes(GetBucketAclCommand, 1);
    expect(s3).toHaveReceivedCommandTimes(PutPublicAccessBlockCommand, 1);
    expect(s3).toHaveReceivedCommandWith(PutPublicAccessBlockCommand, { Bucket: 'acl-public' });
  });

  it('lists nothing when the account still ignores public ACLs and restricts public policies', async () => {
    accountBlock({
      BlockPublicAcls: false,
      IgnorePublicAcls: true,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: true,
    });
    const event = putAccountPublicAccessBlock({ IgnorePublicAcls: true, RestrictPublicBuckets: true });
    const result = await responder()(event, context);
    expect(result).toEqual({
      status: 'skipped',
      reason: `account ${ACCOUNT} ignores public ACLs and restricts public policies: no bucket can be public`,
    });
    expect(s3control).toHaveReceivedCommandTimes(GetAccountPublicAccessBlockCommand, 1);
    expect(s3).not.toHaveReceivedAnyCommand();
  });

  it('a bucket that cannot be read is notified failed, the others are still handled, then the event fails', async () => {
    accountBlock();
    listedBuckets(['locked', 'acl-public'], []);
    bucketState('locked', 'unreadable');
    bucketState('acl-public', 'acl');
    await expect(responder()(deleteAccountPublicAccessBlock(), context)).rejects.toThrow(
      /^public-bucket-remediate: DeleteAccountPublicAccessBlock in account 123456789012: locked: S3 GetBucketAcl on locked failed: AccessDenied/,
    );
    expect(s3).toHaveReceivedCommandTimes(PutPublicAccessBlockCommand, 1);
    expect(s3).toHaveReceivedCommandWith(PutPublicAccessBlockCommand, { Bucket: 'acl-public' });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      Subject: 'Plumbline public-bucket-remediate: locked could not be checked',
    });
  });

  it('its own account-level call is skipped without any call', async () => {
    const result = await responder()(deleteAccountPublicAccessBlock({ caller: RESPONDER }), context);
    expect(result).toEqual({ status: 'skipped', reason: `own call (${RESPONDER})` });
    expect([...s3.calls(), ...s3control.calls(), ...sns.calls()]).toHaveLength(0);
  });
});
