import { describe, expect, it } from 'vitest';
import { normaliseConfigurationItem } from '../../shared/core/normalise.ts';
import { ebsOptimizationSupport, ec2EbsOptimizedRule } from '../../shared/rules/ec2-ebs-optimized/index.ts';
import { rdsNotPublicRule } from '../../shared/rules/rds-not-public/index.ts';
import {
  planMakeSnapshotPrivate,
  rdsSnapshotNotPublicRule,
} from '../../shared/rules/rds-snapshot-not-public/index.ts';
import { rdsStorageEncryptedRule } from '../../shared/rules/rds-storage-encrypted/index.ts';
import { planEnableVersioning, s3VersioningRule } from '../../shared/rules/s3-versioning/index.ts';
import { INSTANCE, instanceApi, instanceEvent } from '../fixtures/ec2-ebs-optimized/instances.ts';
import {
  DB_INSTANCE,
  dbInstanceApi,
  dbInstanceEvent,
  KEY_ARN,
} from '../fixtures/rds-not-public/db-instances.ts';
import {
  CLUSTER_SNAPSHOT,
  clusterSnapshotApi,
  clusterSnapshotEvent,
  SNAPSHOT,
  snapshotApi,
  snapshotEvent,
} from '../fixtures/rds-snapshot-not-public/snapshots.ts';
import { BUCKET, bucketApi, bucketEvent } from '../fixtures/s3-versioning/buckets.ts';
import { judgeRaw } from './helpers.ts';

describe('ec2-ebs-optimized', () => {
  it.each([
    ['event', instanceEvent],
    ['API', instanceApi],
  ])(
    'a type that supports EBS optimization without it by default, left off, is NON_COMPLIANT (%s form)',
    (_, form) => {
      expect(judgeRaw(ec2EbsOptimizedRule, form({ instanceType: 'm3.xlarge', ebsOptimized: false }))).toEqual(
        {
          compliance: 'NON_COMPLIANT',
          annotation: `instance ${INSTANCE}: instance type m3.xlarge supports EBS optimization but ebsOptimized is false`,
          codes: ['not-ebs-optimized'],
        },
      );
      expect(
        judgeRaw(ec2EbsOptimizedRule, form({ instanceType: 'm3.xlarge', ebsOptimized: true })).compliance,
      ).toBe('COMPLIANT');
    },
  );

  it('a type EBS-optimized by default is COMPLIANT whatever ebsOptimized says', () => {
    expect(
      judgeRaw(ec2EbsOptimizedRule, instanceEvent({ instanceType: 'm5.large', ebsOptimized: false })),
    ).toEqual({
      compliance: 'COMPLIANT',
      annotation: `instance ${INSTANCE}: instance type m5.large is EBS-optimized by default`,
      codes: ['optimized-by-default'],
    });
  });

  it('a type that cannot be EBS-optimized is NOT_APPLICABLE', () => {
    expect(judgeRaw(ec2EbsOptimizedRule, instanceEvent({ instanceType: 't2.micro' }))).toEqual({
      compliance: 'NOT_APPLICABLE',
      annotation: `instance ${INSTANCE}: instance type t2.micro does not support EBS optimization`,
      codes: ['not-supported'],
    });
  });

  it('a terminated instance is NOT_APPLICABLE', () => {
    expect(judgeRaw(ec2EbsOptimizedRule, instanceEvent({ state: 'terminated' })).codes).toEqual([
      'instance-ended',
    ]);
  });

  it.each([
    [
      { instanceType: 'm3.huge' },
      `cannot judge instance ${INSTANCE}: instance type "m3.huge" is not in Plumbline's EBS-optimization table and EBS optimization is not on (check it with aws ec2 describe-instance-types)`,
    ],
    [
      { instanceType: 'M5 Large' },
      `cannot judge instance ${INSTANCE}: instance type "M5 Large" is not in Plumbline's EBS-optimization table and EBS optimization is not on (check it with aws ec2 describe-instance-types)`,
    ],
    [{ instanceType: 42 }, `cannot judge instance ${INSTANCE}: configuration.instanceType is 42`],
    [
      { instanceType: 'c3.xlarge', ebsOptimized: 'no' },
      `cannot judge instance ${INSTANCE}: configuration.ebsOptimized is "no"`,
    ],
  ])('fails closed on %j', (options, annotation) => {
    expect(judgeRaw(ec2EbsOptimizedRule, instanceEvent(options))).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation,
      codes: ['cannot-judge'],
    });
  });

  it('an unknown type that is EBS-optimized is COMPLIANT: the fact is recorded', () => {
    expect(
      judgeRaw(ec2EbsOptimizedRule, instanceEvent({ instanceType: 'm3.huge', ebsOptimized: true }))
        .compliance,
    ).toBe('COMPLIANT');
  });

  it('places the documented types', () => {
    expect(['c1.xlarge', 'g2.2xlarge', 'i2.4xlarge', 'r3.4xlarge'].map(ebsOptimizationSupport)).toEqual([
      'supported',
      'supported',
      'supported',
      'supported',
    ]);
    expect(['t1.micro', 'c3.8xlarge', 'hs1.8xlarge'].map(ebsOptimizationSupport)).toEqual([
      'unsupported',
      'unsupported',
      'unsupported',
    ]);
    expect(
      ['c7i-flex.xlarge', 'u-6tb1.metal', 'mac2-m2pro.metal', 't3.nano'].map(ebsOptimizationSupport),
    ).toEqual(['default', 'default', 'default', 'default']);
  });

  it('takes no parameters', () => {
    expect(() => ec2EbsOptimizedRule.parseParameters({ instanceTypes: 'm5.large' }, {})).toThrow(
      'Invalid rule parameter instanceTypes="m5.large": unknown parameter (the rule takes no parameters)',
    );
  });
});

