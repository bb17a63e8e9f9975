/**
 * API calls per evaluated resource: each function driven through its real handler (or, for a Config rule whose
 * function has not landed, the stand-in) with every AWS client mocked and every command counted.
 *
 * - Config-rule functions: a change-triggered evaluation, an oversized one, and periodic runs over 10,000
 *   resources (advanced query, and `PLUMBLINE_INVENTORY=list`) in the steady state: Config holds a result for
 *   every resource, so the stale clean-up reads them all.
 * - Responders and the notifier: the case that does the most work (a change to revert, a bucket to close, a
 *   notice to send: a snapshot to make private, a versioning to enable again); for sg-drift-revert, both an extra world-open rule (revoke) and a group drifted both ways
 *   from its baseline (revoke and restore).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  BatchGetResourceConfigCommand,
  GetComplianceDetailsByConfigRuleCommand,
  GetResourceConfigHistoryCommand,
  ListDiscoveredResourcesCommand,
  PutEvaluationsCommand,
  SelectResourceConfigCommand,
} from '@aws-sdk/client-config-service';
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { DescribeDBSnapshotAttributesCommand } from '@aws-sdk/client-rds';
import {
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand as GetBucketPublicAccessBlockCommand,
  GetBucketVersioningCommand,
  type Grant,
  ListBucketsCommand,
} from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import { PublishCommand } from '@aws-sdk/client-sns';
import { changeEvent, oversizedEvent, periodicEvent } from '../../test/fixtures/config/events.ts';
import { lookupAroundDetection } from '../../test/fixtures/notifier/cloudtrail.ts';
import { complianceEvent } from '../../test/fixtures/notifier/events.ts';
import { deleteAccountPublicAccessBlock } from '../../test/fixtures/public-bucket/cloudtrail.ts';
import { modifySnapshotAttribute } from '../../test/fixtures/rds-snapshot-not-public/cloudtrail.ts';
import { putBucketVersioning } from '../../test/fixtures/s3-versioning/cloudtrail.ts';
import { type AwsMocks, countCalls, createAwsMocks, withAwsMocks } from '../lib/aws-mocks.ts';
import type { FunctionTarget } from '../lib/discover.ts';
import { BENCH_OUT, ROOT } from '../lib/discover.ts';
import { functionEnvironment, lambdaContext, ruleParametersFor } from '../lib/environment.ts';
import { SyntheticAccount } from '../lib/inventory.ts';
import { BENCH_ACCOUNT, BENCH_REGION, syntheticItem } from '../lib/synthetic.ts';

export const PERIODIC_RESOURCES = 10_000;

export interface CallScenario {
  function: string;
  /** `change`, `oversized`, `periodic`, `periodic-list`, or the responder's own scenario name. */
  name: string;
  description: string;
  standIn: boolean;
  /** The denominator of calls per resource. */
  resources: number;
  /** The budget key in bench/budgets.json (`apiCalls.<key>`). */
  budget: string;
  /** Account facts the rule reads (one call each per invocation, allowed on top of the budget). */
  accountFacts: number;
  /** Resource types in the rule's scope (0 for event functions). */
  resourceTypes: number;
  run(): Promise<CallFigure>;
  /** The same run, with the mocks that answered it (its own: no other run's calls reach them). */
  runRecorded(): Promise<RecordedRun>;
}

export interface RecordedRun {
  figure: CallFigure;
  mocks: AwsMocks;
}

