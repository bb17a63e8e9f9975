/**
 * The bad-input corpus: malformed inputs for every entry point, each with the outcome a cloud engineer should
 * get — an error that names the field (and the value where there is one), or NOT_APPLICABLE. Never an
 * unexplained crash, never COMPLIANT for something that could not be evaluated.
 *
 * Shapes are mutations of the documented fixtures the feature tests use (see the README.md of each test/fixtures folder and
 * test/fixtures/reliability/README.md for the AWS documentation each follows).
 */
import { gzipSync } from 'node:zlib';
import { RULES } from '../../shared/rules/index.ts';
import { changeEvent, instanceItem, oversizedEvent, periodicEvent } from '../fixtures/config/events.ts';
import { complianceEvent, withDetail as withComplianceDetail } from '../fixtures/notifier/events.ts';
import {
  createBucket,
  putBucketAclCanned,
  putBucketPolicy,
  s3Event,
} from '../fixtures/public-bucket/cloudtrail.ts';
import { eventItem } from '../fixtures/public-bucket/items.ts';
import { securityGroupItem, trailEvent, withDetail } from '../fixtures/security-group/index.ts';

export type EntryPoint =
  | 'config-event'
  | 'sg-cloudtrail'
  | 'bucket-cloudtrail'
  | 'compliance-change'
  | 'rule-parameters'
  | 'baselines'
  | 'config-file'
  | 'snapshot-file';

/** The expected outcome: an error whose message contains `error`, or a verdict, or a responder status. */
export type Expected =
  | { error: string }
  | { verdict: 'NOT_APPLICABLE' | 'NON_COMPLIANT'; annotation: string }
  | { status: string; reason?: string };

export interface CorpusEntry {
  entry: EntryPoint;
  name: string;
  /** For Config events: the rule that receives the event (security-group unless told). */
  rule?: string;
  input: unknown;
  /** For rule parameters: the suite settings beside them. */
  settings?: Record<string, unknown>;
  /** For files: the file name (its extension decides JSON or YAML). */
  file?: string;
  expected: Expected;
}

type Json = Record<string, unknown>;

const sgEvent = () => trailEvent('authorize-security-group-ingress');
const sgDetail = (detail: Json) => withDetail(sgEvent(), detail);
const withoutKey = (object: Json, key: string): Json => {
  const { [key]: _removed, ...rest } = object;
  return rest;
};
const complianceChange = () => complianceEvent('compliant-to-non-compliant');
const complianceDetail = (detail: Json) => withComplianceDetail(complianceChange(), detail);
const sgItem = (configuration: Json) => changeEvent(securityGroupItem(configuration, {}));
/** A gzip file with a flipped byte inside its compressed data: zlib reports an invalid block. */
const corruptGzip = (): Buffer => {
  const bytes = gzipSync(JSON.stringify({ configurationItems: [instanceItem(), instanceItem()] }));
  for (let index = 12; index < 40; index++) bytes[index] = 0xff;
  return bytes;
};
/** Each alias level multiplies the one before by ten: 10^6 nodes from a few hundred bytes. */
const ALIAS_BOMB = [
  'a: &a [x, x, x, x, x, x, x, x, x, x]',
  ...['b', 'c', 'd', 'e', 'f'].map(
    (name, level) => `${name}: &${name} [${Array(10).fill(`*${'abcde'[level]}`).join(', ')}]`,
  ),
  'rules: {}',
].join('\n');