describe('rds-not-public', () => {
  it.each([
    ['event', dbInstanceEvent],
    ['API', dbInstanceApi],
  ])('a publicly accessible DB instance is NON_COMPLIANT (%s form)', (_, form) => {
    expect(judgeRaw(rdsNotPublicRule, form({ publiclyAccessible: true }))).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: `DB instance ${DB_INSTANCE} is publicly accessible (publiclyAccessible is true)`,
      codes: ['publicly-accessible'],
    });
    expect(judgeRaw(rdsNotPublicRule, form({ publiclyAccessible: false })).compliance).toBe('COMPLIANT');
  });

  it('fails closed when publiclyAccessible is not recorded', () => {
    expect(judgeRaw(rdsNotPublicRule, dbInstanceEvent({ publiclyAccessible: null }))).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: `cannot judge DB instance ${DB_INSTANCE}: configuration.publiclyAccessible is null`,
      codes: ['cannot-judge'],
    });
  });
});

describe('rds-storage-encrypted', () => {
  it.each([
    ['event', dbInstanceEvent],
    ['API', dbInstanceApi],
  ])('unencrypted storage is NON_COMPLIANT (%s form)', (_, form) => {
    expect(judgeRaw(rdsStorageEncryptedRule, form({ storageEncrypted: false }))).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: `DB instance ${DB_INSTANCE} does not have storage encryption on (storageEncrypted is false)`,
      codes: ['unencrypted-storage'],
    });
  });

  it('encrypted storage is COMPLIANT; with kmsKeyId, only with that key', () => {
    const item = dbInstanceEvent({ storageEncrypted: true, kmsKeyId: KEY_ARN });
    expect(judgeRaw(rdsStorageEncryptedRule, item).compliance).toBe('COMPLIANT');
    expect(judgeRaw(rdsStorageEncryptedRule, item, { kmsKeyId: KEY_ARN }).compliance).toBe('COMPLIANT');
    const other = 'arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab';
    expect(judgeRaw(rdsStorageEncryptedRule, item, { kmsKeyId: other })).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: `DB instance ${DB_INSTANCE} is encrypted with KMS key ${KEY_ARN}, not kmsKeyId ${other}`,
      codes: ['other-kms-key'],
    });
  });

  it.each([
    [
      { storageEncrypted: 'true' },
      {},
      `cannot judge DB instance ${DB_INSTANCE}: configuration.storageEncrypted is "true"`,
    ],
    [
      { storageEncrypted: true },
      { kmsKeyId: KEY_ARN },
      `cannot judge DB instance ${DB_INSTANCE}: storage is encrypted but configuration.kmsKeyId is undefined`,
    ],
  ])('fails closed on %j', (options, raw, annotation) => {
    expect(judgeRaw(rdsStorageEncryptedRule, dbInstanceEvent(options), raw)).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation,
      codes: ['cannot-judge'],
    });
  });

  it('refuses an alias, naming the parameter and the value', () => {
    expect(() =>
      rdsStorageEncryptedRule.parseParameters(
        { kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:alias/rds' },
        {},
      ),
    ).toThrow(
      'Invalid rule parameter kmsKeyId="arn:aws:kms:us-east-1:123456789012:alias/rds": an alias cannot be matched against the key ARN AWS Config records; give the key id or key ARN',
    );
  });
});

