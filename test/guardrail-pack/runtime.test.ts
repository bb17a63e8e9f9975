import {
  BatchGetResourceConfigCommand,
  ConfigServiceClient,
  GetResourceConfigHistoryCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createConfigRuleHandler } from '../../shared/aws/config-runtime.ts';
import type { AnyRule } from '../../shared/core/model.ts';
import { EMPTY_SUITE_CONFIG } from '../../shared/core/suite-config.ts';
import { ebsAttachedRule } from '../../shared/rules/ebs-attached/index.ts';
import { ebsEncryptedRule } from '../../shared/rules/ebs-encrypted/index.ts';
import { ec2EbsOptimizedRule } from '../../shared/rules/ec2-ebs-optimized/index.ts';
import { rdsNotPublicRule } from '../../shared/rules/rds-not-public/index.ts';
import { rdsSnapshotNotPublicRule } from '../../shared/rules/rds-snapshot-not-public/index.ts';
import { rdsStorageEncryptedRule } from '../../shared/rules/rds-storage-encrypted/index.ts';
import { s3VersioningRule } from '../../shared/rules/s3-versioning/index.ts';
import { changeEvent, oversizedEvent } from '../fixtures/config/events.ts';
import {
  DATA_VOLUME,
  KEY_ARN,
  KEY_ID,
  OTHER_KEY_ARN,
  ROOT_VOLUME,
  volumeApi,
  volumeEvent,
} from '../fixtures/ebs-encrypted/volumes.ts';
import { INSTANCE, instanceEvent } from '../fixtures/ec2-ebs-optimized/instances.ts';
import type { Json } from '../fixtures/guardrail-pack/items.ts';
import { DB_INSTANCE, DBI_RESOURCE_ID, dbInstanceEvent } from '../fixtures/rds-not-public/db-instances.ts';
import { CLUSTER_SNAPSHOT, clusterSnapshotEvent } from '../fixtures/rds-snapshot-not-public/snapshots.ts';
import { BUCKET, bucketEvent } from '../fixtures/s3-versioning/buckets.ts';

const config = mockClient(ConfigServiceClient);

beforeEach(() => {
  config.reset();
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
});

function handler(rule: AnyRule) {
  return createConfigRuleHandler(rule, {
    suiteConfig: () => EMPTY_SUITE_CONFIG,
    writer: { sleep: async () => {} },
  });
}

const CAPTURE = new Date('2024-05-14T09:42:10.123Z');

interface Case {
  rule: AnyRule;
  item: Json;
  parameters?: Record<string, string>;
  resourceId: string;
  annotation: string;
}

const CASES: Case[] = [
  {
    rule: ebsEncryptedRule,
    item: volumeEvent({ encrypted: true, kmsKeyId: OTHER_KEY_ARN }),
    parameters: { kmsId: KEY_ID },
    resourceId: ROOT_VOLUME,
    annotation: `volume ${ROOT_VOLUME} attached to i-1234567890abcdef0 as /dev/xvda is encrypted with KMS key ${OTHER_KEY_ARN}, not kmsId ${KEY_ID}`,
  },
  {
    rule: ebsAttachedRule,
    item: volumeEvent({ id: DATA_VOLUME, state: 'available' }),
    parameters: { deleteOnTermination: 'true' },
    resourceId: DATA_VOLUME,
    annotation: `volume ${DATA_VOLUME} (state available) is not attached to any instance`,
  },
  {
    rule: ec2EbsOptimizedRule,
    item: instanceEvent({ instanceType: 'r3.2xlarge' }),
    resourceId: INSTANCE,
    annotation: `instance ${INSTANCE}: instance type r3.2xlarge supports EBS optimization but ebsOptimized is false`,
  },
  {
    rule: rdsNotPublicRule,
    item: dbInstanceEvent({ publiclyAccessible: true }),
    resourceId: DBI_RESOURCE_ID,
    annotation: `DB instance ${DB_INSTANCE} is publicly accessible (publiclyAccessible is true)`,
  },
  {
    rule: rdsSnapshotNotPublicRule,
    item: clusterSnapshotEvent({ restore: ['all'] }),
    resourceId: `arn:aws:rds:us-east-1:123456789012:cluster-snapshot:${CLUSTER_SNAPSHOT}`,
    annotation: `DB cluster snapshot ${CLUSTER_SNAPSHOT} is public: its restore attribute includes "all", so any AWS account can copy or restore it`,
  },
  {
    rule: rdsStorageEncryptedRule,
    item: dbInstanceEvent({ storageEncrypted: false }),
    parameters: { kmsKeyId: KEY_ARN },
    resourceId: DBI_RESOURCE_ID,
    annotation: `DB instance ${DB_INSTANCE} does not have storage encryption on (storageEncrypted is false)`,
  },
  {
    rule: s3VersioningRule,
    item: bucketEvent({ status: 'Suspended' }),
    parameters: { isMfaDeleteEnabled: 'false' },
    resourceId: BUCKET,
    annotation: `bucket ${BUCKET}: versioning is suspended`,
  },
];

describe('the guardrail-pack rules through the Config runtime', () => {
  it.each(CASES.map((testCase) => [testCase.rule.name, testCase] as const))(
    '%s: a change event becomes PutEvaluations with the finding',
    async (_, { rule, item, parameters, resourceId, annotation }) => {
      const summary = await handler(rule)(changeEvent(item, { ruleParameters: parameters ?? {} }));
      expect(summary).toMatchObject({ rule: rule.name, messageType: 'change', evaluations: 1 });
      expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
      expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
        ResultToken: 'myResultToken',
        Evaluations: [
          {
            ComplianceResourceType: item.resourceType as string,
            ComplianceResourceId: resourceId,
            ComplianceType: 'NON_COMPLIANT',
            Annotation: annotation,
            OrderingTimestamp: CAPTURE,
          },
        ],
      });
    },
  );

  it('a bad parameter fails the invocation, naming it, and writes nothing', async () => {
    await expect(
      handler(ebsAttachedRule)(
        changeEvent(volumeEvent(), { ruleParameters: { deleteOnTermination: 'maybe' } }),
      ),
    ).rejects.toThrow('Invalid rule parameter deleteOnTermination="maybe": expected true or false');
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
  });

  it('an oversized change is read back from Config and judged from the API shape', async () => {
    config.on(GetResourceConfigHistoryCommand).resolves({
      configurationItems: [volumeApi({ id: DATA_VOLUME, state: 'available' }) as never],
    });
    config.on(BatchGetResourceConfigCommand).rejects(new Error('not used'));
    await handler(ebsAttachedRule)(
      oversizedEvent({
        resourceType: 'AWS::EC2::Volume',
        resourceId: DATA_VOLUME,
        configurationItemCaptureTime: '2024-05-14T09:42:10.123Z',
      }),
    );
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        expect.objectContaining({
          ComplianceResourceId: DATA_VOLUME,
          ComplianceType: 'NON_COMPLIANT',
          Annotation: `volume ${DATA_VOLUME} (state available) is not attached to any instance`,
        }),
      ],
    });
  });
});