const configEvents: CorpusEntry[] = [
  {
    entry: 'config-event',
    name: 'not an object',
    input: 'hello',
    expected: { error: 'Invalid Config rule event: event: Invalid input: expected object, received string' },
  },
  {
    entry: 'config-event',
    name: 'null',
    input: null,
    expected: { error: 'Invalid Config rule event: event: Invalid input: expected object, received null' },
  },
  {
    entry: 'config-event',
    name: 'empty object',
    input: {},
    expected: {
      error:
        'Invalid Config rule event: event.invokingEvent: Invalid input: expected string, received undefined; event.resultToken: Invalid input: expected string, received undefined; event.configRuleName: Invalid input: expected string, received undefined; event.accountId: Invalid input: expected string, received undefined',
    },
  },
  {
    entry: 'config-event',
    name: 'invokingEvent is not JSON',
    input: { ...changeEvent(), invokingEvent: '{"messageType":' },
    expected: { error: 'Invalid Config rule event: invokingEvent is not valid JSON: {"messageType":' },
  },
  {
    entry: 'config-event',
    name: 'invokingEvent is a JSON array',
    input: { ...changeEvent(), invokingEvent: '[1,2]' },
    expected: { error: 'Invalid Config rule event: invokingEvent must be a JSON object, got [1,2]' },
  },
  {
    entry: 'config-event',
    name: 'unknown messageType',
    input: { ...changeEvent(), invokingEvent: JSON.stringify({ messageType: 'SomethingElse' }) },
    expected: {
      error:
        'Invalid Config rule event: invokingEvent.messageType="SomethingElse" is not one of ConfigurationItemChangeNotification, OversizedConfigurationItemChangeNotification, ScheduledNotification',
    },
  },
  {
    entry: 'config-event',
    name: 'ruleParameters is not JSON',
    input: changeEvent(instanceItem(), { ruleParameters: '{blockedPorts: 22}' }),
    expected: { error: 'Invalid Config rule event: ruleParameters is not valid JSON: {blockedPorts: 22}' },
  },
  {
    entry: 'config-event',
    name: 'accountId is not 12 digits',
    input: changeEvent(instanceItem(), { accountId: '1234' }),
    expected: { error: 'Invalid Config rule event: event.accountId: must be a 12-digit account id' },
  },
  {
    entry: 'config-event',
    name: 'resultToken missing',
    input: withoutKey(changeEvent(), 'resultToken'),
    expected: {
      error:
        'Invalid Config rule event: event.resultToken: Invalid input: expected string, received undefined',
    },
  },
  {
    entry: 'config-event',
    name: 'configurationItem missing',
    input: {
      ...changeEvent(),
      invokingEvent: JSON.stringify({ messageType: 'ConfigurationItemChangeNotification' }),
    },
    expected: {
      error:
        'Invalid Config rule event: invokingEvent.configurationItem: Invalid input: expected nonoptional, received undefined',
    },
  },
  {
    entry: 'config-event',
    name: 'configurationItem without resourceType',
    input: changeEvent(withoutKey(instanceItem(), 'resourceType')),
    expected: {
      error:
        'Invalid configuration item: invokingEvent.configurationItem.resourceType: Invalid input: expected string, received undefined',
    },
  },
  {
    entry: 'config-event',
    name: 'configurationItemCaptureTime is not a time',
    rule: 'required-tags',
    input: changeEvent(instanceItem({ configurationItemCaptureTime: 'yesterday' })),
    expected: {
      verdict: 'NON_COMPLIANT',
      annotation:
        'cannot evaluate: Invalid configuration item: invokingEvent.configurationItem.configurationItemCaptureTime: must be an ISO 8601 timestamp (got "yesterday")',
    },
  },
  {
    entry: 'config-event',
    name: 'unknown configurationItemStatus',
    rule: 'required-tags',
    input: changeEvent(instanceItem({ configurationItemStatus: 'Exploded' })),
    expected: {
      verdict: 'NON_COMPLIANT',
      annotation:
        'cannot evaluate: Invalid configuration item: invokingEvent.configurationItem.configurationItemStatus: Invalid option: expected one of "OK"|"ResourceDiscovered"|"ResourceNotRecorded"|"ResourceDeleted"|"ResourceDeletedNotRecorded" (got "Exploded")',
    },
  },
  {
    entry: 'config-event',
    name: 'configuration is a string that is not JSON',
    input: changeEvent({ ...securityGroupItem({}, {}), configuration: '{not json' }),
    expected: {
      verdict: 'NON_COMPLIANT',
      annotation:
        'cannot evaluate: Invalid invokingEvent.configurationItem.configuration: not valid JSON: "{not json"',
    },
  },
  {
    entry: 'config-event',
    name: 'tags is a number',
    rule: 'required-tags',
    input: changeEvent(instanceItem({ tags: 42 })),
    expected: {
      verdict: 'NON_COMPLIANT',
      annotation:
        'cannot evaluate: Invalid configuration item: invokingEvent.configurationItem.tags: Invalid input (got 42)',
    },
  },
  {
    entry: 'config-event',
    name: 'a resource type the rule does not evaluate',
    input: changeEvent(instanceItem()),
    expected: {
      verdict: 'NOT_APPLICABLE',
      annotation: 'AWS::EC2::Instance is not evaluated by security-group',
    },
  },
  {
    entry: 'config-event',
    name: 'a deleted security group without configuration',
    input: changeEvent({
      ...securityGroupItem({}, {}),
      configurationItemStatus: 'ResourceDeleted',
      configuration: null,
    }),
    expected: { verdict: 'NOT_APPLICABLE', annotation: 'resource status is ResourceDeleted' },
  },
  {
    entry: 'config-event',
    name: 'a security group whose configuration is null',
    input: changeEvent({ ...securityGroupItem({}, {}), configuration: null }),
    expected: {
      verdict: 'NON_COMPLIANT',
      annotation:
        'cannot evaluate: Invalid security group configuration: sg-0123456789abcdef0.configuration: Invalid input: expected object, received null',
    },
  },
  {
    entry: 'config-event',
    name: 'a security group whose ipPermissions is not a list',
    input: sgItem({ ipPermissions: 'tcp 22' }),
    expected: {
      verdict: 'NON_COMPLIANT',
      annotation:
        'cannot evaluate: Invalid security group configuration: sg-0123456789abcdef0.configuration.ipPermissions: Invalid input: expected array, received string',
    },
  },
  {
    entry: 'config-event',
    name: 'a security group rule with a port that is not a number',
    input: sgItem({
      ipPermissions: [
        { ipProtocol: 'tcp', fromPort: 'ssh', toPort: 22, ipv4Ranges: [{ cidrIp: '0.0.0.0/0' }] },
      ],
    }),
    expected: {
      verdict: 'NON_COMPLIANT',
      annotation: 'cannot judge ingress rule ipPermissions[0].fromPort "ssh" is not a tcp port (0 to 65535)',
    },
  },
  {
    entry: 'config-event',
    name: 'a security group rule with a CIDR that is not one',
    input: sgItem({
      ipPermissions: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipv4Ranges: [{ cidrIp: 'everyone' }] }],
    }),
    expected: {
      verdict: 'NON_COMPLIANT',
      annotation:
        'cannot judge ingress rule ipPermissions[0].ipv4Ranges[0].cidrIp "everyone" is not a CIDR block',
    },
  },
  {
    entry: 'config-event',
    name: 'a security group rule whose protocol is "6.0"',
    input: sgItem({
      ipPermissions: [{ ipProtocol: '6.0', fromPort: 22, toPort: 22, ipRanges: ['0.0.0.0/0'] }],
    }),
    expected: {
      verdict: 'NON_COMPLIANT',
      annotation:
        'cannot judge ingress rule ipPermissions[0].ipProtocol "6.0" is not tcp, udp, icmp, icmpv6, -1 (all traffic) or a protocol number 0-255',
    },
  },
  {
    entry: 'config-event',
    name: 'a security group rule whose ports run backwards (3389 to 22)',
    input: sgItem({
      ipPermissions: [{ ipProtocol: 'tcp', fromPort: 3389, toPort: 22, ipRanges: ['0.0.0.0/0'] }],
    }),
    expected: {
      verdict: 'NON_COMPLIANT',
      annotation: 'cannot judge ingress rule ipPermissions[0].fromPort 3389 is above toPort 22',
    },
  },
  {
    entry: 'config-event',
    name: 'a bucket whose ACL is not parseable',
    rule: 'public-bucket',
    input: changeEvent({ ...eventItem(), supplementaryConfiguration: { AccessControlList: '{broken' } }),
    expected: {
      verdict: 'NON_COMPLIANT',
      annotation:
        'cannot tell whether public: supplementaryConfiguration.AccessControlList: (root): Invalid input: expected object, received string',
    },
  },
  {
    entry: 'config-event',
    name: 'a bucket policy that is not JSON',
    rule: 'public-bucket',
    input: changeEvent({
      ...eventItem(),
      supplementaryConfiguration: {
        ...(eventItem().supplementaryConfiguration as Json),
        BucketPolicy: { policyText: '{"Statement": [' },
      },
    }),
    expected: {
      verdict: 'NON_COMPLIANT',
      annotation: 'cannot tell whether public: bucket policy: not valid JSON (Unexpected end of JSON input)',
    },
  },
  {
    entry: 'config-event',
    name: 'oversized summary without resourceId',
    input: oversizedEvent({ resourceId: undefined }),
    expected: {
      error:
        'Invalid Config rule event: invokingEvent.configurationItemSummary.resourceId: Invalid input: expected string, received undefined',
    },
  },
  {
    entry: 'config-event',
    name: 'periodic without notificationCreationTime',
    input: {
      ...periodicEvent(),
      invokingEvent: JSON.stringify({ messageType: 'ScheduledNotification', awsAccountId: '123456789012' }),
    },
    expected: {
      error:
        'Invalid Config rule event: invokingEvent.notificationCreationTime: Invalid input: expected string, received undefined',
    },
  },
  {
    entry: 'config-event',
    name: 'ExecutionRoleName is the Config service-linked role',
    input: changeEvent(securityGroupItem(), {
      ruleParameters: { ExecutionRoleName: 'AWSServiceRoleForConfig' },
    }),
    expected: {
      error:
        'Invalid rule parameter ExecutionRoleName="AWSServiceRoleForConfig": a service-linked role (such as AWSServiceRoleForConfig) cannot be assumed; name the Plumbline execution role',
    },
  },
  {
    entry: 'config-event',
    name: 'a bad rule parameter inside the event',
    input: changeEvent(securityGroupItem(), { ruleParameters: { blockedPorts: '22,ssh' } }),
    expected: {
      error:
        'Invalid rule parameter blockedPorts="22,ssh": "ssh" is not a port or a range (ports 0-65535, TCP unless prefixed: 22, 1024-2048, udp:161)',
    },
  },
];

