/**
 * Cases that mutation testing showed unguarded: each flips the verdict a user sees when the code is changed
 * the way a mutant changes it (issue 14, "Tests that catch what matters").
 */
import { describe, expect, it } from 'vitest';
import { InputError, ParameterError } from '../../shared/core/model.ts';
import { normaliseConfigurationItem } from '../../shared/core/normalise.ts';
import { requiredTagsRuleFor } from '../../shared/rules/required-tags/index.ts';
import { instanceItem } from '../fixtures/config/events.ts';
import { verdict } from './helpers.ts';

const COST_CENTER = { tag1Key: 'CostCenter', tag1Value: '1234' };

/** The documentation's EC2 instance item with some fields replaced, normalised as every entry point does. */
const itemWith = (overrides: Record<string, unknown>) => normaliseConfigurationItem(instanceItem(overrides));

describe('tag lists written Key/Value', () => {
  it('reads tags given as a list of {Key, Value}, as CloudFormation-schema resource types write them', () => {
    const tagged = (value: string) => itemWith({ tags: [{ Key: 'CostCenter', Value: value }] });
    expect(verdict(tagged('1234'), COST_CENTER)).toEqual(['COMPLIANT', 'required tags present: CostCenter']);
    expect(verdict(tagged('9999'), COST_CENTER)).toEqual(['NON_COMPLIANT', 'CostCenter=9999 not in [1234]']);
  });

  it('reads {Key, Value} tags from configuration.Tags when the item has no tags field (BatchGetResourceConfig)', () => {
    const { tags: _none, ...batchItem } = instanceItem({
      configuration: JSON.stringify({ Tags: [{ Key: 'CostCenter', Value: '1234' }] }),
    });
    expect(verdict(normaliseConfigurationItem(batchItem), COST_CENTER)[0]).toBe('COMPLIANT');
  });

  it('reads the lower-case {key, value} form of advanced query results the same way', () => {
    const item = itemWith({ tags: [{ key: 'CostCenter', value: '1234' }] });
    expect(verdict(item, COST_CENTER)[0]).toBe('COMPLIANT');
  });
});

describe('a whitespace-only tagNValue', () => {
  it('means no value list, like an empty one: any value of the key is accepted', () => {
    const parameters = { tag1Key: 'CostCenter', tag1Value: '   ' };
    expect(verdict(itemWith({ tags: { CostCenter: 'anything' } }), parameters)).toEqual([
      'COMPLIANT',
      'required tags present: CostCenter',
    ]);
    expect(verdict(itemWith({ tags: { Owner: 'a' } }), parameters)).toEqual([
      'NON_COMPLIANT',
      'missing: CostCenter',
    ]);
  });

  it('beside an empty tagNKey is no requirement and no error (the managed rule’s form leaves both blank)', () => {
    const rule = requiredTagsRuleFor({});
    expect(rule.parseParameters({ tag2Key: '', tag2Value: ' \t ' }, {}).requirements).toEqual([
      { key: 'CostCenter', constraint: { kind: 'any' }, source: 'tag1Key (default)' },
    ]);
  });

  it('a value list of commas only is refused, naming the parameter', () => {
    const rule = requiredTagsRuleFor({});
    expect(() => rule.parseParameters({ tag1Key: 'CostCenter', tag1Value: ' , ' }, {})).toThrow(
      new ParameterError('tag1Value', ' , ', 'lists no value'),
    );
  });
});

describe('a blank configuration string', () => {
  it('is no configuration: the item is judged on its tags', () => {
    expect(verdict(itemWith({ configuration: '', tags: { CostCenter: '1234' } }), COST_CENTER)[0]).toBe(
      'COMPLIANT',
    );
    expect(verdict(itemWith({ configuration: '  \n', tags: { Owner: 'a' } }), COST_CENTER)).toEqual([
      'NON_COMPLIANT',
      'missing: CostCenter',
    ]);
  });

  it('without tags, leaves nothing to satisfy a requirement: NON_COMPLIANT, never COMPLIANT', () => {
    const { tags: _none, ...batchItem } = instanceItem({ configuration: ' ' });
    expect(verdict(normaliseConfigurationItem(batchItem), COST_CENTER)).toEqual([
      'NON_COMPLIANT',
      'missing: CostCenter',
    ]);
  });

  it('a configuration string that is not JSON is refused, naming the field', () => {
    expect(() => itemWith({ configuration: '{"instanceId": ' })).toThrow(
      new InputError('Invalid configurationItem.configuration: not valid JSON: "{\\"instanceId\\": "'),
    );
  });
});
