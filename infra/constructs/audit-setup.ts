/**
 * Optional account plumbing for accounts that have none: AWS Config's recorder and delivery channel, and a
 * CloudTrail trail (without one, EventBridge never sees "AWS API Call via CloudTrail" events). The buckets
 * follow AWS's own CloudFormation pattern for Config delivery: TLS only, no public access, server access
 * logs, a lifecycle, and a bucket policy that lets only the service, on behalf of this account, write.
 */
import { Duration, type IResolvable, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as config from 'aws-cdk-lib/aws-config';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, type IDependable } from 'constructs';

function privateBucket(scope: Construct, id: string, retentionDays: number, accessLogs?: s3.IBucket) {
  return new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    serverAccessLogsBucket: accessLogs,
    serverAccessLogsPrefix: accessLogs ? `${id.toLowerCase()}/` : undefined,
    lifecycleRules: [
      { expiration: Duration.days(retentionDays), abortIncompleteMultipartUploadAfter: Duration.days(7) },
    ],
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

/** Where the other buckets' server access logs go. */
export class AccessLogsBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: { retentionDays: number }) {
    super(scope, id);
    this.bucket = privateBucket(this, 'Bucket', props.retentionDays);
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the server access log bucket of the Config and CloudTrail buckets; logging its own access would log every log delivery, without end',
    });
  }
}

/** What the recorder records and how often (the settings `configRecording*`). */
export interface RecordingSettings {
  /** `CONTINUOUS` (every change) or `DAILY` (periodic recording: one item a day per changed resource). */
  frequency: 'CONTINUOUS' | 'DAILY';
  /** Only these types; empty: every supported type. */
  resourceTypes: readonly string[];
  /** Every supported type but these (with an empty `resourceTypes`). */
  excludedResourceTypes: readonly string[];
}

export const DEFAULT_RECORDING: RecordingSettings = {
  frequency: 'CONTINUOUS',
  resourceTypes: [],
  excludedResourceTypes: [],
};

export interface ConfigRecorderProps {
  retentionDays: number;
  accessLogs: s3.IBucket;
  /** Record IAM and other global resources: in one region only, or every region records them again. */
  includeGlobalResourceTypes: boolean | IResolvable;
  recording?: RecordingSettings | undefined;
}

/** The recorder's `RecordingGroup`: all supported types, a list, or all but a list. */
function recordingGroup(
  recording: RecordingSettings,
  includeGlobalResourceTypes: boolean | IResolvable,
): config.CfnConfigurationRecorder.RecordingGroupProperty {
  if (recording.resourceTypes.length > 0) {
    return {
      allSupported: false,
      resourceTypes: [...recording.resourceTypes],
      recordingStrategy: { useOnly: 'INCLUSION_BY_RESOURCE_TYPES' },
    };
  }
  if (recording.excludedResourceTypes.length > 0) {
    return {
      allSupported: false,
      exclusionByResourceTypes: { resourceTypes: [...recording.excludedResourceTypes] },
      recordingStrategy: { useOnly: 'EXCLUSION_BY_RESOURCE_TYPES' },
    };
  }
  return { allSupported: true, includeGlobalResourceTypes };
}

export class ConfigRecorder extends Construct {
  readonly bucket: s3.Bucket;
  readonly role: iam.Role;
  readonly recorder: config.CfnConfigurationRecorder;
  readonly deliveryChannel: config.CfnDeliveryChannel;
  /** What a Config rule must wait for. */
  readonly ready: IDependable[];