const sgCloudTrail: CorpusEntry[] = [
  {
    entry: 'sg-cloudtrail',
    name: 'not an object',
    input: [],
    expected: { error: 'Invalid CloudTrail event: event: Invalid input: expected object, received array' },
  },
  {
    entry: 'sg-cloudtrail',
    name: 'wrong detail-type',
    input: { ...sgEvent(), 'detail-type': 'Object Created' },
    expected: {
      error:
        'Invalid CloudTrail event: event.detail-type: Invalid input: expected "AWS API Call via CloudTrail"',
    },
  },
  {
    entry: 'sg-cloudtrail',
    name: 'detail missing',
    input: withoutKey(sgEvent(), 'detail'),
    expected: {
      error: 'Invalid CloudTrail event: event.detail: Invalid input: expected object, received undefined',
    },
  },
  {
    entry: 'sg-cloudtrail',
    name: 'userIdentity missing',
    input: withDetail(sgEvent(), { userIdentity: undefined }),
    expected: {
      error:
        'Invalid CloudTrail event: event.detail.userIdentity: Invalid input: expected object, received undefined',
    },
  },
  {
    entry: 'sg-cloudtrail',
    name: 'eventName is a number',
    input: sgDetail({ eventName: 7 }),
    expected: {
      error:
        'Invalid CloudTrail event: event.detail.eventName: Invalid input: expected string, received number',
    },
  },
  {
    entry: 'sg-cloudtrail',
    name: 'requestParameters is a string',
    input: sgDetail({ requestParameters: 'groupId=sg-1' }),
    expected: {
      error:
        'Invalid CloudTrail event: event.detail.requestParameters: Invalid input: expected record, received string',
    },
  },
  {
    entry: 'sg-cloudtrail',
    name: 'requestParameters names no group',
    input: sgDetail({ requestParameters: { ipPermissions: { items: [] } }, responseElements: null }),
    expected: {
      error:
        'Invalid AuthorizeSecurityGroupIngress event 6f4ab2e0-1c6d-4a53-9a57-0c2b9d1e8a01: requestParameters names no security group (groupId, groupName or securityGroupRuleIds)',
    },
  },
  {
    entry: 'sg-cloudtrail',
    name: 'ipPermissions items is not a list',
    input: sgDetail({
      requestParameters: { groupId: 'sg-0123456789abcdef0', ipPermissions: { items: 'all' } },
    }),
    expected: {
      error:
        'Invalid AuthorizeSecurityGroupIngress event: requestParameters.ipPermissions.items: Invalid input: expected array, received string',
    },
  },
  {
    entry: 'sg-cloudtrail',
    name: 'an S3 event sent to the EC2 responder',
    input: sgDetail({ eventSource: 's3.amazonaws.com', eventName: 'PutBucketAcl' }),
    expected: { error: 'Invalid event: detail.eventSource is s3.amazonaws.com, expected ec2.amazonaws.com' },
  },
  {
    entry: 'sg-cloudtrail',
    name: 'a failed call',
    input: sgDetail({ errorCode: 'Client.UnauthorizedOperation' }),
    expected: {
      status: 'skipped',
      reason: 'the call failed (Client.UnauthorizedOperation) and changed nothing',
    },
  },
  {
    entry: 'sg-cloudtrail',
    name: 'a baseline that does not validate',
    input: sgEvent(),
    settings: {
      baselines: {
        web: { mode: 'enforce', ingress: [{ protocol: 'tcp', fromPort: 70000, cidr: '0.0.0.0/0' }] },
      },
    },
    expected: {
      error:
        'Invalid rule parameter baselines.web.ingress[0].fromPort=70000: expected a whole number from 0 to 65535',
    },
  },
];

