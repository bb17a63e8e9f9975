/**
 * Optional account plumbing for accounts that have none: AWS Config's recorder and delivery channel, and a
 * CloudTrail trail (without one, EventBridge never sees "AWS API Call via CloudTrail" events). The buckets
 * follow AWS's own CloudFormation pattern for Config delivery: TLS only, no public access, server access
 * logs, a lifecycle, and a bucket policy that lets only the service, on behalf of this account, write.
 */
import {
  Aws,
  type CfnCondition,
  CfnWaitConditionHandle,
  Duration,
  Fn,
  type IResolvable,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as config from 'aws-cdk-lib/aws-config';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, type IDependable } from 'constructs';

function privateBucket(
  scope: Construct,
  id: string,
  retentionDays: number,
  accessLogs?: s3.IBucket,
  named: { bucketName?: string; encryptionKey?: kms.IKey | undefined } = {},
) {
  return new s3.Bucket(scope, id, {
    bucketName: named.bucketName,
    ...(named.encryptionKey
      ? { encryption: s3.BucketEncryption.KMS, encryptionKey: named.encryptionKey, bucketKeyEnabled: true }
      : { encryption: s3.BucketEncryption.S3_MANAGED }),
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

/** An existing bucket (the `configDeliveryBucket` setting), e.g. the central one of a log-archive account. */
export interface DeliveryBucket {
  bucketName: string;
  /** `configDeliveryKmsKeyArn`: the key Config encrypts the objects with (the bucket's region). */
  kmsKeyArn?: string | undefined;
}

export interface ConfigRecorderProps {
  retentionDays: number;
  /** Where the created delivery bucket's server access logs go (unused with `deliveryBucket`). */
  accessLogs?: s3.IBucket | undefined;
  /** Record IAM and other global resources: in one region only, or every region records them again. */
  includeGlobalResourceTypes: boolean | IResolvable;
  recording?: RecordingSettings | undefined;
  /** Deliver to this existing bucket instead of creating one. */
  deliveryBucket?: DeliveryBucket | undefined;
  /**
   * Create `AWSServiceRoleForConfig` (`createConfigServiceLinkedRole`); otherwise it must exist. With a
   * condition, only where it holds (IAM is global: the home region).
   */
  createServiceLinkedRole?: boolean | undefined;
  serviceLinkedRoleCondition?: CfnCondition | undefined;
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

/** The Config service principal, as the delivery bucket policies name it. */
const CONFIG_SERVICE = 'config.amazonaws.com';

/**
 * The three statements of AWS's documented bucket policy for Config delivery (AWS Config Developer Guide,
 * "Permissions for the Amazon S3 Bucket for the AWS Config Delivery Channel",
 * https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html): the service checks the ACL
 * and the bucket's existence and writes under `AWSLogs/<account>/Config/`, each only on behalf of the
 * accounts `onBehalfOf` admits (`AWS:SourceAccount`, or `aws:SourceOrgID` for a whole organisation), so that
 * no other account's Config can use the bucket (confused deputy).
 */
export function configDeliveryStatements(
  bucket: s3.IBucket,
  deliveryObjects: string,
  onBehalfOf: Record<string, string>,
): iam.PolicyStatement[] {
  const configService = new iam.ServicePrincipal(CONFIG_SERVICE);
  const check = (sid: string, action: string) =>
    new iam.PolicyStatement({
      sid,
      principals: [configService],
      actions: [action],
      resources: [bucket.bucketArn],
      conditions: { StringEquals: onBehalfOf },
    });
  return [
    check('AWSConfigBucketPermissionsCheck', 's3:GetBucketAcl'),
    check('AWSConfigBucketExistenceCheck', 's3:ListBucket'),
    new iam.PolicyStatement({
      sid: 'AWSConfigBucketDelivery',
      principals: [configService],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects(deliveryObjects)],
      conditions: { StringEquals: { ...onBehalfOf, 's3:x-amz-acl': 'bucket-owner-full-control' } },
    }),
  ];
}

/**
 * The recorder's role: AWS Config's service-linked role, which AWS recommends over a custom role (AWS Config
 * Developer Guide, "Using Service-Linked Roles for AWS Config"); AWS maintains its permissions. Delivery
 * to S3 is then by the service principal under the bucket policy, not by the role.
 */
export function configServiceLinkedRoleArn(): string {
  return `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/aws-service-role/${CONFIG_SERVICE}/AWSServiceRoleForConfig`;
}

export class ConfigRecorder extends Construct {
  /** The created delivery bucket (none with `deliveryBucket`). */
  readonly bucket?: s3.Bucket;
  readonly serviceLinkedRole?: iam.CfnServiceLinkedRole;
  readonly recorder: config.CfnConfigurationRecorder;
  readonly deliveryChannel: config.CfnDeliveryChannel;
  /** What a Config rule must wait for. */
  readonly ready: IDependable[];

  constructor(scope: Construct, id: string, props: ConfigRecorderProps) {
    super(scope, id);
    const recording = props.recording ?? DEFAULT_RECORDING;
    let bucketName: string;
    if (props.deliveryBucket) {
      bucketName = props.deliveryBucket.bucketName;
    } else {
      const bucket = privateBucket(this, 'DeliveryBucket', props.retentionDays, props.accessLogs);
      for (const statement of configDeliveryStatements(bucket, `AWSLogs/${Aws.ACCOUNT_ID}/Config/*`, {
        'AWS:SourceAccount': Aws.ACCOUNT_ID,
      })) {
        bucket.addToResourcePolicy(statement);
      }
      this.bucket = bucket;
      bucketName = bucket.bucketName;
    }

    this.recorder = new config.CfnConfigurationRecorder(this, 'Recorder', {
      roleArn: configServiceLinkedRoleArn(),
      recordingGroup: recordingGroup(recording, props.includeGlobalResourceTypes),
      recordingMode: { recordingFrequency: recording.frequency },
    });
    if (props.createServiceLinkedRole) {
      const role = new iam.CfnServiceLinkedRole(this, 'ServiceLinkedRole', {
        awsServiceName: CONFIG_SERVICE,
        description: 'AWS Config service-linked role (created by Plumbline: the account had none)',
      });
      // Kept on uninstall: another Config set-up may use it, and IAM refuses to delete it while one does.
      role.applyRemovalPolicy(RemovalPolicy.RETAIN);
      const condition = props.serviceLinkedRoleCondition;
      if (condition) {
        role.cfnOptions.condition = condition;
        // A DependsOn on a resource its condition may leave out is invalid (cfn-lint E3005): the recorder waits
        // for a handle whose metadata refers to the role only where the role exists.
        const ready = new CfnWaitConditionHandle(this, 'ServiceLinkedRoleReady');
        ready.addMetadata('ServiceLinkedRole', Fn.conditionIf(condition.logicalId, role.ref, ''));
        this.recorder.addResourceDependency(ready);
      } else {
        this.recorder.addResourceDependency(role);
      }
      this.serviceLinkedRole = role;
    }
    this.deliveryChannel = new config.CfnDeliveryChannel(this, 'DeliveryChannel', {
      s3BucketName: bucketName,
      s3KmsKeyArn: props.deliveryBucket?.kmsKeyArn,
      configSnapshotDeliveryProperties: { deliveryFrequency: 'TwentyFour_Hours' },
    });
    // PutDeliveryChannel needs the configuration recorder to exist (NoAvailableConfigurationRecorder
    // otherwise), and Config checks the bucket policy when the channel is created.
    this.deliveryChannel.addResourceDependency(this.recorder);
    const policy = this.bucket?.policy;
    if (policy) this.deliveryChannel.node.addDependency(policy);
    this.ready = [this.recorder, this.deliveryChannel];
  }
}

export interface OrganizationConfigBucketProps {
  bucketName: string;
  /** Encrypt with this KMS key (`configDeliveryKmsKeyArn`); S3-managed keys otherwise. */
  kmsKeyArn?: string | undefined;
  organizationId: string;
  retentionDays: number;
  accessLogs: s3.IBucket;
}

/**
 * The central Config delivery bucket of a log-archive account (AWS's recommended alternative to a bucket per
 * account): the documented policy with `aws:SourceOrgID` (IAM User Guide, "AWS global condition context
 * keys": the organisation of the resource on whose behalf a service principal calls), so that Config of
 * any account of this organisation, and of no other, delivers under `AWSLogs/<its account>/Config/`.
 */
export class OrganizationConfigBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: OrganizationConfigBucketProps) {
    super(scope, id);
    const encryptionKey = props.kmsKeyArn ? kms.Key.fromKeyArn(this, 'Key', props.kmsKeyArn) : undefined;
    this.bucket = privateBucket(this, 'Bucket', props.retentionDays, props.accessLogs, {
      bucketName: props.bucketName,
      encryptionKey,
    });
    for (const statement of configDeliveryStatements(this.bucket, 'AWSLogs/*/Config/*', {
      'aws:SourceOrgID': props.organizationId,
    })) {
      this.bucket.addToResourcePolicy(statement);
    }
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