export interface CallFigure {
  function: string;
  scenario: string;
  standIn: boolean;
  resources: number;
  calls: Record<string, number>;
  total: number;
  perResource: number;
  /** The handler's return value, or the error it threw. */
  outcome: unknown;
  error?: string | undefined;
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const handlers = new Map<string, Promise<Handler>>();

/** Imports a function's handler once per process (as a warm Lambda keeps it). */
function loadHandler(target: FunctionTarget): Promise<Handler> {
  let handler = handlers.get(target.entry);
  if (handler === undefined) {
    handler = import(pathToFileURL(target.entry).href).then((module: { handler?: unknown }) => {
      if (typeof module.handler !== 'function') throw new Error(`${target.entry} exports no handler`);
      return module.handler as Handler;
    });
    handlers.set(target.entry, handler);
  }
  return handler;
}

/** The drift-restore scenario's group: listed by id, since only an id-bound group gets rules restored. */
const RESTORE_GROUP_ID = 'sg-0b1b2b3b4b5b6b7b8';

/** The baseline of the drift-restore scenario's group, bound by its id (a tag never restores rules). */
const WEB_BASELINE = {
  mode: 'enforce',
  match: { groupIds: [RESTORE_GROUP_ID] },
  ingress: [{ protocol: 'tcp', fromPort: 443, cidr: '0.0.0.0/0', description: 'HTTPS' }],
  egress: [{ protocol: -1, cidr: '0.0.0.0/0' }],
};

/**
 * The responders in enforce mode, so that their scenarios measure the work path (read, change, notify)
 * rather than report mode's read-and-notify; one enforced baseline for sg-drift-revert's restore path.
 */
const ENFORCING_RESPONDERS = {
  baselines: { web: WEB_BASELINE },
  responders: {
    'sg-drift-revert': { blockedPortsMode: 'enforce' },
    'public-bucket-remediate': { mode: 'enforce' },
    'rds-snapshot-private': { mode: 'enforce' },
    's3-versioning-enable': { mode: 'enforce' },
  },
};

/** Sets the deployed function's environment for the scenarios (once, before any handler is imported). */
export function prepareEnvironment(): void {
  Object.assign(
    process.env,
    functionEnvironment(join(BENCH_OUT, 'scenario-env'), 'bench', ENFORCING_RESPONDERS),
  );
}

interface ScenarioSpec {
  name: string;
  description: string;
  resources: number;
  budget: string;
  event: () => unknown;
  arrange?: (mocks: AwsMocks) => void;
  env?: Record<string, string>;
}

/** The run in progress (or settled): scenario runs go one at a time. */
let previousRun: Promise<unknown> = Promise.resolve();

/**
 * Runs `work` after every run started before it has settled: a scenario sets process.env for its handler, and
 * a run that outlives its test (vitest abandons a timed-out test, it does not stop it) must not share it.
 */
function oneAtATime<Result>(work: () => Promise<Result>): Promise<Result> {
  const next = previousRun.then(work, work);
  previousRun = next.catch(() => undefined);
  return next;
}

function scenario(target: FunctionTarget, spec: ScenarioSpec): CallScenario {
  const accountFacts = target.rule?.rule.accountFacts?.length ?? 0;
  const resourceTypes = target.rule?.rule.resourceTypes.length ?? 0;
  const runRecorded = async (): Promise<RecordedRun> => {
    const handler = await loadHandler(target);
    return oneAtATime(async () => {
      const mocks = createAwsMocks();
      spec.arrange?.(mocks);
      const saved = Object.fromEntries(Object.keys(spec.env ?? {}).map((key) => [key, process.env[key]]));
      Object.assign(process.env, spec.env);
      let outcome: unknown;
      let error: string | undefined;
      try {
        outcome = await withAwsMocks(mocks, () => handler(spec.event(), lambdaContext(target.name)));
      } catch (thrown) {
        error = thrown instanceof Error ? thrown.message : String(thrown);
      } finally {
        for (const [key, value] of Object.entries(saved)) {
          if (value === undefined) delete process.env[key];
          else process.env[key] = value;
        }
      }
      const calls = countCalls(mocks);
      const total = Object.values(calls).reduce((sum, value) => sum + value, 0);
      const figure: CallFigure = {
        function: target.name,
        scenario: spec.name,
        standIn: target.standIn,
        resources: spec.resources,
        calls,
        total,
        perResource: total / spec.resources,
        outcome,
        error,
      };
      return { figure, mocks };
    });
  };
  return {
    resourceTypes,
    function: target.name,
    name: spec.name,
    description: spec.description,
    standIn: target.standIn,
    resources: spec.resources,
    budget: spec.budget,
    accountFacts,
    runRecorded,
    run: async () => (await runRecorded()).figure,
  };
}

/** Points the Config mocks at a synthetic account (inventory and earlier results). */
export function wireConfig(mocks: AwsMocks, account: SyntheticAccount): void {
  mocks.config.on(SelectResourceConfigCommand).callsFake((input) => account.select(input));
  mocks.config
    .on(ListDiscoveredResourcesCommand)
    .callsFake((input) => account.listDiscoveredResources(input));
  mocks.config.on(BatchGetResourceConfigCommand).callsFake((input) => account.batchGetResourceConfig(input));
  mocks.config
    .on(GetResourceConfigHistoryCommand)
    .callsFake((input) => account.getResourceConfigHistory(input));
  mocks.config
    .on(GetComplianceDetailsByConfigRuleCommand)
    .callsFake((input) => account.getComplianceDetailsByConfigRule(input));
  mocks.config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  mocks.s3control.on(GetAccountPublicAccessBlockCommand).rejects(
    Object.assign(new Error('The public access block configuration was not found'), {
      name: 'NoSuchPublicAccessBlockConfiguration',
    }),
  );
}

function configRuleScenarios(target: FunctionTarget): CallScenario[] {
  const rule = target.rule?.rule;
  if (rule === undefined) return [];
  const ruleName = `plumbline-${rule.name}`;
  const ruleParameters = ruleParametersFor(rule.name);
  const changedType =
    rule.resourceTypes.find((type) => type !== 'AWS::S3::AccountPublicAccessBlock') ?? rule.resourceTypes[0];
  if (changedType === undefined) return [];
  const changed = syntheticItem(changedType, 42);
  const withRule = (event: Record<string, unknown>) => ({ ...event, configRuleName: ruleName });
  const account = (resources: number) =>
    new SyntheticAccount({ resourceTypes: rule.resourceTypes, resources, ruleName });
  const periodic = (name: string, description: string, env?: Record<string, string>): ScenarioSpec => ({
    name,
    description,
    resources: PERIODIC_RESOURCES,
    budget: `configRule.${name}`,
    event: () => withRule(periodicEvent({ ruleParameters })),
    arrange: (mocks) => wireConfig(mocks, account(PERIODIC_RESOURCES)),
    ...(env ? { env } : {}),
  });
  return [
    scenario(target, {
      name: 'change',
      description: `ConfigurationItemChangeNotification for one ${changedType}`,
      resources: 1,
      budget: 'configRule.change',
      event: () => withRule(changeEvent(changed, { ruleParameters })),
      arrange: (mocks) => wireConfig(mocks, account(1)),
    }),
    scenario(target, {
      name: 'oversized',
      description: `OversizedConfigurationItemChangeNotification for one ${changedType}`,
      resources: 1,
      budget: 'configRule.oversized',
      event: () =>
        withRule(
          oversizedEvent(
            {
              resourceType: changed.resourceType,
              resourceId: changed.resourceId,
              resourceName: changed.resourceName ?? null,
              ARN: changed.ARN,
              awsAccountId: BENCH_ACCOUNT,
              awsRegion: BENCH_REGION,
              configurationItemCaptureTime: changed.configurationItemCaptureTime,
            },
            { ruleParameters },
          ),
        ),
      arrange: (mocks) => wireConfig(mocks, account(1)),
    }),
    scenario(
      target,
      periodic(
        'periodic',
        `ScheduledNotification over ${PERIODIC_RESOURCES.toLocaleString('en-US')} resources`,
      ),
    ),
    scenario(
      target,
      periodic(
        'periodic-list',
        `the same with PLUMBLINE_INVENTORY=list (ListDiscoveredResources + BatchGetResourceConfig)`,
        { PLUMBLINE_INVENTORY: 'list' },
      ),
    ),
  ];
}

const GROUP_ID = 'sg-0123456789abcdef0';

/** A JSON fixture under test/fixtures/ (`budgets/` unless another folder is named). */
function fixture(name: string, folder = 'budgets'): Record<string, unknown> {
  return JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', folder, name), 'utf8')) as Record<
    string,
    unknown
  >;
}

const permission = (port: number, cidr: string) => ({
  IpProtocol: 'tcp',
  FromPort: port,
  ToPort: port,
  IpRanges: [{ CidrIp: cidr }],
  Ipv6Ranges: [],
  PrefixListIds: [],
  UserIdGroupPairs: [],
});

/**
 * EC2 `DescribeSecurityGroups` (EC2 API Reference, "SecurityGroup"): by default the group as the world-open SSH
 * rule left it, under no baseline.
 */
function driftedGroup(
  ingress = [permission(22, '0.0.0.0/0'), permission(443, '10.0.0.0/8')],
  tags: Record<string, string> = { Name: 'web-prod' },
  groupId = GROUP_ID,
) {
  return {
    SecurityGroups: [
      {
        GroupId: groupId,
        GroupName: 'web-prod',
        Description: 'web servers',
        OwnerId: BENCH_ACCOUNT,
        VpcId: 'vpc-0a1b2c3d4e5f60718',
        IpPermissions: ingress,
        IpPermissionsEgress: [
          {
            IpProtocol: '-1',
            IpRanges: [{ CidrIp: '0.0.0.0/0' }],
            Ipv6Ranges: [],
            PrefixListIds: [],
            UserIdGroupPairs: [],
          },
        ],
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      },
    ],
  };
}

/**
 * EC2 `DescribeSecurityGroups`: a group under the `web` baseline drifted both ways: its baseline rule (tcp 443
 * from 0.0.0.0/0) revoked, and two rules the baseline does not declare added (tcp 22 from the world, tcp 8080
 * from 10.0.0.0/8).
 */
function baselineDriftedGroup() {
  return driftedGroup(
    [permission(22, '0.0.0.0/0'), permission(8080, '10.0.0.0/8')],
    { Name: 'web-prod', 'plumbline:baseline': 'web' },
    RESTORE_GROUP_ID,
  );
}

const OWNER_ID = 'eadb5178bbc89e74466498016ffb01b950e758026c6d44296c35646518db9217';
/**
 * The reads besides the ACL: no bucket policy, no Block Public Access (bucket or account), no ownership
 * controls (so ACLs are in force); and SNS.
 */
function noPolicyNoBlockNoControls(mocks: AwsMocks): void {
  mocks.s3.on(GetBucketPolicyCommand).rejects(notFound('NoSuchBucketPolicy'));
  mocks.s3.on(GetBucketPublicAccessBlockCommand).rejects(notFound('NoSuchPublicAccessBlockConfiguration'));
  mocks.s3.on(GetBucketOwnershipControlsCommand).rejects(notFound('OwnershipControlsNotFoundError'));
  mocks.s3control
    .on(GetAccountPublicAccessBlockCommand)
    .rejects(notFound('NoSuchPublicAccessBlockConfiguration'));
  mocks.sns.on(PublishCommand).resolves({ MessageId: 'bench-message' });
}

/** The account-level scenario: buckets in the account (two ListBuckets pages), one in a hundred public. */
export const ACCOUNT_BUCKETS = 1200;
const accountBucketName = (index: number) =>
  `bench-${String(index).padStart(4, '0')}${index % 100 === 0 ? '-public' : ''}`;
const ownerGrant: Grant = { Grantee: { Type: 'CanonicalUser', ID: OWNER_ID }, Permission: 'FULL_CONTROL' };
const allUsersRead: Grant = {
  Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' },
  Permission: 'READ',
};
const notFound = (name: string) => Object.assign(new Error(`${name} (bench)`), { name });

const EVENT_SCENARIOS: Record<string, (target: FunctionTarget) => CallScenario[]> = {
  'sg-drift-revert': (target) => [
    scenario(target, {
      name: 'drift-revert',
      description: 'AuthorizeSecurityGroupIngress opened tcp 22 to 0.0.0.0/0: read, revert, notify',
      resources: 1,
      budget: 'driftRevert',
      event: () => fixture('sg-authorize-ingress-world-ssh.json'),
      arrange: (mocks) => {
        mocks.ec2.on(DescribeSecurityGroupsCommand).resolves(driftedGroup());
        mocks.ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
        mocks.ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
        mocks.sns.on(PublishCommand).resolves({ MessageId: 'bench-message' });
      },
    }),
    scenario(target, {
      name: 'drift-restore',
      description:
        'RevokeSecurityGroupIngress removed baseline tcp 443 from a group with two extra rules: read, revoke both, restore, notify',
      resources: 1,
      budget: 'driftRevert.restore',
      event: () =>
        JSON.parse(
          JSON.stringify(
            fixture('revoke-security-group-ingress.json', join('security-group', 'events')),
          ).replaceAll(GROUP_ID, RESTORE_GROUP_ID),
        ) as Record<string, unknown>,
      arrange: (mocks) => {
        mocks.ec2.on(DescribeSecurityGroupsCommand).resolves(baselineDriftedGroup());
        mocks.ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
        mocks.ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
        mocks.sns.on(PublishCommand).resolves({ MessageId: 'bench-message' });
      },
    }),
  ],
  'public-bucket-remediate': (target) => [
    scenario(target, {
      name: 'bucket-remediate',
      description: 'PutBucketAcl public-read: read the bucket, block public access, notify',
      resources: 1,
      budget: 'bucketRemediate',
      event: () => fixture('s3-put-bucket-acl-public-read.json'),
      arrange: (mocks) => {
        mocks.s3.on(GetBucketAclCommand).resolves({
          Owner: { ID: OWNER_ID },
          Grants: [ownerGrant, allUsersRead],
        });
        noPolicyNoBlockNoControls(mocks);
      },
    }),
    scenario(target, {
      name: 'bucket-remediate-account',
      description: `DeleteAccountPublicAccessBlock: list ${ACCOUNT_BUCKETS} buckets in pages, read each, block and notify the public ones`,
      resources: ACCOUNT_BUCKETS,
      budget: 'bucketRemediate.account',
      event: () => deleteAccountPublicAccessBlock(),
      arrange: (mocks) => {
        const names = Array.from({ length: ACCOUNT_BUCKETS }, (_, index) => accountBucketName(index));
        const page = (from: number, to: number) =>
          names.slice(from, to).map((Name) => ({ Name, BucketRegion: BENCH_REGION }));
        mocks.s3
          .on(ListBucketsCommand)
          .resolves({ Buckets: page(0, 1000), ContinuationToken: 'bench-page-2' })
          .on(ListBucketsCommand, { ContinuationToken: 'bench-page-2' })
          .resolves({ Buckets: page(1000, ACCOUNT_BUCKETS) });
        mocks.s3.on(GetBucketAclCommand).callsFake((input: { Bucket: string }) => ({
          Owner: { ID: OWNER_ID },
          Grants: input.Bucket.endsWith('-public') ? [ownerGrant, allUsersRead] : [ownerGrant],
        }));
        noPolicyNoBlockNoControls(mocks);
      },
    }),
  ],
  'rds-snapshot-private': (target) => [
    scenario(target, {
      name: 'snapshot-private',
      description: 'ModifyDBSnapshotAttribute added all: read the restore attribute, remove all, notify',
      resources: 1,
      budget: 'snapshotPrivate',
      event: () => modifySnapshotAttribute(),
      arrange: (mocks) => {
        mocks.rds.on(DescribeDBSnapshotAttributesCommand).resolves({
          DBSnapshotAttributesResult: {
            DBSnapshotIdentifier: 'mydbsnapshot',
            DBSnapshotAttributes: [{ AttributeName: 'restore', AttributeValues: ['all', '444455556666'] }],
          },
        });
        mocks.sns.on(PublishCommand).resolves({ MessageId: 'bench-message' });
      },
    }),
  ],
  's3-versioning-enable': (target) => [
    scenario(target, {
      name: 'versioning-enable',
      description: 'PutBucketVersioning Suspended: read the versioning, enable it, notify',
      resources: 1,
      budget: 'versioningEnable',
      event: () => putBucketVersioning(),
      arrange: (mocks) => {
        mocks.s3.on(GetBucketVersioningCommand).resolves({ Status: 'Suspended' });
        mocks.sns.on(PublishCommand).resolves({ MessageId: 'bench-message' });
      },
    }),
  ],
  'compliance-notifier': (target) => [
    scenario(target, {
      name: 'notify',
      description: 'Config Rules Compliance Change COMPLIANT → NON_COMPLIANT: who did it, its name, notify',
      resources: 1,
      budget: 'notify',
      event: () => complianceEvent('compliant-to-non-compliant'),
      arrange: (mocks) => {
        mocks.cloudtrail.on(LookupEventsCommand).resolves(lookupAroundDetection());
        mocks.config.on(ListDiscoveredResourcesCommand).resolves({
          resourceIdentifiers: [
            { resourceType: 'AWS::EC2::SecurityGroup', resourceId: GROUP_ID, resourceName: 'web-prod' },
          ],
        });
        mocks.sns.on(PublishCommand).resolves({ MessageId: 'bench-message' });
      },
    }),
  ],
};

/** Every scenario for the functions found; a function with none is reported by `missingScenarios`. */
export function callScenarios(targets: readonly FunctionTarget[]): CallScenario[] {
  return targets.flatMap((target) =>
    target.rule ? configRuleScenarios(target) : (EVENT_SCENARIOS[target.name]?.(target) ?? []),
  );
}

export function missingScenarios(targets: readonly FunctionTarget[]): string[] {
  return targets
    .filter((target) => !target.rule && !EVENT_SCENARIOS[target.name])
    .map((target) => target.name);
}
