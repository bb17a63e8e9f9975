import {
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { responderEnvironment } from '../../shared/aws/responder-runtime.ts';
import {
  type BucketClients,
  createPublicBucketResponder,
  type PublicBucketResponderOptions,
} from '../../shared/aws/responders.ts';
import type { SuiteConfig } from '../../shared/core/suite-config.ts';
import {
  ALICE,
  createBucket,
  deleteBucketPolicy,
  deleteBucketPublicAccessBlock,
  putBucketAclBody,
  putBucketAclCanned,
  putBucketPolicy,
  putBucketPublicAccessBlock,
  RESPONDER,
  RESPONDER_ROLE,
} from '../fixtures/public-bucket/cloudtrail.ts';
import { ACCOUNT, BUCKET, OWNER_ID, policyText } from '../fixtures/public-bucket/items.ts';

const s3 = mockClient(S3Client);
const s3control = mockClient(S3ControlClient);
const sns = mockClient(SNSClient);
const sts = mockClient(STSClient);

const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:plumbline-notifications`;
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:plumbline-public-bucket-remediate`;
const NOW = new Date('2024-05-14T09:42:00.000Z');
const ALL_FOUR = 'BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets';
const READ_INPUT = { Bucket: BUCKET, ExpectedBucketOwner: ACCOUNT };

function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

const ENVIRONMENT = {
  PLUMBLINE_TOPIC_ARN: TOPIC,
  PLUMBLINE_FUNCTION_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/${RESPONDER_ROLE}`,
  PLUMBLINE_EXECUTION_ROLE_NAME: 'plumbline-execution-public-bucket-remediate',
};

function suite(mode?: string, rule: Record<string, string> = {}): SuiteConfig {
  return {
    rules: { 'public-bucket': rule },
    settings: mode === undefined ? {} : { responders: { 'public-bucket-remediate': { mode } } },
  };
}

function responder(options: Partial<PublicBucketResponderOptions> = {}) {
  return createPublicBucketResponder({
    sns: new SNSClient({}),
    sts: new STSClient({}),
    environment: () => responderEnvironment(ENVIRONMENT),
    suiteConfig: () => suite('enforce'),
    now: () => NOW,
    ...options,
  });
}

const context = { invokedFunctionArn: FUNCTION_ARN };

/** The event with its session issuer's role ARN replaced (same name, say, under another path). */
function withSessionIssuer(event: Record<string, unknown>, arn: string) {
  const detail = event.detail as {
    userIdentity: { sessionContext: { sessionIssuer: Record<string, unknown> } };
  };
  detail.userIdentity.sessionContext.sessionIssuer.arn = arn;
  return event;
}

interface BucketSetup {
  publicGroups?: { uri: string; permission: 'READ' | 'WRITE' | 'READ_ACP' | 'WRITE_ACP' | 'FULL_CONTROL' }[];
  policy?: string;
  block?: Record<string, boolean>;
  ownership?: string;
  account?: Record<string, boolean>;
}

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';

/** Answers the four bucket reads and the account read with the given state. */
function bucket(setup: BucketSetup = {}) {
  s3.on(GetBucketAclCommand).resolves({
    Owner: { ID: OWNER_ID },
    Grants: [
      { Grantee: { Type: 'CanonicalUser', ID: OWNER_ID }, Permission: 'FULL_CONTROL' },
      ...(setup.publicGroups ?? []).map(({ uri, permission }) => ({
        Grantee: { Type: 'Group' as const, URI: uri },
        Permission: permission,
      })),
    ],
  });
  if (setup.policy) s3.on(GetBucketPolicyCommand).resolves({ Policy: setup.policy });
  else
    s3.on(GetBucketPolicyCommand).rejects(awsError('NoSuchBucketPolicy', 'The bucket policy does not exist'));
  if (setup.block)
    s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: setup.block });
  else s3.on(GetPublicAccessBlockCommand).rejects(awsError('NoSuchPublicAccessBlockConfiguration'));
  if (setup.ownership) {
    s3.on(GetBucketOwnershipControlsCommand).resolves({
      OwnershipControls: { Rules: [{ ObjectOwnership: setup.ownership as 'ObjectWriter' }] },
    });
  } else {
    s3.on(GetBucketOwnershipControlsCommand).rejects(awsError('OwnershipControlsNotFoundError'));
  }
  if (setup.account) {
    s3control
      .on(GetAccountPublicAccessBlockCommand)
      .resolves({ PublicAccessBlockConfiguration: setup.account });
  } else {
    s3control
      .on(GetAccountPublicAccessBlockCommand)
      .rejects(awsError('NoSuchPublicAccessBlockConfiguration'));
  }
}

const PUBLIC_READ = { publicGroups: [{ uri: ALL_USERS, permission: 'READ' as const }] };

/** The published message: subject, the email text, the attributes. */
function published(index = 0) {
  const input = sns.commandCalls(PublishCommand)[index]?.args[0].input;
  if (!input) throw new Error(`no Publish call #${index}`);
  const message = JSON.parse(String(input.Message)) as { email: string };
  const attributes = Object.fromEntries(
    Object.entries(input.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]),
  );
  return { subject: input.Subject, email: message.email, lines: message.email.split('\n'), attributes };
}

