/**
 * `plumbline:stacks=log-archive`: the central AWS Config delivery bucket, in the organisation's log-archive
 * account (AWS's recommended alternative to a bucket per account). The member accounts' recorders
 * (`createConfigRecorder` with `configDeliveryBucket`) deliver here. No assets and no bootstrap needed.
 */
import { CliCredentialsStackSynthesizer, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AccessLogsBucket, OrganizationConfigBucket } from '../constructs/audit-setup.ts';

export interface LogArchiveStackProps extends StackProps {
  /** `configDeliveryBucket`: the name the member accounts' delivery channels use. */
  bucketName: string;
  organizationId: string;
  /** `configDeliveryKmsKeyArn`: SSE-KMS with this key (its key policy must let Config use it). */
  kmsKeyArn?: string | undefined;
  retentionDays: number;
}

export class LogArchiveStack extends Stack {
  readonly delivery: OrganizationConfigBucket;

  constructor(scope: Construct, id: string, props: LogArchiveStackProps) {
    super(scope, id, { synthesizer: new CliCredentialsStackSynthesizer(), ...props });
    const accessLogs = new AccessLogsBucket(this, 'AccessLogs', { retentionDays: props.retentionDays });
    this.delivery = new OrganizationConfigBucket(this, 'ConfigDelivery', {
      bucketName: props.bucketName,
      kmsKeyArn: props.kmsKeyArn,
      organizationId: props.organizationId,
      retentionDays: props.retentionDays,
      accessLogs: accessLogs.bucket,
    });
  }
}
