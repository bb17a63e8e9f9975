import type { AnyRule } from '../core/model.ts';

/** Every Plumbline rule, in the order reports list them. Each rule module adds itself here. */
export const RULES: readonly AnyRule[] = [];

export function findRule(name: string): AnyRule | undefined {
  return RULES.find((rule) => rule.name === name);
}