beforeEach(() => {
  s3.reset();
  s3control.reset();
  sns.reset();
  sts.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'message-1' });
  s3.on(PutPublicAccessBlockCommand).resolves({});
});

describe('enforce mode', () => {
  it("names the deployment's rule (PLUMBLINE_RULE_PREFIX) in the notice's rule attribute", async () => {
    bucket(PUBLIC_READ);
    await responder({
      environment: () => responderEnvironment({ ...ENVIRONMENT, PLUMBLINE_RULE_PREFIX: 'acme-guard-' }),
    })(putBucketAclCanned('public-read'), context);

    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const string = (value: string) => ({ DataType: 'String', StringValue: value });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      MessageAttributes: {
        kind: string('remediation'),
        source: string('public-bucket-remediate'),
        rule: string('acme-guard-public-bucket'),
        account: string(ACCOUNT),
        region: string('us-east-1'),
        resourceType: string('AWS::S3::Bucket'),
        outcome: string('applied'),
        compliance: string('COMPLIANT'),
      },
    });
    expect(published().lines).toContain('Rule:        acme-guard-public-bucket');
  });

  it('refuses an empty PLUMBLINE_RULE_PREFIX, naming the variable and the value', () => {
    expect(() => responderEnvironment({ ...ENVIRONMENT, PLUMBLINE_RULE_PREFIX: '' })).toThrow(
      'Invalid environment variable PLUMBLINE_RULE_PREFIX="": expected the start of a Config rule name: 1 to 128 characters, no spaces',
    );
  });

  it('turns on all four settings of a bucket made public, and says who did what', async () => {
    bucket(PUBLIC_READ);
    const result = await responder()(putBucketAclCanned('public-read'), context);

    expect(result).toEqual({
      status: 'blocked',
      bucket: BUCKET,
      findings: ['ACL grants READ to AllUsers'],
      messageId: 'message-1',
    });
    // Exactly the four reads (in parallel, so in any order), each once, then the one write: nothing more.
    const sent = s3.calls().map((call) => call.args[0]);
    const names = sent.map((command) => command.constructor.name);
    expect(names).toHaveLength(5);
    expect(names.slice(0, 4).sort()).toEqual([
      'GetBucketAclCommand',
      'GetBucketOwnershipControlsCommand',
      'GetBucketPolicyCommand',
      'GetPublicAccessBlockCommand',
    ]);
    expect(names[4]).toBe('PutPublicAccessBlockCommand');
    for (const read of sent.slice(0, 4)) expect(read.input).toEqual(READ_INPUT);
    expect(s3control.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'GetPublicAccessBlockCommand',
    ]);
    expect(s3control).toHaveReceivedCommandTimes(GetAccountPublicAccessBlockCommand, 1);
    expect(s3control).toHaveReceivedCommandWith(GetAccountPublicAccessBlockCommand, { AccountId: ACCOUNT });
    expect(s3).toHaveReceivedCommandTimes(PutPublicAccessBlockCommand, 1);
    expect(s3).toHaveReceivedCommandWith(PutPublicAccessBlockCommand, {
      Bucket: BUCKET,
      ExpectedBucketOwner: ACCOUNT,
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { TopicArn: TOPIC, MessageStructure: 'json' });
    const message = published();
    expect(message.subject).toBe(
      `Plumbline public-bucket-remediate: ${BUCKET} was public: Block Public Access turned on`,
    );
    expect(message.lines).toEqual(
      expect.arrayContaining([
        'Rule:        plumbline-public-bucket',
        `Resource:    AWS::S3::Bucket ${BUCKET}`,
        'Compliance:  NON_COMPLIANT -> COMPLIANT',
        'Finding:     ACL grants READ to AllUsers',
        `Changed by:  ${ALICE} via PutBucketAcl from 203.0.113.10`,
        'Outcome:     applied',
        '  - request: PutBucketAcl: canned ACL public-read',
        `  - turned on bucket Block Public Access: ${ALL_FOUR} (before: none)`,
      ]),
    );
    expect(message.attributes).toEqual({
      kind: 'remediation',
      source: 'public-bucket-remediate',
      rule: 'plumbline-public-bucket',
      account: ACCOUNT,
      region: 'us-east-1',
      resourceType: 'AWS::S3::Bucket',
      outcome: 'applied',
      compliance: 'COMPLIANT',
    });
  });

  it('acts on a public policy, naming the statement, and keeps what was on before in the message', async () => {
    bucket({ policy: policyText('public-read'), block: { BlockPublicAcls: true, IgnorePublicAcls: true } });
    const result = await responder()(putBucketPolicy(JSON.parse(policyText('public-read'))), context);
    expect(result).toMatchObject({
      status: 'blocked',
      findings: ['policy statement "PublicRead" (#1) allows s3:GetObject, s3:GetObjectVersion to *'],
    });
    expect(published().lines).toEqual(
      expect.arrayContaining([
        'Finding:     policy statement "PublicRead" (#1) allows s3:GetObject, s3:GetObjectVersion to *',
        '  - request: PutBucketPolicy: new bucket policy',
        `  - turned on bucket Block Public Access: ${ALL_FOUR} (before: BlockPublicAcls, IgnorePublicAcls)`,
      ]),
    );
  });

  it.each([
    [
      'PutBucketAcl with grants in the body',
      putBucketAclBody(),
      'PutBucketAcl: grants READ, READ_ACP to AllUsers',
    ],
    [
      'CreateBucket with a public canned ACL',
      createBucket('public-read-write'),
      'CreateBucket: canned ACL public-read-write',
    ],
    [
      'PutBucketPublicAccessBlock turning settings off',
      putBucketPublicAccessBlock({
        BlockPublicAcls: true,
        IgnorePublicAcls: false,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: false,
      }),
      'PutBucketPublicAccessBlock: IgnorePublicAcls, RestrictPublicBuckets off',
    ],
    [
      'DeleteBucketPublicAccessBlock',
      deleteBucketPublicAccessBlock(),
      'DeleteBucketPublicAccessBlock: bucket Block Public Access removed',
    ],
  ])('%s: reads the state afresh and blocks', async (_, event, request) => {
    bucket(PUBLIC_READ);
    await expect(responder()(event, context)).resolves.toMatchObject({ status: 'blocked' });
    expect(s3).toHaveReceivedCommandTimes(PutPublicAccessBlockCommand, 1);
    expect(published().lines).toContain(`  - request: ${request}`);
  });

  it('writes nothing when the bucket is already blocked (idempotent)', async () => {
    bucket({
      ...PUBLIC_READ,
      policy: policyText('public-read'),
      block: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    });
    await expect(responder()(putBucketAclCanned('public-read'), context)).resolves.toEqual({
      status: 'not-public',
      bucket: BUCKET,
    });
    expect(s3).toHaveReceivedCommandTimes(PutPublicAccessBlockCommand, 0);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('writes nothing when the account-level settings neutralise it', async () => {
    bucket({ ...PUBLIC_READ, account: { IgnorePublicAcls: true } });
    await expect(responder()(putBucketAclCanned('public-read'), context)).resolves.toEqual({
      status: 'not-public',
      bucket: BUCKET,
    });
    expect(s3).toHaveReceivedCommandTimes(PutPublicAccessBlockCommand, 0);
  });

  it('leaves a public ACL alone when Object Ownership disables ACLs (BucketOwnerEnforced)', async () => {
    bucket({ ...PUBLIC_READ, ownership: 'BucketOwnerEnforced' });
    await expect(responder()(putBucketAclCanned('public-read'), context)).resolves.toEqual({
      status: 'not-public',
      bucket: BUCKET,
    });
    expect(s3).toHaveReceivedCommandTimes(GetBucketOwnershipControlsCommand, 1);
    expect(s3).toHaveReceivedCommandWith(GetBucketOwnershipControlsCommand, READ_INPUT);
    expect(s3).toHaveReceivedCommandTimes(PutPublicAccessBlockCommand, 0);
    // Not public is not news: the responder publishes nothing.
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it.each(['BucketOwnerPreferred', 'ObjectWriter'])(
    'blocks a public ACL when Object Ownership %s keeps ACLs in force',
    async (ownership) => {
      bucket({ ...PUBLIC_READ, ownership });
      await expect(responder()(putBucketAclCanned('public-read'), context)).resolves.toMatchObject({
        status: 'blocked',
        findings: ['ACL grants READ to AllUsers'],
      });
      expect(s3).toHaveReceivedCommandTimes(PutPublicAccessBlockCommand, 1);
    },
  );

  it('counts only the access the rule counts (publicAccess)', async () => {
    bucket(PUBLIC_READ);
    const handler = responder({ suiteConfig: () => suite('enforce', { publicAccess: 'write' }) });
    await expect(handler(putBucketAclCanned('public-read'), context)).resolves.toEqual({
      status: 'not-public',
      bucket: BUCKET,
    });
    expect(s3).toHaveReceivedCommandTimes(PutPublicAccessBlockCommand, 0);
  });

  it('leaves an excluded bucket alone without reading it', async () => {
    const handler = responder({
      suiteConfig: () => suite('enforce', { excludedPublicBuckets: `www.example.com,${BUCKET}` }),
    });
    await expect(handler(putBucketAclCanned('public-read'), context)).resolves.toEqual({
      status: 'excluded',
      bucket: BUCKET,
    });
    expect(s3.calls()).toHaveLength(0);
    expect(s3control.calls()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
  });
});

describe('report mode', () => {
  it.each([
    ['when set', () => suite('report')],
    ['by default', () => suite(undefined)],
  ])('only notifies (%s)', async (_, suiteConfig) => {
    bucket(PUBLIC_READ);
    const result = await responder({ suiteConfig })(putBucketAclCanned('public-read'), context);
    expect(result).toEqual({
      status: 'reported',
      bucket: BUCKET,
      findings: ['ACL grants READ to AllUsers'],
      messageId: 'message-1',
    });
    expect(s3).toHaveReceivedCommandTimes(PutPublicAccessBlockCommand, 0);
    const message = published();
    expect(message.subject).toBe(
      `Plumbline public-bucket-remediate: ${BUCKET} is public (report mode: left as it is)`,
    );
    expect(message.lines).toEqual(
      expect.arrayContaining([
        'Compliance:  NON_COMPLIANT',
        'Outcome:     planned',
        `  - would turn on bucket Block Public Access: ${ALL_FOUR} (now: none); set responders.public-bucket-remediate.mode to enforce to do it`,
      ]),
    );
  });
});

describe('events it does not act on', () => {
  it.each([
    [
      'a role of its name in another account',
      `arn:aws:sts::111122223333:assumed-role/${RESPONDER_ROLE}/plumbline`,
    ],
    ['a role of its name under another IAM path', 'path'],
  ])('%s is not its own call: the bucket is blocked', async (_, caller) => {
    bucket(PUBLIC_READ);
    s3.on(PutPublicAccessBlockCommand).resolves({});
    const event =
      caller === 'path'
        ? withSessionIssuer(
            putBucketAclCanned('public-read', { caller: RESPONDER }),
            `arn:aws:iam::${ACCOUNT}:role/ci/${RESPONDER_ROLE}`,
          )
        : putBucketAclCanned('public-read', { caller });
    await expect(responder()(event, context)).resolves.toMatchObject({ status: 'blocked', bucket: BUCKET });
    expect(s3).toHaveReceivedCommandTimes(PutPublicAccessBlockCommand, 1);
  });

  it("its member execution role, in the event's own account, is its own call", async () => {
    const member = '210987654321';
    const event = putBucketAclCanned('public-read', {
      account: member,
      caller: `arn:aws:sts::${member}:assumed-role/plumbline-execution-public-bucket-remediate/plumbline`,
    });
    await expect(responder()(event, context)).resolves.toEqual({
      status: 'skipped',
      reason: `own call (arn:aws:sts::${member}:assumed-role/plumbline-execution-public-bucket-remediate/plumbline)`,
    });
    expect([...s3.calls(), ...s3control.calls(), ...sns.calls(), ...sts.calls()]).toHaveLength(0);
  });

  it.each([
    [
      'its own call',
      putBucketPublicAccessBlock({ BlockPublicAcls: true }, { caller: RESPONDER }),
      `own call (${RESPONDER})`,
    ],
    [
      'a failed call',
      putBucketAclCanned('public-read', { errorCode: 'AccessDenied' }),
      'the call failed (AccessDenied) and changed nothing',
    ],
  ])('%s is skipped without any call', async (_, event, reason) => {
    await expect(responder()(event, context)).resolves.toEqual({ status: 'skipped', reason });
    expect([...s3.calls(), ...s3control.calls(), ...sns.calls()]).toHaveLength(0);
  });

  it('DeleteBucketPolicy cannot make a bucket public', async () => {
    await expect(responder()(deleteBucketPolicy(), context)).resolves.toEqual({
      status: 'skipped',
      reason: 'DeleteBucketPolicy cannot make a bucket public',
      bucket: BUCKET,
    });
    expect(s3.calls()).toHaveLength(0);
  });

  it('a bucket deleted in the meantime is gone, not a failure', async () => {
    bucket(PUBLIC_READ);
    s3.on(GetBucketAclCommand).rejects(awsError('NoSuchBucket', 'The specified bucket does not exist'));
    await expect(responder()(putBucketAclCanned('public-read'), context)).resolves.toEqual({
      status: 'gone',
      bucket: BUCKET,
    });
    expect(sns.calls()).toHaveLength(0);
  });
});

describe('failures', () => {
  it('a failed write notifies failed, then throws so EventBridge retries', async () => {
    bucket(PUBLIC_READ);
    s3.on(PutPublicAccessBlockCommand).rejects(awsError('AccessDenied', 'Access Denied'));
    await expect(responder()(putBucketAclCanned('public-read'), context)).rejects.toThrow(
      `S3 PutPublicAccessBlock on ${BUCKET} failed: AccessDenied: Access Denied`,
    );
    const message = published();
    expect(message.subject).toBe(
      `Plumbline public-bucket-remediate: ${BUCKET} is public: blocking it failed`,
    );
    expect(message.lines).toEqual(
      expect.arrayContaining([
        'Finding:     ACL grants READ to AllUsers',
        'Outcome:     failed',
        `  - turning on bucket Block Public Access failed: S3 PutPublicAccessBlock on ${BUCKET} failed: AccessDenied: Access Denied`,
      ]),
    );
  });

  it('a failed read notifies failed, then throws', async () => {
    bucket(PUBLIC_READ);
    s3.on(GetBucketPolicyCommand).rejects(awsError('AccessDenied', 'Access Denied'));
    await expect(responder()(putBucketAclCanned('public-read'), context)).rejects.toThrow(
      `S3 GetBucketPolicy on ${BUCKET} failed: AccessDenied: Access Denied`,
    );
    expect(s3).toHaveReceivedCommandTimes(PutPublicAccessBlockCommand, 0);
    const message = published();
    expect(message.subject).toBe(`Plumbline public-bucket-remediate: ${BUCKET} could not be checked`);
    expect(message.lines).toEqual(
      expect.arrayContaining([
        'Outcome:     failed',
        `  - reading the bucket failed: S3 GetBucketPolicy on ${BUCKET} failed: AccessDenied: Access Denied`,
      ]),
    );
  });

  it('a state it cannot read is reported as undetermined, without a write', async () => {
    bucket();
    s3.on(GetBucketAclCommand).resolves({
      Grants: [{ Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'EVERYTHING' as 'READ' }],
    });
    await expect(responder()(putBucketAclBody(), context)).resolves.toEqual({
      status: 'undetermined',
      bucket: BUCKET,
      findings: ['GetBucketAcl: Grants.0.Permission: unknown ACL permission "EVERYTHING"'],
      messageId: 'message-1',
    });
    expect(s3).toHaveReceivedCommandTimes(PutPublicAccessBlockCommand, 0);
    expect(published().lines).toEqual(
      expect.arrayContaining([
        'Finding:     cannot tell whether public: GetBucketAcl: Grants.0.Permission: unknown ACL permission "EVERYTHING"',
        'Outcome:     failed',
      ]),
    );
  });

  it('a notification lost after the write is sent by the retry of the same event', async () => {
    bucket(PUBLIC_READ);
    sns
      .on(PublishCommand)
      .rejectsOnce(awsError('InternalError', 'Service unavailable'))
      .resolves({ MessageId: 'message-2' });
    const handler = responder();
    await expect(handler(putBucketAclCanned('public-read'), context)).rejects.toThrow(
      `SNS Publish to ${TOPIC} failed: InternalError: Service unavailable`,
    );
    s3.resetHistory();
    await expect(handler(putBucketAclCanned('public-read'), context)).resolves.toEqual({
      status: 'redelivered',
      bucket: BUCKET,
      findings: [],
      messageId: 'message-2',
    });
    expect(s3.calls()).toHaveLength(0);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(published(1).lines).toContain('Outcome:     applied');
  });
});

describe('organisation mode', () => {
  const MEMBER = '111122223333';
  const memberEvent = () =>
    putBucketAclCanned('public-read', {
      account: MEMBER,
      caller: `arn:aws:sts::${MEMBER}:assumed-role/Admin/alice`,
    });

  it('assumes the execution role in the event account, and caches the clients', async () => {
    bucket(PUBLIC_READ);
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIAMEMBER',
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date('2099-01-01'),
      },
    });
    const created: { region: string; credentials?: AwsCredentialIdentityProvider }[] = [];
    const createClients = vi.fn(
      (region: string, credentials?: AwsCredentialIdentityProvider): BucketClients => {
        created.push({ region, credentials });
        return { s3: new S3Client({ region }), s3control: new S3ControlClient({ region }) };
      },
    );
    const handler = responder({ createClients });
    await expect(handler(memberEvent(), context)).resolves.toMatchObject({ status: 'blocked' });
    await handler(memberEvent(), context);
    expect(createClients).toHaveBeenCalledTimes(1);
    expect(s3).toHaveReceivedCommandWith(PutPublicAccessBlockCommand, {
      Bucket: BUCKET,
      ExpectedBucketOwner: MEMBER,
    });
    expect(s3control).toHaveReceivedCommandWith(GetAccountPublicAccessBlockCommand, { AccountId: MEMBER });
    await expect(created[0]?.credentials?.()).resolves.toMatchObject({ accessKeyId: 'ASIAMEMBER' });
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER}:role/plumbline-execution-public-bucket-remediate`,
      RoleSessionName: 'plumbline-public-bucket-remediate',
    });
  });

  it('without an execution role it cannot act in another account: notifies failed, throws', async () => {
    const handler = responder({
      environment: () => responderEnvironment({ ...ENVIRONMENT, PLUMBLINE_EXECUTION_ROLE_NAME: '' }),
    });
    await expect(handler(memberEvent(), context)).rejects.toThrow(
      `The event is from account ${MEMBER}, not the function's account ${ACCOUNT}: set PLUMBLINE_EXECUTION_ROLE_NAME to act there`,
    );
    expect(s3.calls()).toHaveLength(0);
    expect(published().attributes).toMatchObject({ outcome: 'failed', account: MEMBER });
  });
});