describe('rds-snapshot-not-public', () => {
  it.each([
    ['event', snapshotEvent],
    ['API', snapshotApi],
  ])('a DB snapshot whose restore attribute includes all is NON_COMPLIANT (%s form)', (_, form) => {
    expect(judgeRaw(rdsSnapshotNotPublicRule, form({ restore: ['all'] }))).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: `DB snapshot ${SNAPSHOT} is public: its restore attribute includes "all", so any AWS account can copy or restore it`,
      codes: ['public-snapshot'],
    });
  });

  it.each([
    ['event', clusterSnapshotEvent],
    ['API', clusterSnapshotApi],
  ])(
    'a public DB cluster snapshot is NON_COMPLIANT and names the accounts it is also shared with (%s form)',
    (_, form) => {
      expect(judgeRaw(rdsSnapshotNotPublicRule, form({ restore: ['123456789012', 'all'] }))).toEqual({
        compliance: 'NON_COMPLIANT',
        annotation: `DB cluster snapshot ${CLUSTER_SNAPSHOT} is public: its restore attribute includes "all", so any AWS account can copy or restore it (also shared with 123456789012)`,
        codes: ['public-snapshot'],
      });
    },
  );

  it('a snapshot shared with named accounts is COMPLIANT, and the finding lists them', () => {
    expect(
      judgeRaw(rdsSnapshotNotPublicRule, snapshotEvent({ restore: ['123456789012', '210987654321'] })),
    ).toEqual({
      compliance: 'COMPLIANT',
      annotation: `DB snapshot ${SNAPSHOT} is shared with AWS accounts 123456789012, 210987654321 (not public)`,
      codes: ['shared-with-accounts'],
    });
    expect(
      judgeRaw(rdsSnapshotNotPublicRule, clusterSnapshotEvent({ restore: ['123456789012'] })).annotation,
    ).toBe(`DB cluster snapshot ${CLUSTER_SNAPSHOT} is shared with AWS account 123456789012 (not public)`);
    expect(judgeRaw(rdsSnapshotNotPublicRule, snapshotEvent({ restore: [] })).compliance).toBe('COMPLIANT');
  });

  it('a manual snapshot without recorded attributes fails closed; an automated one cannot be shared', () => {
    expect(judgeRaw(rdsSnapshotNotPublicRule, snapshotEvent({ restore: null }))).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: `cannot judge DB snapshot ${SNAPSHOT}: its snapshot attributes (who may restore it) are not recorded in supplementaryConfiguration.DBSnapshotAttributes`,
      codes: ['cannot-judge'],
    });
    expect(
      judgeRaw(rdsSnapshotNotPublicRule, snapshotEvent({ restore: null, snapshotType: 'automated' }))
        .compliance,
    ).toBe('COMPLIANT');
  });

  it.each([
    [
      { attributes: { restore: ['all'] } },
      `cannot judge DB snapshot ${SNAPSHOT}: supplementaryConfiguration.DBSnapshotAttributes is {"restore":["all"]}, not a list`,
    ],
    [
      { attributes: [{ attributeValues: ['all'] }] },
      `cannot judge DB snapshot ${SNAPSHOT}: supplementaryConfiguration.DBSnapshotAttributes[0].attributeName is undefined`,
    ],
    [
      { attributes: [{ attributeName: 'restore', attributeValues: 'all' }] },
      `cannot judge DB snapshot ${SNAPSHOT}: supplementaryConfiguration.DBSnapshotAttributes[0].attributeValues is "all"`,
    ],
  ])('fails closed on malformed attributes: %j', (options, annotation) => {
    expect(judgeRaw(rdsSnapshotNotPublicRule, snapshotEvent(options))).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation,
      codes: ['cannot-judge'],
    });
  });

  describe('planMakeSnapshotPrivate', () => {
    it('removes only "all" from restore, with the call for the snapshot kind', () => {
      expect(
        planMakeSnapshotPrivate(
          normaliseConfigurationItem(snapshotApi({ restore: ['all', '210987654321'] })),
        ),
      ).toEqual({
        action: 'ModifyDBSnapshotAttribute',
        input: { DBSnapshotIdentifier: SNAPSHOT, AttributeName: 'restore', ValuesToRemove: ['all'] },
      });
      expect(
        planMakeSnapshotPrivate(normaliseConfigurationItem(clusterSnapshotEvent({ restore: ['all'] }))),
      ).toEqual({
        action: 'ModifyDBClusterSnapshotAttribute',
        input: {
          DBClusterSnapshotIdentifier: CLUSTER_SNAPSHOT,
          AttributeName: 'restore',
          ValuesToRemove: ['all'],
        },
      });
    });

    it('plans nothing for a private, shared, unreadable or unidentified snapshot', () => {
      const private_ = snapshotEvent({ restore: ['123456789012'] });
      const unreadable = snapshotEvent({ attributes: 'all' });
      const public_ = snapshotEvent({ restore: ['all'] });
      const unidentified = {
        ...public_,
        configuration: { ...(public_.configuration as object), dBSnapshotIdentifier: null },
      };
      for (const item of [private_, unreadable, unidentified]) {
        expect(planMakeSnapshotPrivate(normaliseConfigurationItem(item))).toBeUndefined();
      }
    });
  });
});

