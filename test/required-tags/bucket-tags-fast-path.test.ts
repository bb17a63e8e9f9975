/**
 * A bucket's tags from `supplementaryConfiguration.BucketTaggingConfiguration` (`{"tagSets":[{"tags":{…}}]}`,
 * the shape Config records for AWS::S3::Bucket): the hand-written reading against the zod schema it stands in
 * for, over generated configurations with malformed parts, gives the same tags in the same order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketTagsFast, bucketTagsThroughSchema } from '../../shared/rules/required-tags/tags.ts';
import { anyJson, field } from '../support/malformed.ts';

const key = fc.constantFrom('team', 'Owner', 'cost-center', '__proto__', 'constructor', '1', 'aws:x', '');
const tagSet = fc.record(
  {
    tags: field(
      fc.dictionary(
        key,
        fc.oneof({ weight: 8, arbitrary: fc.string({ maxLength: 6 }) }, fc.constant(null), anyJson),
      ),
    ),
    other: anyJson,
  },
  { requiredKeys: [] },
);
const configuration = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({ tagSets: field(fc.array(field(tagSet), { maxLength: 3 })) }, { requiredKeys: [] }),
  },
  { weight: 1, arbitrary: anyJson },
);

describe('bucket tags: the fast path agrees with the zod schema', () => {
  it('gives the tags zod gives, in the same order, whenever it answers; and answers whenever zod reads it', () => {
    let answered = 0;
    fc.assert(
      fc.property(configuration, (input) => {
        // JSON round trip: a `__proto__` key as JSON.parse makes it (an own property), not a prototype.
        const value = input === undefined ? undefined : JSON.parse(JSON.stringify(input));
        const fast = bucketTagsFast(value);
        const schema = bucketTagsThroughSchema(value);
        if (fast !== undefined) {
          answered++;
          expect(fast).toEqual(schema);
        } else {
          expect(schema).toEqual([]);
        }
      }),
      { numRuns: 3000 },
    );
    expect(answered).toBeGreaterThan(500);
  });

  it('keeps what it reads, leaves out a __proto__ key as zod does, and leaves a class instance to zod', () => {
    const value = JSON.parse('{"tagSets":[{"tags":{"__proto__":"x","team":"a"}},null,{"tags":null}]}');
    expect(bucketTagsFast(value)).toEqual([['team', 'a']]);
    expect(bucketTagsThroughSchema(value)).toEqual([['team', 'a']]);
    class Tagging {
      tagSets = [];
    }
    expect(bucketTagsFast(new Tagging())).toBeUndefined();
  });
});