const bucketCloudTrail: CorpusEntry[] = [
  {
    entry: 'bucket-cloudtrail',
    name: 'a string',
    input: 'PutBucketAcl',
    expected: { error: 'Invalid CloudTrail event: event: Invalid input: expected object, received string' },
  },
  {
    entry: 'bucket-cloudtrail',
    name: 'an EC2 event sent to the S3 responder',
    input: sgEvent(),
    expected: { error: 'Invalid event: detail.eventSource is ec2.amazonaws.com, expected s3.amazonaws.com' },
  },
  {
    entry: 'bucket-cloudtrail',
    name: 'PutBucketAcl without bucketName',
    input: s3Event({ eventName: 'PutBucketAcl', requestParameters: { acl: '' } }),
    expected: {
      error:
        'Invalid PutBucketAcl event: detail.requestParameters.bucketName: Invalid input: expected string, received undefined',
    },
  },
  {
    entry: 'bucket-cloudtrail',
    name: 'bucketName is a number',
    input: s3Event({ eventName: 'PutBucketPolicy', requestParameters: { bucketName: 12 } }),
    expected: {
      error:
        'Invalid PutBucketPolicy event: detail.requestParameters.bucketName: Invalid input: expected string, received number',
    },
  },
  {
    entry: 'bucket-cloudtrail',
    name: 'eventTime missing',
    input: {
      ...putBucketAclCanned('public-read'),
      detail: withoutKey(putBucketAclCanned('public-read').detail as Json, 'eventTime'),
    },
    expected: {
      error:
        'Invalid CloudTrail event: event.detail.eventTime: Invalid input: expected string, received undefined',
    },
  },
  {
    entry: 'bucket-cloudtrail',
    name: 'an event it does not handle',
    input: s3Event({ eventName: 'PutObject', requestParameters: { bucketName: 'b', key: 'k' } }),
    expected: { status: 'skipped', reason: 'PutObject is not handled' },
  },
  {
    entry: 'bucket-cloudtrail',
    name: 'a policy that is not JSON in the request',
    input: putBucketPolicy({ Statement: '[' }),
    expected: { status: 'not-public' },
  },
  {
    entry: 'bucket-cloudtrail',
    name: 'CreateBucket with an unknown canned ACL',
    input: createBucket('world-writable'),
    expected: { status: 'not-public' },
  },
];