describe('s3-versioning', () => {
  it.each([
    ['event', bucketEvent],
    ['API', bucketApi],
  ])('versioning off or suspended is NON_COMPLIANT (%s form)', (_, form) => {
    expect(judgeRaw(s3VersioningRule, form({ status: 'Off' }))).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: `bucket ${BUCKET}: versioning is off (never enabled)`,
      codes: ['versioning-off'],
    });
    expect(judgeRaw(s3VersioningRule, form({ status: 'Suspended' }))).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: `bucket ${BUCKET}: versioning is suspended`,
      codes: ['versioning-suspended'],
    });
    expect(judgeRaw(s3VersioningRule, form({ status: 'Enabled' })).compliance).toBe('COMPLIANT');
  });

  it('with isMfaDeleteEnabled=true, MFA delete must be on as well', () => {
    expect(
      judgeRaw(s3VersioningRule, bucketEvent({ isMfaDeleteEnabled: true }), { isMfaDeleteEnabled: 'true' })
        .compliance,
    ).toBe('COMPLIANT');
    expect(
      judgeRaw(s3VersioningRule, bucketEvent({ status: 'Suspended', isMfaDeleteEnabled: null }), {
        isMfaDeleteEnabled: 'true',
      }),
    ).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: `bucket ${BUCKET}: versioning is suspended; bucket ${BUCKET}: MFA delete is not enabled (isMfaDeleteEnabled is required)`,
      codes: ['versioning-suspended', 'mfa-delete-off'],
    });
  });

  it.each([
    [
      { unrecorded: true },
      `cannot judge bucket ${BUCKET}: supplementaryConfiguration.BucketVersioningConfiguration is not recorded`,
    ],
    [
      { status: 'enabled' },
      `cannot judge bucket ${BUCKET}: supplementaryConfiguration.BucketVersioningConfiguration.status is "enabled"`,
    ],
  ])('fails closed on %j', (options, annotation) => {
    expect(judgeRaw(s3VersioningRule, bucketEvent(options))).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation,
      codes: ['cannot-judge'],
    });
  });

  it('refuses a bad isMfaDeleteEnabled, naming the parameter and the value', () => {
    expect(() => s3VersioningRule.parseParameters({ isMfaDeleteEnabled: 'enabled' }, {})).toThrow(
      'Invalid rule parameter isMfaDeleteEnabled="enabled": expected true or false',
    );
  });

  it('planEnableVersioning enables versioning on an unversioned or suspended bucket, and nothing else', () => {
    const plan = {
      action: 'PutBucketVersioning',
      input: { Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } },
    };
    expect(planEnableVersioning(normaliseConfigurationItem(bucketApi({ status: 'Off' })))).toEqual(plan);
    expect(planEnableVersioning(normaliseConfigurationItem(bucketEvent({ status: 'Suspended' })))).toEqual(
      plan,
    );
    expect(
      planEnableVersioning(normaliseConfigurationItem(bucketEvent({ status: 'Enabled' }))),
    ).toBeUndefined();
    expect(
      planEnableVersioning(normaliseConfigurationItem(bucketEvent({ unrecorded: true }))),
    ).toBeUndefined();
  });
});
