/**
 * The per-item fast path (a hand-written guard) against the zod schema it stands in for: over generated
 * items, well-formed and malformed, both accept the same items and normalise them to the same item, and a
 * refused item keeps zod's message naming the field.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../shared/core/model.ts';
import {
  CONFIGURATION_ITEM_STATUSES,
  isWellFormedItem,
  normaliseConfigurationItem,
  normaliseThroughSchema,
} from '../../shared/core/normalise.ts';
import { anyJson, field } from '../support/malformed.ts';

const fieldOf = <T>(good: fc.Arbitrary<T>) => field(good, 40);

const tagEntry = fc.record(
  {
    key: fieldOf(fc.string({ maxLength: 8 })),
    Key: fieldOf(fc.string({ maxLength: 8 })),
    value: fieldOf(fc.string({ maxLength: 8 })),
    Value: fieldOf(fc.string({ maxLength: 8 })),
  },
  { requiredKeys: [] },
);

const tags = fc.oneof(
  fc.dictionary(
    fc.constantFrom('Name', 'owner', 'env', 'cost-center'),
    fc.option(fc.string({ maxLength: 8 })),
  ),
  fc.array(tagEntry, { maxLength: 3 }),
  fc.array(anyJson, { maxLength: 2 }),
  fc.dictionary(fc.constantFrom('Name', 'owner'), anyJson),
);

const timestamp = fc.oneof(
  fc.date({ noInvalidDate: false }),
  fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((date) => date.toISOString()),
  fc.constantFrom('2025-11-20T12:00:00.000Z', 'yesterday', '2025-13-45'),
  fc.double({ noNaN: false }),
  fc.integer({ min: 0, max: 2e12 }),
  fc.constantFrom(1763652000.123, 8.64e15, 9e15, Number.POSITIVE_INFINITY),
);

const configuration = fc.oneof(
  fc.dictionary(fc.constantFrom('groupId', 'ipPermissions', 'tags', 'Tags', 'name'), anyJson),
  fc.constant('{"groupId":"sg-1"}'),
  fc.constantFrom('not json', '[1,2]', 'null', ''),
  fc.array(anyJson, { maxLength: 2 }),
);

const rawItem = fc.record(
  {
    resourceType: fieldOf(
      fc.constantFrom('AWS::EC2::SecurityGroup', 'AWS::S3::Bucket', 'AWS::EC2::Instance'),
    ),
    resourceId: fieldOf(fc.string({ minLength: 1, maxLength: 12 })),
    resourceName: fieldOf(fc.string({ maxLength: 8 })),
    ARN: fieldOf(fc.constant('arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1')),
    arn: fieldOf(fc.constant('arn:aws:s3:::bucket')),
    awsAccountId: fieldOf(fc.constant('111122223333')),
    accountId: fieldOf(fc.constant('444455556666')),
    awsRegion: fieldOf(fc.constantFrom('eu-west-1', 'us-east-1')),
    configurationItemCaptureTime: fieldOf(timestamp),
    configurationItemStatus: fieldOf(fc.constantFrom(...CONFIGURATION_ITEM_STATUSES, 'Gone')),
    configuration: fieldOf(configuration),
    supplementaryConfiguration: fieldOf(
      fc.dictionary(fc.constantFrom('BucketPolicy', 'AccessControlList'), fc.oneof(fc.string(), anyJson)),
    ),
    tags: fieldOf(tags),
  },
  { requiredKeys: [] },
);

const item = fc.oneof({ weight: 20, arbitrary: rawItem }, { weight: 1, arbitrary: anyJson });

type Outcome = { item: unknown } | { error: string };

function outcome(normalise: (input: unknown) => unknown, input: unknown): Outcome {
  try {
    return { item: normalise(input) };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { error: error.message };
  }
}

describe('the per-item fast path agrees with the zod schema', () => {
  it('accepts exactly the items zod accepts, and normalises each to the same item (or the same error)', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(item, (input) => {
        const viaSchema = outcome((value) => normaliseThroughSchema(value, 'configurationItems[7]'), input);
        const viaFastPath = outcome(
          (value) => normaliseConfigurationItem(value, 'configurationItems[7]'),
          input,
        );
        expect(viaFastPath).toEqual(viaSchema);
        // The guard itself: it says yes exactly when zod reads the raw item.
        const zodReadsIt =
          !('error' in viaSchema) || !viaSchema.error.startsWith('Invalid configuration item:');
        expect(isWellFormedItem(input)).toBe(zodReadsIt);
        if (isWellFormedItem(input)) accepted++;
        else refused++;
      }),
      { numRuns: 3000 },
    );
    // Both sides of the property were exercised, not only malformed items.
    expect(accepted).toBeGreaterThan(30);
    expect(refused).toBeGreaterThan(300);
  });

  it('a refused item still gets the message naming the field', () => {
    const input = {
      resourceType: 'AWS::EC2::SecurityGroup',
      resourceId: 'sg-1',
      awsAccountId: '111122223333',
      awsRegion: 'eu-west-1',
      configurationItemCaptureTime: '2025-11-20T12:00:00.000Z',
      configurationItemStatus: 'OK',
      tags: { Name: 7 },
    };
    expect(isWellFormedItem(input)).toBe(false);
    expect(() => normaliseConfigurationItem(input, 'configurationItems[3]')).toThrow(
      'Invalid configuration item: configurationItems[3].tags',
    );
  });
});
