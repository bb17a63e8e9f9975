/**
 * Fuzzing the parsers and evaluators with fast-check: arbitrary JSON in, and every failure is one of ours
 * (InputError, ParameterError) naming what is wrong — never a TypeError — and a verdict is never COMPLIANT for
 * an item whose configuration the rule could not read.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCloudTrailEvent } from '../../shared/core/cloudtrail.ts';
import { parseComplianceChangeEvent } from '../../shared/core/compliance-change.ts';
import { parseConfigRuleEvent } from '../../shared/core/config-event.ts';
import { judge } from '../../shared/core/evaluate.ts';
import { normaliseConfigurationItem } from '../../shared/core/normalise.ts';
import { parseSuiteConfig } from '../../shared/core/suite-config.ts';
import { RULES } from '../../shared/rules/index.ts';
import { changeEvent } from '../fixtures/config/events.ts';
import { securityGroupItem, trailEvent } from '../fixtures/security-group/index.ts';
import { isOurError } from './support/entry-points.ts';

const RUNS = { numRuns: 200 };
const json = fc.jsonValue();
const CONTEXT = { accountId: '123456789012', region: 'us-east-1', account: { publicAccessBlock: null } };

/** Runs `parse`; it may return or throw one of our errors, whose message names a field or value. */
function explainsItself(parse: () => unknown): void {
  try {
    parse();
  } catch (error) {
    if (!isOurError(error)) throw error;
    expect((error as Error).message.length).toBeGreaterThan(15);
  }
}

/** Replaces the value at a random key path of `base` with `value`. */
function mutate(base: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0 || typeof base !== 'object' || base === null || Array.isArray(base)) return value;
  const [key = '', ...rest] = path;
  const record = base as Record<string, unknown>;
  const keys = Object.keys(record);
  const target = keys[Math.abs(hash(key)) % Math.max(keys.length, 1)] ?? key;
  return { ...record, [target]: mutate(record[target], rest, value) };
}

function hash(text: string): number {
  let value = 0;
  for (const char of text) value = (value * 31 + char.charCodeAt(0)) | 0;
  return value;
}

const mutation = fc.tuple(fc.array(fc.string(), { maxLength: 4 }), json);

/** Where an evaluator fuzz mutation lands: one of the item's configuration subtrees, named literally. */
const CONFIGURATION_FIELDS = ['configuration', 'supplementaryConfiguration'] as const;
const configurationMutation = fc.tuple(fc.constantFrom(...CONFIGURATION_FIELDS), mutation);

/**
 * Replaces the value at a random key path under `item[field]` (the field itself is used as named, not hashed
 * like the rest of the path, so the mutation always lands in that subtree).
 */
function mutateField(item: Record<string, unknown>, field: string, path: readonly string[], value: unknown) {
  return { ...item, [field]: mutate(item[field] ?? {}, path, value) };
}

describe('fuzz: event parsers', () => {
  it('parseConfigRuleEvent: arbitrary JSON, and arbitrary JSON as invokingEvent', () => {
    fc.assert(
      fc.property(json, (value) => {
        explainsItself(() => parseConfigRuleEvent(value));
        explainsItself(() =>
          parseConfigRuleEvent({ ...changeEvent(), invokingEvent: JSON.stringify(value) }),
        );
      }),
      RUNS,
    );
  });

  it('parseConfigRuleEvent: a documented event with one field replaced by arbitrary JSON', () => {
    fc.assert(
      fc.property(mutation, ([path, value]) => {
        const event = changeEvent();
        const invoking = mutate(JSON.parse(event.invokingEvent as string), path, value);
        explainsItself(() => parseConfigRuleEvent({ ...event, invokingEvent: JSON.stringify(invoking) }));
        explainsItself(() => parseConfigRuleEvent(mutate(event, path, value)));
      }),
      RUNS,
    );
  });

  it('parseCloudTrailEvent and parseComplianceChangeEvent: arbitrary JSON and mutated documented events', () => {
    fc.assert(
      fc.property(json, mutation, (value, [path, replacement]) => {
        explainsItself(() => parseCloudTrailEvent(value));
        explainsItself(() => parseComplianceChangeEvent(value));
        explainsItself(() =>
          parseCloudTrailEvent(mutate(trailEvent('authorize-security-group-ingress'), path, replacement)),
        );
      }),
      RUNS,
    );
  });
});

describe('fuzz: configuration', () => {
  it('parseSuiteConfig: arbitrary documents', () => {
    fc.assert(
      fc.property(json, (value) =>
        explainsItself(() => parseSuiteConfig(value, 'plumbline.config.yaml', ['security-group'])),
      ),
      RUNS,
    );
  });

  it.each(RULES.map((rule) => [rule.name, rule] as const))(
    '%s parseParameters: arbitrary parameters and suite settings',
    (_name, rule) => {
      const parameterNames = fc.constantFrom(...rule.parameterDocs.map((doc) => doc.name), 'unknown');
      fc.assert(
        fc.property(
          fc.dictionary(parameterNames, fc.oneof(fc.string(), json)),
          fc.dictionary(fc.constantFrom('baselines', 'tagPolicy', 'responders'), json),
          (raw, settings) => explainsItself(() => rule.parseParameters(raw, settings)),
        ),
        RUNS,
      );
    },
  );
});

describe('fuzz: evaluators', () => {
  const baseItem = (resourceType: string): Record<string, unknown> => ({
    ...securityGroupItem({}, {}),
    resourceType,
  });

  it('the evaluator mutations reach the configuration and the supplementary configuration', () => {
    const base = baseItem('AWS::EC2::SecurityGroup');
    const changed = { configuration: 0, supplementaryConfiguration: 0 };
    for (const [field, [path, value]] of fc.sample(configurationMutation, { numRuns: 500, seed: 42 })) {
      const mutated = mutateField(base, field, path, value) as Record<string, unknown>;
      for (const other of CONFIGURATION_FIELDS.filter((name) => name !== field))
        expect(mutated[other]).toEqual(base[other]);
      if (JSON.stringify(mutated[field]) !== JSON.stringify(base[field])) changed[field]++;
    }
    // Of 500 samples about half land in each subtree; most of those change it (a few replace a value by itself).
    expect(changed.configuration).toBeGreaterThan(100);
    expect(changed.supplementaryConfiguration).toBeGreaterThan(100);
  });

  it.each(RULES.map((rule) => [rule.name, rule] as const))(
    '%s: an item with an arbitrary configuration is judged, refused with a named field, or NOT_APPLICABLE',
    (_name, rule) => {
      const params = rule.parseParameters({}, {});
      const resourceType = rule.resourceTypes[0] ?? 'AWS::EC2::SecurityGroup';
      const base = baseItem(resourceType);
      let configurationChanged = 0;
      fc.assert(
        fc.property(configurationMutation, ([field, [path, value]]) => {
          const mutated = mutateField(base, field, path, value);
          if (JSON.stringify(mutated.configuration) !== JSON.stringify(base.configuration))
            configurationChanged++;
          explainsItself(() => {
            const item = normaliseConfigurationItem(mutated);
            const verdict = judge(rule, params, item, CONTEXT);
            expect(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE']).toContain(verdict.compliance);
            expect(verdict.reasons.every((reason) => reason.message.length > 0)).toBe(true);
          });
        }),
        RUNS,
      );
      expect(configurationChanged).toBeGreaterThan(0);
    },
  );
});
