import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { InputError } from '../core/model.ts';
import { EMPTY_SUITE_CONFIG, parseSuiteConfig, type SuiteConfig } from '../core/suite-config.ts';

/**
 * The suite configuration shipped beside each bundle as `plumbline.config.json` (the build converts the
 * repository's YAML), or the file named by `PLUMBLINE_CONFIG_FILE`. Read once per cold start; a missing
 * file means defaults, a malformed one fails the cold start with the file and field named.
 *
 * `PLUMBLINE_DEPLOY_PARAMETERS` (set by the deployment from its CloudFormation parameters) replaces single
 * values of the file, `{"rules": {"<rule>": {"<parameter>": "…"}}, "responders": {"<responder>": {"<key>":
 * "…"}}}`, so that a responder reads the same blocked ports, exclusions and mode as the Config rule was given
 * at deploy time. The result is validated like the file.
 */
let cached: SuiteConfig | undefined;

/**
 * The registry's rule names, comma-separated, put in each bundle by the build (esbuild `define`), so that a bundle checks
 * `rules.<name>` without importing every rule; unset outside a bundle (a test sets it on globalThis).
 */
declare const PLUMBLINE_RULE_NAMES: string | undefined;

function knownRuleNames(): readonly string[] | undefined {
  return typeof PLUMBLINE_RULE_NAMES === 'undefined' ? undefined : PLUMBLINE_RULE_NAMES.split(',');
}

export function bundledSuiteConfig(): SuiteConfig {
  if (cached) return cached;
  const path =
    process.env.PLUMBLINE_CONFIG_FILE ?? fileURLToPath(new URL('./plumbline.config.json', import.meta.url));
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !process.env.PLUMBLINE_CONFIG_FILE) {
      cached = EMPTY_SUITE_CONFIG;
      return cached;
    }
    throw error;
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  const overrides = deployParameters(process.env[DEPLOY_PARAMETERS_VARIABLE]);
  cached = parseSuiteConfig(
    overrides ? withDeployParameters(document, overrides) : document,
    overrides ? `${path} with ${DEPLOY_PARAMETERS_VARIABLE}` : path,
    knownRuleNames(),
  );
  return cached;
}

export const DEPLOY_PARAMETERS_VARIABLE = 'PLUMBLINE_DEPLOY_PARAMETERS';

const valuesByName = z.record(z.string().min(1), z.record(z.string().min(1), z.string()));
const deployParametersSchema = z.strictObject({
  rules: valuesByName.optional(),
  responders: valuesByName.optional(),
});
export type DeployParameters = z.infer<typeof deployParametersSchema>;

/** `PLUMBLINE_DEPLOY_PARAMETERS`, validated; unset or blank means none. */
export function deployParameters(raw: string | undefined): DeployParameters | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new InputError(`${DEPLOY_PARAMETERS_VARIABLE}: not valid JSON: ${(error as Error).message}`);
  }
  const parsed = deployParametersSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      `${DEPLOY_PARAMETERS_VARIABLE}: ${issue?.path.join('.') || '(top level)'}: ${issue?.message ?? 'invalid'} ` +
        '(expected {"rules": {"<rule>": {"<parameter>": "<string>"}}, "responders": {"<responder>": {"<key>": "<string>"}}})',
    );
  }
  return parsed.data;
}

/** The document with each deploy-time value in place of the file's (other keys of the file are kept). */
export function withDeployParameters(document: unknown, overrides: DeployParameters): unknown {
  const base = (document ?? {}) as Record<string, unknown>;
  if (typeof base !== 'object' || Array.isArray(base)) return document;
  const merged: Record<string, unknown> = { ...base };
  for (const section of ['rules', 'responders'] as const) {
    const values = overrides[section];
    if (!values) continue;
    const current = (base[section] ?? {}) as Record<string, unknown>;
    const next: Record<string, unknown> = { ...current };
    for (const [name, entries] of Object.entries(values)) {
      next[name] = { ...((current[name] ?? {}) as Record<string, unknown>), ...entries };
    }
    merged[section] = next;
  }
  return merged;
}

/** For tests: forget the cached configuration. */
export function resetSuiteConfigCache(): void {
  cached = undefined;
}
