import { describe, expect, it } from 'vitest';
import {
  itemsFromDocument,
  normaliseConfigurationItem,
  normaliseSelectResult,
} from '../../shared/core/normalise.ts';
import { apiItem, instanceItem } from '../fixtures/config/events.ts';

const configuration = { instanceId: 'i-00000000', tags: [{ key: 'Foo', value: 'Bar' }] };
const acl = { grantList: [{ grantee: 'AllUsers', permission: 'Read' }], owner: { id: 'abc' } };

const expected = {
  resourceType: 'AWS::EC2::Instance',
  resourceId: 'i-00000000',
  resourceName: undefined,
  arn: 'arn:aws:ec2:us-east-2:123456789012:instance/i-00000000',
  accountId: '123456789012',
  region: 'us-east-2',
  captureTime: '2016-02-17T01:36:34.043Z',
  status: 'OK',
  tags: { Foo: 'Bar' },
  configuration,
  supplementaryConfiguration: { AccessControlList: acl },
};

describe('normaliseConfigurationItem', () => {
  it('gives the same item from the Lambda event, the API, a snapshot file and an advanced query', () => {
    const fromEvent = normaliseConfigurationItem(
      instanceItem({ configuration, supplementaryConfiguration: { AccessControlList: JSON.stringify(acl) } }),
    );
    const fromHistory = normaliseConfigurationItem(
      apiItem({
        configuration: JSON.stringify(configuration),
        supplementaryConfiguration: { AccessControlList: JSON.stringify(acl) },
      }),
    );
    const { tags: _omitted, ...batchItem } = apiItem({
      configuration: JSON.stringify(configuration),
      supplementaryConfiguration: { AccessControlList: JSON.stringify(acl) },
      configurationItemCaptureTime: '2016-02-17T01:36:34.043Z',
    });
    const fromBatchGet = normaliseConfigurationItem(batchItem);
    const [fromSnapshot] = itemsFromDocument(
      {
        fileVersion: '1.0',
        configSnapshotId: '7fc3fd8d-6a8b-4c63-9dd1-0c2e1d8b4b43',
        configurationItems: [
          instanceItem({ configuration, supplementaryConfiguration: { AccessControlList: acl } }),
        ],
      },
      'snapshot.json',
    );
    const fromSelect = normaliseSelectResult(
      JSON.stringify({
        resourceId: 'i-00000000',
        resourceType: 'AWS::EC2::Instance',
        arn: 'arn:aws:ec2:us-east-2:123456789012:instance/i-00000000',
        accountId: '123456789012',
        awsRegion: 'us-east-2',
        configurationItemCaptureTime: '2016-02-17T01:36:34.043Z',
        configurationItemStatus: 'OK',
        configuration,
        supplementaryConfiguration: { AccessControlList: JSON.stringify(acl) },
        tags: [{ key: 'Foo', value: 'Bar', tag: 'Foo=Bar' }],
      }),
    );
    for (const item of [fromEvent, fromHistory, fromBatchGet, fromSnapshot, fromSelect]) {
      expect(item).toEqual(expected);
    }
  });

  it('keeps a null configuration (deleted items) and a non-JSON supplementary string as it is', () => {
    const item = normaliseConfigurationItem(
      instanceItem({
        configurationItemStatus: 'ResourceDeleted',
        configuration: null,
        supplementaryConfiguration: { Note: 'plain text' },
      }),
    );
    expect(item.configuration).toBeNull();
    expect(item.status).toBe('ResourceDeleted');
    expect(item.supplementaryConfiguration).toEqual({ Note: 'plain text' });
  });

  it('reads an epoch capture time in seconds (AWS CLI v1, cli_timestamp_format=wire) or milliseconds alike', () => {
    const captureOf = (value: unknown) =>
      normaliseConfigurationItem(apiItem({ configurationItemCaptureTime: value })).captureTime;
    const seconds = captureOf(1455672994.043);
    expect(seconds).toBe('2016-02-17T01:36:34.043Z');
    expect(captureOf(1455672994043)).toBe(seconds);
    expect(captureOf('2016-02-17T01:36:34.043Z')).toBe(seconds);
    expect(captureOf(1455672994)).toBe('2016-02-17T01:36:34.000Z');
    // The boundary: below 1e11 is seconds (the year 5138), from 1e11 on milliseconds (March 1973).
    expect(captureOf(99_999_999_999)).toBe('5138-11-16T09:46:39.000Z');
    expect(captureOf(100_000_000_000)).toBe('1973-03-03T09:46:40.000Z');
    expect(() => captureOf(1e16)).toThrow(
      'Invalid configuration item: configurationItem.configurationItemCaptureTime: must be a time in seconds or milliseconds since 1970',
    );
    expect(() => captureOf(-1e16)).toThrow(
      /configurationItemCaptureTime: must be a time in seconds or milliseconds/,
    );
  });

  it('names the missing or malformed field', () => {
    const { resourceId: _removed, ...withoutId } = instanceItem();
    expect(() => normaliseConfigurationItem(withoutId, 'invokingEvent.configurationItem')).toThrow(
      'Invalid configuration item: invokingEvent.configurationItem.resourceId: Invalid input: expected string, received undefined',
    );
    expect(() => normaliseConfigurationItem(instanceItem({ configurationItemStatus: 'Gone' }))).toThrow(
      /configurationItem\.configurationItemStatus: Invalid option/,
    );
    expect(() => normaliseConfigurationItem(instanceItem({ awsAccountId: undefined }))).toThrow(
      'configurationItem.awsAccountId: awsAccountId (or accountId) is required',
    );
    expect(() => normaliseConfigurationItem(instanceItem({ configuration: '[1,2]' }))).toThrow(
      'Invalid configurationItem.configuration: expected a JSON object',
    );
  });
});

describe('itemsFromDocument', () => {
  it('reads the CLI outputs of batch-get-resource-config and select-resource-config', () => {
    const batch = itemsFromDocument(
      { baseConfigurationItems: [apiItem()], unprocessedResourceKeys: [] },
      'b.json',
    );
    expect(batch.map((item) => item.resourceId)).toEqual(['i-00000000']);
    const select = itemsFromDocument(
      { Results: [JSON.stringify({ ...apiItem(), configuration: { foo: 'bar' } })], QueryInfo: {} },
      's.json',
    );
    expect(select[0]?.configuration).toEqual({ foo: 'bar' });
  });

  it('names the file and the field for a wrong shape', () => {
    expect(() => itemsFromDocument([], 'x.json')).toThrow(
      'x.json: expected a JSON object with configurationItems, baseConfigurationItems or Results',
    );
    expect(() => itemsFromDocument({ configurationItems: [{}] }, 'x.json')).toThrow(
      /^x\.json: Invalid configuration item: configurationItems\[0\]\.resourceType: /,
    );
    expect(() => itemsFromDocument({ Results: [42] }, 'x.json')).toThrow(
      'x.json: Results[0]: expected a JSON string',
    );
  });
});
