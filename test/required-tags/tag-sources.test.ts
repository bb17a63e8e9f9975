import { describe, expect, it } from 'vitest';
import { itemsFromDocument, normaliseConfigurationItem } from '../../shared/core/normalise.ts';
import { userTags } from '../../shared/rules/required-tags/index.ts';
import { apiItem, instanceItem } from '../fixtures/config/events.ts';
import { fixture, verdict } from './helpers.ts';

const COST_AND_ENVIRONMENT = { tag1Key: 'CostCenter', tag2Key: 'Environment', tag2Value: 'prod, dev' };

describe('where tags come from', () => {
  it('a configuration-change event item: the tags map', () => {
    const instance = normaliseConfigurationItem(
      instanceItem({ tags: { CostCenter: '1', Environment: 'dev' } }),
    );
    expect(verdict(instance, COST_AND_ENVIRONMENT)).toEqual([
      'COMPLIANT',
      'required tags present: CostCenter, Environment',
    ]);
  });

  it('a GetResourceConfigHistory item: the tags map beside JSON-string configuration', () => {
    const instance = normaliseConfigurationItem(apiItem({ tags: { CostCenter: '1', Environment: 'qa' } }));
    expect(verdict(instance, COST_AND_ENVIRONMENT)).toEqual([
      'NON_COMPLIANT',
      'Environment=qa not in [prod, dev]',
    ]);
  });

  it('an S3 bucket in a change event: the bucket tagging configuration', () => {
    const bucket = normaliseConfigurationItem(fixture('s3-bucket-event-item.json'));
    expect(verdict(bucket, COST_AND_ENVIRONMENT)).toEqual([
      'COMPLIANT',
      'required tags present: CostCenter, Environment',
    ]);
    const withoutTagsField = normaliseConfigurationItem({
      ...fixture('s3-bucket-event-item.json'),
      tags: {},
    });
    expect(userTags(withoutTagsField)).toEqual(
      new Map([
        ['CostCenter', '1234'],
        ['Environment', 'prod'],
      ]),
    );
  });

  it('an S3 bucket from BatchGetResourceConfig, which has no tags field: the JSON-string tagging configuration', () => {
    const [bucket] = itemsFromDocument(
      { baseConfigurationItems: [fixture('s3-bucket-batch-get-item.json')] },
      'batch-get-resource-config',
    );
    expect(bucket?.tags).toEqual({});
    expect(bucket && verdict(bucket, COST_AND_ENVIRONMENT)).toEqual([
      'NON_COMPLIANT',
      'Environment=staging not in [prod, dev]',
    ]);
  });

  it('lets the bucket tagging configuration win over a stale tags field, and merges several tag sets', () => {
    const bucket = normaliseConfigurationItem({
      ...fixture('s3-bucket-event-item.json'),
      tags: { CostCenter: 'old', Owner: 'ops' },
      supplementaryConfiguration: {
        BucketTaggingConfiguration: {
          tagSets: [{ tags: { CostCenter: '1234' } }, { tags: { Environment: 'dev' } }],
        },
      },
    });
    expect(userTags(bucket)).toEqual(
      new Map([
        ['CostCenter', '1234'],
        ['Owner', 'ops'],
        ['Environment', 'dev'],
      ]),
    );
  });

  it('falls back to the tags field when the tagging configuration is absent, null or unreadable', () => {
    for (const BucketTaggingConfiguration of [
      undefined,
      null,
      { tagSets: null },
      'not json',
      { tagSets: 'x' },
    ]) {
      const bucket = normaliseConfigurationItem({
        ...fixture('s3-bucket-event-item.json'),
        tags: { CostCenter: '9' },
        supplementaryConfiguration: { BucketTaggingConfiguration },
      });
      expect(userTags(bucket)).toEqual(new Map([['CostCenter', '9']]));
    }
  });

  it('an advanced-query (SelectResourceConfig) row: the tag list, without the aws: tags', () => {
    const [database] = itemsFromDocument(
      fixture('rds-select-resource-config.json'),
      'select-resource-config',
    );
    expect(database && userTags(database)).toEqual(
      new Map([
        ['CostCenter', '5678'],
        ['Environment', 'prod1'],
      ]),
    );
    expect(database && verdict(database, { ...COST_AND_ENVIRONMENT, tag3Key: 'Owner' })).toEqual([
      'NON_COMPLIANT',
      'missing: Owner; Environment=prod1 not in [prod, dev]',
    ]);
  });

  it('a BatchGetResourceConfig EBS volume: configuration.tags, empty values included', () => {
    const [volume] = itemsFromDocument(
      { baseConfigurationItems: [fixture('ec2-volume-batch-get-item.json')] },
      'batch-get-resource-config',
    );
    const strict = { tagPolicy: { requireNonEmptyValues: true } };
    expect(volume && verdict(volume, { tag1Key: 'CostCenter', tag2Key: 'Owner' })[0]).toBe('COMPLIANT');
    expect(volume && verdict(volume, { tag1Key: 'CostCenter', tag2Key: 'Owner' }, strict)).toEqual([
      'NON_COMPLIANT',
      'Owner is empty',
    ]);
  });

  it('a BatchGetResourceConfig Auto Scaling group: configuration.tags with the group’s extra fields', () => {
    const [group] = itemsFromDocument(
      { baseConfigurationItems: [fixture('autoscaling-group-batch-get-item.json')] },
      'batch-get-resource-config',
    );
    expect(group && verdict(group, { tag1Key: 'CostCenter' })).toEqual([
      'NON_COMPLIANT',
      'tag key costcenter should be CostCenter',
    ]);
    expect(group && verdict(group, { tag1Key: 'CostCenter' }, { tagPolicy: { keyCase: 'ignore' } })[0]).toBe(
      'COMPLIANT',
    );
  });
});
