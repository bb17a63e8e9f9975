/**
 * The suite configuration as deployment sees it: each Config rule's `InputParameters` come from
 * `rules.<rule>` of the same file the functions read beside their bundle. Bad parameters fail the synth,
 * naming the file, the rule, the parameter and the value, before anything reaches AWS.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { type AnyRule, InputError, ParameterError } from '../shared/core/model.ts';
import { parseSuiteConfig, type SuiteConfig } from '../shared/core/suite-config.ts';
import { checkSuiteConfig, RULES, rulesFor } from '../shared/rules/index.ts';
import {
  ALL_FUNCTIONS,
  CONFIG_RULE_FUNCTIONS,
  type ConfigRuleFunction,
  type FunctionName,
} from './catalog.ts';

/** Rule parameters the deployment sets itself; the file must not. */
const DEPLOYMENT_PARAMETERS = ['ExecutionRoleName'];

/** AWS Config's limits on `InputParameters` (ConfigRule: 1,024 characters; organisation rule: 2,048). */
export const INPUT_PARAMETERS_LIMIT = { account: 1024, organization: 2048 } as const;

export interface LoadedSuite {
  /** The file as parsed (what the build ships beside each bundle as `plumbline.config.json`). */
  document: unknown;
  config: SuiteConfig;
  file: string;
  /** Each rule as the suite settings configure it (`required-tags` scoped by `tagPolicy.resourceTypes`). */
  rules: Record<ConfigRuleFunction, AnyRule>;
}

/**
 * Reads and validates the whole suite configuration as the functions will read it: every rule's parameters
 * and every responder's settings. The first problem fails the synth, naming the file, the field and the value.
 */
export function loadSuite(file: string): LoadedSuite {
  if (!existsSync(file)) {
    throw new InputError(
      `${file}: the suite configuration file does not exist (context plumbline:configFile)`,
    );
  }
  let document: unknown;
  try {
    document = parseYaml(readFileSync(file, 'utf8')) ?? {};
  } catch (error) {
    throw new InputError(`${file}: not valid YAML: ${(error as Error).message}`);
  }
  const config = parseSuiteConfig(
    document,
    file,
    RULES.map((rule) => rule.name),
  );
  for (const [rule, parameters] of Object.entries(config.rules)) {
    for (const name of DEPLOYMENT_PARAMETERS) {
      if (name in parameters) {
        throw new InputError(
          `${file}: rules.${rule}.${name}: set by the deployment (organisation mode), not in the configuration file`,
        );
      }
    }
  }
  const configured = withFile(file, () => rulesFor(config.settings));
  const rules = {} as Record<ConfigRuleFunction, AnyRule>;
  for (const name of CONFIG_RULE_FUNCTIONS) {
    const rule = configured.find((candidate) => candidate.name === name);
    if (!rule) throw new InputError(`The rule ${name} is not registered in shared/rules/index.ts`);
    withFile(`${file}: rules.${name}`, () => rule.parseParameters(config.rules[name] ?? {}, config.settings));
    rules[name] = rule;
  }
  withFile(file, () => checkSuiteConfig(config));
  return { document, config, file, rules };
}

/** Runs `check`, prefixing a parameter or input error with `where`. */
function withFile<T>(where: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof ParameterError || error instanceof InputError) {
      throw new InputError(`${where}: ${error.message}`);
    }
    throw error;
  }
}

/**
 * The rule's `InputParameters`: `rules.<rule>` from the file plus the deployment's own parameters
 * (organisation mode: `ExecutionRoleName`), within AWS Config's length limit. A blank value is left out:
 * AWS Config refuses blank parameter values, and every rule reads a blank parameter as an absent one.
 */
export function ruleInputParameters(
  suite: LoadedSuite,
  rule: ConfigRuleFunction,
  extra: Record<string, string>,
  limit: number,
): Record<string, string> {
  const parameters = Object.fromEntries(
    Object.entries({ ...suite.config.rules[rule], ...extra }).filter(([, value]) => value.trim() !== ''),
  );
  const length = JSON.stringify(parameters).length;
  if (length > limit) {
    throw new InputError(
      `${suite.file}: rules.${rule}: the parameters are ${length} characters as JSON; AWS Config accepts at most ${limit}. ` +
        'Move long lists into the suite settings beside `rules` (they ship with the function)',
    );
  }
  return parameters;
}

/** AWS Config's limit on a rule's `ComplianceResourceTypes` / `ResourceTypesScope`. */
export const MAX_SCOPE_RESOURCE_TYPES = 100;

/** The Config rule's scope: the resource types the configured rule evaluates. */
export function ruleScope(suite: LoadedSuite, rule: ConfigRuleFunction): readonly string[] {
  const types = suite.rules[rule]?.resourceTypes ?? [];
  if (types.length === 0 || types.length > MAX_SCOPE_RESOURCE_TYPES) {
    throw new InputError(
      `${suite.file}: ${rule} evaluates ${types.length} resource types; a Config rule's scope takes 1 to ${MAX_SCOPE_RESOURCE_TYPES}`,
    );
  }
  return types;
}

/**
 * The bundle directory of each function. Each must hold `index.mjs` and the suite configuration the build
 * put beside it, and that configuration must be the current file: otherwise the function would run with
 * other settings than the rule parameters deployed with it.
 */
export function bundleDirectories(
  assetDir: string,
  suite: LoadedSuite,
  functions: readonly FunctionName[] = ALL_FUNCTIONS,
): Record<FunctionName, string> {
  const dirs = {} as Record<FunctionName, string>;
  const shown = (path: string) => relative(process.cwd(), path) || path;
  for (const name of functions) {
    const dir = join(assetDir, name);
    const bundle = join(dir, 'index.mjs');
    if (!existsSync(bundle)) {
      throw new InputError(
        `${shown(bundle)} does not exist: run \`npm run build\` first (or use \`npm run synth\`)`,
      );
    }
    const shipped = join(dir, 'plumbline.config.json');
    if (!existsSync(shipped)) {
      throw new InputError(
        `${shown(shipped)} does not exist: run \`npm run build\` to bundle the suite configuration`,
      );
    }
    let shippedDocument: unknown;
    try {
      shippedDocument = JSON.parse(readFileSync(shipped, 'utf8'));
    } catch (error) {
      throw new InputError(`${shown(shipped)}: not valid JSON: ${(error as Error).message}`);
    }
    if (!isDeepStrictEqual(shippedDocument, suite.document)) {
      throw new InputError(
        `${shown(shipped)} differs from ${shown(suite.file)}: run \`npm run build\` so that the function and its Config rule use the same configuration`,
      );
    }
    dirs[name] = dir;
  }
  return dirs;
}