  constructor(scope: Construct, id: string, props: ConfigRecorderProps) {
    super(scope, id);
    const account = Stack.of(this).account;
    const recording = props.recording ?? DEFAULT_RECORDING;
    this.bucket = privateBucket(this, 'DeliveryBucket', props.retentionDays, props.accessLogs);
    const deliveryPrefix = this.bucket.arnForObjects(`AWSLogs/${account}/Config/*`);
    const configService = new iam.ServicePrincipal('config.amazonaws.com');
    const fromThisAccount = { StringEquals: { 'AWS:SourceAccount': account } };
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AWSConfigBucketPermissionsCheck',
        principals: [configService],
        actions: ['s3:GetBucketAcl'],
        resources: [this.bucket.bucketArn],
        conditions: fromThisAccount,
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AWSConfigBucketExistenceCheck',
        principals: [configService],
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: fromThisAccount,
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AWSConfigBucketDelivery',
        principals: [configService],
        actions: ['s3:PutObject'],
        resources: [deliveryPrefix],
        conditions: {
          StringEquals: { 'AWS:SourceAccount': account, 's3:x-amz-acl': 'bucket-owner-full-control' },
        },
      }),
    );

    this.role = new iam.Role(this, 'RecorderRole', {
      assumedBy: configService,
      description: 'AWS Config recorder role (Plumbline)',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWS_ConfigRole')],
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetBucketAcl'], resources: [this.bucket.bucketArn] }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [deliveryPrefix] }),
    );
    Validations.of(this.role).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWS_ConfigRole]',
        reason:
          'AWS_ConfigRole is the policy AWS maintains for the configuration recorder: it grants the read calls for every resource type Config records, and follows new types',
      },
      {
        // cdk-nag names the bucket in the finding by its logical id.
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/AWSLogs/<AWS::AccountId>/Config/*]`,
        reason: 'Config writes snapshot and history objects under its own prefix with names it chooses',
      },
    );

    this.recorder = new config.CfnConfigurationRecorder(this, 'Recorder', {
      roleArn: this.role.roleArn,
      recordingGroup: recordingGroup(recording, props.includeGlobalResourceTypes),
      recordingMode: { recordingFrequency: recording.frequency },
    });
    this.deliveryChannel = new config.CfnDeliveryChannel(this, 'DeliveryChannel', {
      s3BucketName: this.bucket.bucketName,
      configSnapshotDeliveryProperties: { deliveryFrequency: 'TwentyFour_Hours' },
    });
    // PutDeliveryChannel needs the configuration recorder to exist (NoAvailableConfigurationRecorder
    // otherwise), and Config checks the bucket policy when the channel is created.
    this.deliveryChannel.addDependency(this.recorder);
    const policy = this.bucket.policy;
    if (policy) this.deliveryChannel.node.addDependency(policy);
    this.ready = [this.recorder, this.deliveryChannel];
  }
}

export interface AuditTrailProps {
  retentionDays: number;
  accessLogs: s3.IBucket;
  /** The `namePrefix` setting: the trail is `<prefix>` (`<prefix>-organization` for an organisation trail). */
  namePrefix: string;
  /** Organisation mode: an organisation trail (from the management or CloudTrail delegated admin account). */
  organization?: { id: string; managementAccountId: string } | undefined;
}

/**
 * A multi-region trail of management events, so that EventBridge receives CloudTrail API calls. The bucket
 * policy is CloudTrail's documented one (AWS CloudTrail User Guide, "Amazon S3 bucket policy for CloudTrail",
 * and for an organisation trail "Create a bucket policy for an organization trail"): the service may check
 * the ACL and write log files only on behalf of this trail (`aws:SourceArn`) of its owner (`aws:SourceAccount`),
 * so that no other account's trail can write here (confused deputy). The management account owns an
 * organisation trail, also one a delegated administrator creates, so its ARN carries that account.
 */
export class AuditTrail extends Construct {
  readonly trail: cloudtrail.CfnTrail;
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.bucket = privateBucket(this, 'TrailBucket', props.retentionDays, props.accessLogs);
    // Named, so that the bucket policy can name the trail before it exists.
    const organization = props.organization;
    const trailName = organization ? `${props.namePrefix}-organization` : props.namePrefix;
    const owner = organization?.managementAccountId ?? stack.account;
    const trailArn = stack.formatArn({
      service: 'cloudtrail',
      account: owner,
      resource: 'trail',
      resourceName: trailName,
    });
    const cloudTrailService = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    const thisTrail = { 'aws:SourceArn': trailArn, 'aws:SourceAccount': owner };
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AWSCloudTrailAclCheck',
        principals: [cloudTrailService],
        actions: ['s3:GetBucketAcl'],
        resources: [this.bucket.bucketArn],
        conditions: { StringEquals: thisTrail },
      }),
    );
    const writePrefixes = [owner, ...(organization ? [organization.id] : [])];
    for (const prefix of writePrefixes) {
      this.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: prefix === organization?.id ? 'AWSCloudTrailOrganizationWrite' : 'AWSCloudTrailWrite',
          principals: [cloudTrailService],
          actions: ['s3:PutObject'],
          resources: [this.bucket.arnForObjects(`AWSLogs/${prefix}/*`)],
          conditions: {
            StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', ...thisTrail },
          },
        }),
      );
    }
    this.trail = new cloudtrail.CfnTrail(this, 'Trail', {
      trailName,
      s3BucketName: this.bucket.bucketName,
      isLogging: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      eventSelectors: [{ includeManagementEvents: true, readWriteType: 'All' }],
      isOrganizationTrail: organization !== undefined,
    });
    // CloudTrail checks the bucket policy when the trail is created.
    const policy = this.bucket.policy;
    if (policy) this.trail.node.addDependency(policy);
  }
}