const complianceChanges: CorpusEntry[] = [
  {
    entry: 'compliance-change',
    name: 'a number',
    input: 42,
    expected: {
      error: 'Invalid Config compliance change event: event: Invalid input: expected object, received number',
    },
  },
  {
    entry: 'compliance-change',
    name: 'wrong source',
    input: { ...complianceChange(), source: 'aws.ec2' },
    expected: {
      error: 'Invalid Config compliance change event: event.source: Invalid input: expected "aws.config"',
    },
  },
  {
    entry: 'compliance-change',
    name: 'id missing',
    input: withoutKey(complianceChange(), 'id'),
    expected: {
      error:
        'Invalid Config compliance change event: event.id: Invalid input: expected string, received undefined',
    },
  },
  {
    entry: 'compliance-change',
    name: 'awsAccountId not 12 digits',
    input: complianceDetail({ awsAccountId: 'me' }),
    expected: {
      error:
        'Invalid Config compliance change event: event.detail.awsAccountId: must be a 12-digit account id',
    },
  },
  {
    entry: 'compliance-change',
    name: 'awsRegion not a region',
    input: complianceDetail({ awsRegion: 'moon-1' }),
    expected: {
      error:
        'Invalid Config compliance change event: event.detail.awsRegion: must be an AWS Region such as us-east-1',
    },
  },
  {
    entry: 'compliance-change',
    name: 'complianceType unknown',
    input: complianceDetail({
      newEvaluationResult: {
        ...((complianceChange().detail as Json).newEvaluationResult as Json),
        complianceType: 'MOSTLY_FINE',
      },
    }),
    expected: {
      error:
        'Invalid Config compliance change event: event.detail.newEvaluationResult.complianceType: Invalid option: expected one of "COMPLIANT"|"NON_COMPLIANT"|"NOT_APPLICABLE"|"INSUFFICIENT_DATA"',
    },
  },
  {
    entry: 'compliance-change',
    name: 'orderingTimestamp not a time',
    input: complianceDetail({
      newEvaluationResult: {
        ...((complianceChange().detail as Json).newEvaluationResult as Json),
        evaluationResultIdentifier: { orderingTimestamp: 'soon' },
      },
    }),
    expected: {
      error:
        'Invalid Config compliance change event: event.detail.newEvaluationResult.evaluationResultIdentifier.orderingTimestamp: must be an ISO 8601 timestamp',
    },
  },
  {
    entry: 'compliance-change',
    name: 'newEvaluationResult missing',
    input: complianceDetail({ newEvaluationResult: undefined }),
    expected: {
      error:
        'Invalid Config compliance change event: event.detail.newEvaluationResult: Invalid input: expected object, received undefined',
    },
  },
  {
    entry: 'compliance-change',
    name: 'a rule that is not Plumbline’s',
    input: complianceDetail({ configRuleName: 's3-bucket-public-read-prohibited' }),
    expected: {
      status: 'skipped',
      reason: 'rule s3-bucket-public-read-prohibited does not start with plumbline-',
    },
  },
];

const ruleParameters: CorpusEntry[] = [
  {
    entry: 'rule-parameters',
    name: 'security-group blockedPorts with a word',
    rule: 'security-group',
    input: { blockedPorts: '22,ssh' },
    expected: {
      error:
        'Invalid rule parameter blockedPorts="22,ssh": "ssh" is not a port or a range (ports 0-65535, TCP unless prefixed: 22, 1024-2048, udp:161)',
    },
  },
  {
    entry: 'rule-parameters',
    name: 'security-group blockedPorts out of range',
    rule: 'security-group',
    input: { blockedPorts: '70000' },
    expected: { error: 'Invalid rule parameter blockedPorts="70000": port 70000 in "70000" is above 65535' },
  },
  {
    entry: 'rule-parameters',
    name: 'security-group blockedPorts reversed range',
    rule: 'security-group',
    input: { blockedPorts: '3389-22' },
    expected: {
      error:
        'Invalid rule parameter blockedPorts="3389-22": range "3389-22" runs backwards; write it as 22-3389',
    },
  },
  {
    entry: 'rule-parameters',
    name: 'security-group unknown parameter',
    rule: 'security-group',
    input: { blockedPort: '22' },
    expected: {
      error:
        'Invalid rule parameter blockedPort="22": unknown parameter for security-group (known: blockedPorts, blockedPort1, blockedPort2, blockedPort3, blockedPort4, blockedPort5, authorizedTcpPorts, authorizedUdpPorts, maxOpenPrefixIpv4, maxOpenPrefixIpv6)',
    },
  },
  {
    entry: 'rule-parameters',
    name: 'security-group parameter that is an object',
    rule: 'security-group',
    input: { blockedPorts: { port: 22 } },
    expected: { error: 'Invalid rule parameter blockedPorts={"port":22}: expected a string' },
  },
  {
    entry: 'rule-parameters',
    name: 'required-tags tag1Value without tag1Key',
    rule: 'required-tags',
    input: { tag1Value: 'a' },
    expected: { error: 'Invalid rule parameter tag1Value="a": given without tag1Key' },
  },
  {
    entry: 'rule-parameters',
    name: 'required-tags a key of 200 characters',
    rule: 'required-tags',
    input: { tag1Key: 'k'.repeat(200) },
    expected: {
      error:
        'Invalid rule parameter tag1Key="kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...: tag keys are at most 128 characters',
    },
  },
  {
    entry: 'rule-parameters',
    name: 'required-tags tagPolicy is a list',
    rule: 'required-tags',
    input: {},
    settings: { tagPolicy: ['Owner'] },
    expected: {
      error: 'Invalid rule parameter tagPolicy=["Owner"]: Invalid input: expected object, received array',
    },
  },
  {
    entry: 'rule-parameters',
    name: 'required-tags tagPolicy.resourceTypes with a bad type',
    rule: 'required-tags',
    input: {},
    settings: { tagPolicy: { resourceTypes: ['EC2 Instance'] } },
    expected: {
      error:
        'Invalid rule parameter tagPolicy.resourceTypes[0]="EC2 Instance": expected a resource type such as AWS::EC2::Instance',
    },
  },
  {
    entry: 'rule-parameters',
    name: 'public-bucket unknown parameter',
    rule: 'public-bucket',
    input: { excludeBucket: 'logs' },
    expected: {
      error:
        'Invalid rule parameter excludeBucket="logs": unknown parameter (known: excludedPublicBuckets, publicAccess, accountLevelBlocks)',
    },
  },
  {
    entry: 'rule-parameters',
    name: 'public-bucket bad exclusion pattern',
    rule: 'public-bucket',
    input: { excludedPublicBuckets: 'UPPER_CASE!' },
    expected: {
      error:
        'Invalid rule parameter excludedPublicBuckets="UPPER_CASE!": "UPPER_CASE!" is not an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens; no wildcards)',
    },
  },
  {
    entry: 'rule-parameters',
    name: 'public-bucket publicAccess unknown',
    rule: 'public-bucket',
    input: { publicAccess: 'sometimes' },
    expected: { error: 'Invalid rule parameter publicAccess="sometimes": expected one of read, write, any' },
  },
];

