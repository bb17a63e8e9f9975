import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParameterError } from '../../shared/core/model.ts';
import { requiredTagsRule } from '../../shared/rules/required-tags/index.ts';
import { item, judge } from './helpers.ts';

const keyArb = fc.constantFrom('CostCenter', 'costcenter', 'Owner', 'Environment', 'Project', 'Team');
const valueArb = fc.constantFrom('', 'prod', 'dev', 'qa', 'prod1', ' prod', 'a,b');
const tagsArb = fc.dictionary(keyArb, valueArb, { maxKeys: 6 });
const requirementsArb = fc.uniqueArray(
  fc.record({
    key: keyArb,
    values: fc.option(fc.uniqueArray(fc.constantFrom('prod', 'dev', 'qa'), { minLength: 1, maxLength: 3 }), {
      nil: undefined,
    }),
  }),
  { selector: (requirement) => requirement.key, maxLength: 6 },
);

type Requirement = { key: string; values: string[] | undefined };

function managedParameters(requirements: Requirement[]): Record<string, string> {
  return Object.fromEntries(
    requirements.flatMap(({ key, values }, index) => [
      [`tag${index + 1}Key`, key],
      ...(values ? [[`tag${index + 1}Value`, values.join(' , ')]] : []),
    ]),
  );
}

const effective = (requirements: Requirement[]): Requirement[] =>
  requirements.length > 0 ? requirements : [{ key: 'CostCenter', values: undefined }];

const satisfied = (tags: Record<string, string>, { key, values }: Requirement) =>
  // An empty value satisfies a key required without values, as in AWS's managed rule.
  Object.hasOwn(tags, key) && (values === undefined || values.includes(tags[key] ?? ''));

const absent = (tags: Record<string, string>, key: string) =>
  !Object.keys(tags).some((candidate) => candidate.toLowerCase() === key.toLowerCase());

describe('required-tags properties', () => {
  it('is compliant exactly when every requirement is met, and lists exactly the absent keys', () => {
    fc.assert(
      fc.property(tagsArb, requirementsArb, (tags, requirements) => {
        const { compliance, annotation, reasons } = judge(item(tags), managedParameters(requirements));
        const wanted = effective(requirements);
        expect(compliance).toBe(
          wanted.every((requirement) => satisfied(tags, requirement)) ? 'COMPLIANT' : 'NON_COMPLIANT',
        );
        const missing = wanted.map(({ key }) => key).filter((key) => absent(tags, key));
        const missingReason = reasons.find((reason) => reason.code === 'missing-tag');
        expect(missingReason?.details?.keys ?? []).toEqual(missing);
        expect(Array.from(annotation).length).toBeLessThanOrEqual(256);
        expect(annotation.length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });

  it('never changes the verdict for tags nobody requires', () => {
    const extraArb = fc.dictionary(
      fc
        .string({ minLength: 1, maxLength: 12 })
        .filter((key) => !/^(costcenter|owner|environment|project|team)$/i.test(key)),
      fc.string({ maxLength: 12 }),
      { maxKeys: 5 },
    );
    fc.assert(
      fc.property(tagsArb, extraArb, requirementsArb, (tags, extra, requirements) => {
        const parameters = managedParameters(requirements);
        const before = judge(item(tags), parameters);
        const after = judge(item({ ...extra, ...tags }), parameters);
        expect(after.compliance).toBe(before.compliance);
        expect(after.annotation).toBe(before.annotation);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects malformed parameters only with a ParameterError naming one of the given parameters', () => {
    const nameArb = fc.oneof(
      fc.constantFrom(...[1, 2, 3, 4, 5, 6, 7].flatMap((slot) => [`tag${slot}Key`, `tag${slot}Value`])),
      fc.string({ maxLength: 10 }),
    );
    const rawArb = fc.dictionary(
      nameArb,
      fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant(null)),
      {
        maxKeys: 8,
      },
    );
    fc.assert(
      fc.property(rawArb, (raw) => {
        try {
          requiredTagsRule.parseParameters(raw, {});
        } catch (error) {
          expect(error).toBeInstanceOf(ParameterError);
          expect(Object.keys(raw)).toContain((error as ParameterError).parameter);
        }
      }),
      { numRuns: 200 },
    );
  });
});
