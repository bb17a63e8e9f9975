/**
 * The suite configuration file, shared by the CLI (`--config`), deployment (each Config rule's
 * `InputParameters`) and the Lambda functions (shipped beside the bundle):
 *
 *   { "rules": { "security-group": { "blockedPorts": "22,3389" }, "required-tags": {...}, ... },
 *     "baselines": {...}, "tagPolicy": {...}, ... }
 *
 * Each rule's object is exactly its Config `ruleParameters`. Everything beside `rules` is a suite setting
 * that the rule owning it validates; a top-level key that is neither (see SUITE_CONFIG_KEYS) is an error.
 */
import * as z from 'zod';
import { describeZodError, InputError, type SuiteSettings } from './model.ts';

const parameterValue = z.union([z.string(), z.number(), z.boolean()]);

/**
 * Every top-level key the file may hold: `rules`, and the suite settings the rules and responders read
 * (`baselines`: security-group, `tagPolicy`: required-tags, `responders`: both responders). Any other key
 * is an error, so that a misspelt setting (`tagPolicyy`, `baseline`) cannot be silently ignored.
 */
export const SUITE_CONFIG_KEYS = ['rules', 'baselines', 'tagPolicy', 'responders'] as const;

const suiteConfigSchema = z.looseObject({
  rules: z.record(z.string(), z.record(z.string(), parameterValue)).optional(),
});

export interface SuiteConfig {
  /** Rule name → raw rule parameters, values as strings (as Config passes them). */
  rules: Record<string, Record<string, string>>;
  settings: SuiteSettings;
}

export const EMPTY_SUITE_CONFIG: SuiteConfig = { rules: {}, settings: {} };

/** Validates a parsed configuration document; `knownRules` are the rule names a `rules` key may use. */
export function parseSuiteConfig(
  document: unknown,
  source: string,
  /** The registry's rule names; unchecked when undefined (a bundle built without them). */
  knownRules: readonly string[] | undefined,
): SuiteConfig {
  const parsed = suiteConfigSchema.safeParse(document ?? {});
  if (!parsed.success)
    throw new InputError(`${source}: ${describeZodError(parsed.error, '', document ?? {})}`);
  const unknown = Object.keys(parsed.data).filter(
    (key) => !(SUITE_CONFIG_KEYS as readonly string[]).includes(key),
  );
  if (unknown.length > 0) {
    const what = unknown.length === 1 ? 'unknown top-level key' : 'unknown top-level keys';
    throw new InputError(
      `${source}: ${unknown.join(', ')}: ${what} (allowed: ${SUITE_CONFIG_KEYS.join(', ')})`,
    );
  }
  const { rules = {}, ...settings } = parsed.data;
  for (const name of Object.keys(rules)) {
    if (knownRules !== undefined && !knownRules.includes(name)) {
      throw new InputError(`${source}: rules.${name}: unknown rule (known: ${knownRules.join(', ')})`);
    }
  }
  const stringRules: SuiteConfig['rules'] = {};
  for (const [name, parameters] of Object.entries(rules)) {
    stringRules[name] = Object.fromEntries(
      Object.entries(parameters).map(([key, value]) => [key, String(value)]),
    );
  }
  return { rules: stringRules, settings };
}