const baselines: CorpusEntry[] = [
  {
    entry: 'baselines',
    name: 'baselines is a list',
    input: [],
    expected: { error: 'Invalid rule parameter baselines=[]: expected a map of baseline name → baseline' },
  },
  {
    entry: 'baselines',
    name: 'a baseline that is a string',
    input: { web: 'open' },
    expected: {
      error: 'Invalid rule parameter baselines.web="open": expected { mode, match, ingress, egress }',
    },
  },
  {
    entry: 'baselines',
    name: 'mode unknown',
    input: { web: { mode: 'maybe', ingress: [{ protocol: 'tcp', fromPort: 443, cidr: '0.0.0.0/0' }] } },
    expected: { error: 'Invalid rule parameter baselines.web.mode="maybe": expected enforce or report' },
  },
  {
    entry: 'baselines',
    name: 'ingress not a list',
    input: { web: { mode: 'enforce', ingress: { protocol: 'tcp' } } },
    expected: {
      error: 'Invalid rule parameter baselines.web.ingress={"protocol":"tcp"}: expected a list of rules',
    },
  },
  {
    entry: 'baselines',
    name: 'port out of range',
    input: { web: { mode: 'enforce', ingress: [{ protocol: 'tcp', fromPort: 70000, cidr: '0.0.0.0/0' }] } },
    expected: {
      error:
        'Invalid rule parameter baselines.web.ingress[0].fromPort=70000: expected a whole number from 0 to 65535',
    },
  },
  {
    entry: 'baselines',
    name: 'toPort below fromPort',
    input: {
      web: { mode: 'enforce', ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 80, cidr: '0.0.0.0/0' }] },
    },
    expected: {
      error: 'Invalid rule parameter baselines.web.ingress[0].toPort=80: must not be below fromPort (443)',
    },
  },
  {
    entry: 'baselines',
    name: 'CIDR that is not one',
    input: { web: { mode: 'enforce', ingress: [{ protocol: 'tcp', fromPort: 443, cidr: '10.0.0.0/33' }] } },
    expected: {
      error: 'Invalid rule parameter baselines.web.ingress[0].cidr="10.0.0.0/33": not an IPv4 CIDR block',
    },
  },
  {
    entry: 'baselines',
    name: 'two peers in one rule',
    input: {
      web: {
        mode: 'enforce',
        ingress: [{ protocol: 'tcp', fromPort: 443, cidr: '0.0.0.0/0', groupId: 'sg-0123456789abcdef0' }],
      },
    },
    expected: {
      error:
        'Invalid rule parameter baselines.web.ingress[0]={"protocol":"tcp","fromPort":443,"cidr":"0.0.0.0/0","groupId":"sg-0123456789abcdef0"}: one peer per rule, found cidr and groupId: write one rule for each',
    },
  },
  {
    entry: 'baselines',
    name: 'group id that is not one',
    input: { web: { mode: 'enforce', ingress: [{ protocol: 'tcp', fromPort: 443, groupId: 'web' }] } },
    expected: {
      error:
        'Invalid rule parameter baselines.web.ingress[0].groupId="web": expected a security group id (sg-...)',
    },
  },
  {
    entry: 'baselines',
    name: 'unknown protocol',
    input: { web: { mode: 'enforce', ingress: [{ protocol: 'tpc', fromPort: 443, cidr: '0.0.0.0/0' }] } },
    expected: {
      error:
        'Invalid rule parameter baselines.web.ingress[0].protocol="tpc": expected tcp, udp, icmp, icmpv6, -1 (all traffic) or a protocol number 0-255',
    },
  },
  {
    entry: 'baselines',
    name: 'unknown key in a rule',
    input: { web: { mode: 'enforce', ingress: [{ protocol: 'tcp', port: 443, cidr: '0.0.0.0/0' }] } },
    expected: {
      error:
        'Invalid rule parameter baselines.web.ingress[0].port=443: unknown field (expected one of: protocol, fromPort, toPort, cidr, cidrIpv6, prefixListId, groupId, groupOwnerId, description)',
    },
  },
];