describe('bad input and configuration', () => {
  it('an event without a bucket name is an error naming the field', async () => {
    const event = putBucketAclCanned('public-read');
    const detail = event.detail as Record<string, unknown>;
    const broken = { ...event, detail: { ...detail, requestParameters: { acl: [''] } } };
    await expect(responder()(broken, context)).rejects.toThrow(
      'Invalid PutBucketAcl event: detail.requestParameters.bucketName: Invalid input: expected string, received undefined',
    );
  });

  it('an event from another service is an error', async () => {
    const event = putBucketAclCanned('public-read');
    const broken = {
      ...event,
      detail: { ...(event.detail as Record<string, unknown>), eventSource: 'ec2.amazonaws.com' },
    };
    await expect(responder()(broken, context)).rejects.toThrow(
      'Invalid event: detail.eventSource is ec2.amazonaws.com, expected s3.amazonaws.com',
    );
  });

  it('a missing topic is named', () => {
    expect(() => responderEnvironment({})).toThrow(
      'Missing environment variable PLUMBLINE_TOPIC_ARN: the SNS topic ARN to publish to',
    );
    expect(() => responderEnvironment({ PLUMBLINE_TOPIC_ARN: 'plumbline' })).toThrow(
      'Invalid environment variable PLUMBLINE_TOPIC_ARN="plumbline": expected an SNS topic ARN (arn:aws:sns:region:account:name)',
    );
  });

  it.each([
    [
      { mode: 'fix' },
      'Invalid rule parameter responders.public-bucket-remediate.mode="fix": expected enforce or report',
    ],
    [
      { mode: 'enforce', dryRun: true },
      'Invalid rule parameter responders.public-bucket-remediate.dryRun=true: unknown setting (known: mode)',
    ],
  ])('bad responder settings %j are named', async (settings, message) => {
    const handler = responder({
      suiteConfig: () => ({ rules: {}, settings: { responders: { 'public-bucket-remediate': settings } } }),
    });
    await expect(handler(putBucketAclCanned('public-read'), context)).rejects.toThrow(message);
  });

  it('bad rule parameters are named as the rule names them', async () => {
    const handler = responder({ suiteConfig: () => suite('enforce', { excludedPublicBuckets: 'UPPER' }) });
    await expect(handler(putBucketAclCanned('public-read'), context)).rejects.toThrow(
      'Invalid rule parameter excludedPublicBuckets="UPPER"',
    );
  });
});