const configFiles: CorpusEntry[] = [
  {
    entry: 'config-file',
    name: 'a YAML alias bomb',
    file: 'bomb.yaml',
    input: ALIAS_BOMB,
    expected: {
      error:
        "bomb.yaml: not valid YAML: its aliases expand too far (Excessive alias count indicates a resource exhaustion attack; the yaml library's maxAliasCount is 100); refused",
    },
  },
  {
    entry: 'config-file',
    name: 'YAML that does not parse',
    file: 'broken.yaml',
    input: 'rules:\n  security-group:\n blockedPorts: "22"\n',
    expected: {
      error:
        'broken.yaml: not valid YAML: All mapping items must start at the same column at line 2, column 18',
    },
  },
  {
    entry: 'config-file',
    name: 'YAML with a duplicate key',
    file: 'dup.yaml',
    input: 'rules: {}\nrules: {}\n',
    expected: { error: 'dup.yaml: not valid YAML: Map keys must be unique at line 2, column 1' },
  },
  {
    entry: 'config-file',
    name: 'a YAML list',
    file: 'list.yaml',
    input: '- rules\n',
    expected: { error: 'list.yaml: expected a mapping with a "rules" key, got ["rules"]' },
  },
  {
    entry: 'config-file',
    name: 'JSON that does not parse',
    file: 'broken.json',
    input: '{"rules": ',
    expected: { error: 'broken.json: not valid JSON: Unexpected end of JSON input' },
  },
  {
    entry: 'config-file',
    name: 'an unknown rule',
    file: 'unknown.yaml',
    input: 'rules:\n  open-ports: {}\n',
    expected: {
      error: `unknown.yaml: rules.open-ports: unknown rule (known: ${RULES.map((rule) => rule.name).join(', ')})`,
    },
  },
  {
    entry: 'config-file',
    name: 'a misspelt top-level key',
    file: 'typo.yaml',
    input: 'rules: {}\ntagPolicyy:\n  required: [Owner]\n',
    expected: {
      error:
        'typo.yaml: tagPolicyy: unknown top-level key (allowed: rules, baselines, tagPolicy, responders)',
    },
  },
  {
    entry: 'config-file',
    name: 'two unknown top-level keys',
    file: 'baseline.json',
    input: '{"baseline": {"web": {}}, "rulez": {}}',
    expected: {
      error:
        'baseline.json: baseline, rulez: unknown top-level keys (allowed: rules, baselines, tagPolicy, responders)',
    },
  },
  {
    entry: 'config-file',
    name: 'a rule parameter that is a list',
    file: 'list-param.yaml',
    input: 'rules:\n  security-group:\n    blockedPorts: [22, 3389]\n',
    expected: { error: 'list-param.yaml: rules.security-group.blockedPorts: Invalid input' },
  },
  {
    entry: 'config-file',
    name: 'a bad blockedPorts',
    file: 'ports.yaml',
    input: 'rules:\n  security-group:\n    blockedPorts: "22,telnet"\n',
    expected: {
      error:
        'Invalid rule parameter blockedPorts="22,telnet": "telnet" is not a port or a range (ports 0-65535, TCP unless prefixed: 22, 1024-2048, udp:161)',
    },
  },
  {
    entry: 'config-file',
    name: 'an unknown responder setting',
    file: 'responder.yaml',
    input: 'responders:\n  sg-drift-revert:\n    mode: enforce\n',
    expected: {
      error:
        'Invalid rule parameter responders.sg-drift-revert.mode="enforce": unknown setting (known: blockedPortsMode, selfRoleArns)',
    },
  },
  {
    entry: 'config-file',
    name: 'an unknown public-bucket-remediate mode',
    file: 'mode.yaml',
    input: 'responders:\n  public-bucket-remediate:\n    mode: nuke\n',
    expected: {
      error:
        'Invalid rule parameter responders.public-bucket-remediate.mode="nuke": expected enforce or report',
    },
  },
  {
    entry: 'config-file',
    name: 'responders is a string',
    file: 'responders.yaml',
    input: 'responders: all\n',
    expected: {
      error: 'Invalid rule parameter responders="all": expected a map of responder name → settings',
    },
  },
  {
    entry: 'config-file',
    name: 'a bad baseline in the file',
    file: 'baseline.yaml',
    input:
      'baselines:\n  web:\n    mode: enforce\n    ingress:\n      - { protocol: tcp, fromPort: 443, cidr: "0.0.0.0/0", groupId: sg-1 }\n',
    expected: {
      error:
        'Invalid rule parameter baselines.web.ingress[0]={"protocol":"tcp","fromPort":443,"cidr":"0.0.0.0/0","groupId":"sg-1"}: one peer per rule, found cidr and groupId: write one rule for each',
    },
  },
];

const snapshotFiles: CorpusEntry[] = [
  {
    entry: 'snapshot-file',
    name: 'an empty file',
    file: 'empty.json',
    input: '',
    expected: { error: 'empty.json: the file is empty' },
  },
  {
    entry: 'snapshot-file',
    name: 'not JSON',
    file: 'text.json',
    input: 'configurationItems: []',
    expected: {
      error: 'text.json: not valid JSON: Unexpected token \'c\', "configurat"... is not valid JSON',
    },
  },
  {
    entry: 'snapshot-file',
    name: 'a JSON number',
    file: 'number.json',
    input: '42',
    expected: {
      error: 'number.json: expected a JSON object with configurationItems, baseConfigurationItems or Results',
    },
  },
  {
    entry: 'snapshot-file',
    name: 'no item array',
    file: 'object.json',
    input: '{"fileVersion": "1.0"}',
    expected: {
      error: 'object.json: expected a JSON object with configurationItems, baseConfigurationItems or Results',
    },
  },
  {
    entry: 'snapshot-file',
    name: 'configurationItems is an object',
    file: 'items-object.json',
    input: '{"configurationItems": {}}',
    expected: {
      error: 'items-object.json: configurationItems: Invalid input: expected array, received object',
    },
  },
  {
    entry: 'snapshot-file',
    name: 'an item without resourceId',
    file: 'no-id.json',
    input: JSON.stringify({ configurationItems: [withoutKey(instanceItem(), 'resourceId')] }),
    expected: {
      error:
        'no-id.json: Invalid configuration item: configurationItems[0].resourceId: Invalid input: expected string, received undefined',
    },
  },
  {
    entry: 'snapshot-file',
    name: 'an item with a bad capture time',
    file: 'bad-time.json',
    input: JSON.stringify({ configurationItems: [instanceItem({ configurationItemCaptureTime: 'never' })] }),
    expected: {
      verdict: 'NON_COMPLIANT',
      annotation:
        'cannot evaluate: Invalid configuration item: configurationItems[0].configurationItemCaptureTime: must be an ISO 8601 timestamp (got "never")',
    },
  },
  {
    entry: 'snapshot-file',
    name: 'an item with an epoch capture time out of range',
    file: 'far-time.json',
    input: JSON.stringify({ configurationItems: [instanceItem({ configurationItemCaptureTime: 1e16 })] }),
    expected: {
      verdict: 'NON_COMPLIANT',
      annotation:
        'cannot evaluate: Invalid configuration item: configurationItems[0].configurationItemCaptureTime: must be a time in seconds or milliseconds since 1970 (got 10000000000000000)',
    },
  },
  {
    entry: 'snapshot-file',
    name: 'select-resource-config output of a query that selected too little',
    file: 'select.json',
    input: JSON.stringify({
      Results: [JSON.stringify({ resourceId: 'i-1', configuration: {} })],
      QueryInfo: { SelectFields: [{ Name: 'resourceId' }, { Name: 'configuration' }] },
    }),
    expected: {
      error:
        'select.json: Results: the query did not select resourceType, accountId, awsRegion, configurationItemCaptureTime, configurationItemStatus, supplementaryConfiguration, tags',
    },
  },
  {
    entry: 'snapshot-file',
    name: 'a gzip header and nothing more',
    file: 'header.json.gz',
    input: Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02, 0x03]),
    expected: {
      error: 'header.json.gz: truncated gzip file (unexpected end of file): it ends early; download it again',
    },
  },
  {
    entry: 'snapshot-file',
    name: 'a corrupt gzip file',
    file: 'corrupt.json.gz',
    input: corruptGzip(),
    expected: { error: 'corrupt.json.gz: corrupt gzip file (invalid ' },
  },
  {
    entry: 'snapshot-file',
    name: 'a gzip file cut short',
    file: 'cut.json.gz',
    input: gzipSync(JSON.stringify({ configurationItems: [instanceItem()] })).subarray(0, 30),
    expected: {
      error: 'cut.json.gz: truncated gzip file (unexpected end of file): it ends early; download it again',
    },
  },
  {
    entry: 'snapshot-file',
    name: 'an item that is a string',
    file: 'string-item.json',
    input: '{"configurationItems": ["i-1"]}',
    expected: {
      error:
        'string-item.json: Invalid configuration item: configurationItems[0]: Invalid input: expected object, received string',
    },
  },
];

export const CORPUS: readonly CorpusEntry[] = [
  ...configEvents,
  ...sgCloudTrail,
  ...bucketCloudTrail,
  ...complianceChanges,
  ...ruleParameters,
  ...baselines,
  ...configFiles,
  ...snapshotFiles,
];
