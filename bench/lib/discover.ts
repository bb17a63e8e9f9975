/**
 * What there is to measure, found rather than listed, so the figures cover functions and rules as they land:
 * - functions: the build's own list (a generated entry per registry rule, every `functions/<name>/handler.ts`);
 * - rules: the registry (`shared/rules/index.ts`), plus any rule a `shared/rules/<dir>/index.ts` exports that
 *   is not registered yet;
 * - a Config rule whose function folder has not landed is measured through a stand-in handler
 *   (`bench/stand-in/`: the Config runtime wired the way a rule function wires it), labelled so.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FUNCTIONS_DIR, functionNames, writeRuleEntry } from '../../esbuild.config.ts';
import type { AnyRule } from '../../shared/core/model.ts';
import { RULES } from '../../shared/rules/index.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RULES_DIR = join(ROOT, 'shared', 'rules');
/** Inside the repository, so that a bundle built with the SDK external resolves it from node_modules. */
export const BENCH_OUT = join(ROOT, 'dist', '.bench');

export interface DiscoveredRule {
  rule: AnyRule;
  /** How a generated module imports it. */
  importFrom: { module: string; exportName: string } | { registry: true };
  registered: boolean;
}

export interface FunctionTarget {
  name: string;
  /** The handler module: `functions/<name>/handler.ts`, or a generated stand-in. */
  entry: string;
  standIn: boolean;
  /** Set for Config-rule functions (a folder named after a rule, or a stand-in). */
  rule?: DiscoveredRule | undefined;
}

export interface Discovery {
  functions: FunctionTarget[];
  rules: DiscoveredRule[];
  /** Rule modules that could not be loaded (mid-edit, say): reported, never fatal. */
  problems: string[];
}

function isRule(value: unknown): value is AnyRule {
  const candidate = value as Partial<AnyRule> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.name === 'string' &&
    typeof candidate.evaluate === 'function' &&
    typeof candidate.parseParameters === 'function' &&
    Array.isArray(candidate.resourceTypes)
  );
}

export async function discoverRules(): Promise<{ rules: DiscoveredRule[]; problems: string[] }> {
  const rules: DiscoveredRule[] = RULES.map((rule) => ({
    rule,
    importFrom: { registry: true },
    registered: true,
  }));
  const problems: string[] = [];
  const folders = readdirSync(RULES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(RULES_DIR, entry.name, 'index.ts')))
    .map((entry) => entry.name)
    .sort();
  for (const folder of folders) {
    const module = join(RULES_DIR, folder, 'index.ts');
    let exports: Record<string, unknown>;
    try {
      exports = (await import(pathToFileURL(module).href)) as Record<string, unknown>;
    } catch (error) {
      problems.push(`shared/rules/${folder}/index.ts: ${(error as Error).message.split('\n')[0]}`);
      continue;
    }
    for (const [exportName, value] of Object.entries(exports)) {
      if (!isRule(value) || rules.some((known) => known.rule.name === value.name)) continue;
      rules.push({ rule: value, importFrom: { module, exportName }, registered: false });
    }
  }
  return { rules, problems };
}

export async function discover(): Promise<Discovery> {
  const { rules, problems } = await discoverRules();
  const names = functionNames();
  const functions: FunctionTarget[] = await Promise.all(
    names.map(async (name) => {
      const handler = join(FUNCTIONS_DIR, name, 'handler.ts');
      return {
        name,
        // A registry rule's function has a generated entry (esbuild.config.ts), written where tools import it.
        entry: existsSync(handler) ? handler : await writeRuleEntry(name, join(BENCH_OUT, 'entries')),
        standIn: false,
        rule: rules.find((candidate) => candidate.rule.name === name),
      };
    }),
  );
  for (const rule of rules) {
    if (names.includes(rule.rule.name)) continue;
    functions.push({ name: rule.rule.name, entry: standInEntry(rule), standIn: true, rule });
  }
  functions.sort((a, b) => a.name.localeCompare(b.name));
  return { functions, rules, problems };
}

/** Writes the stand-in handler module for a rule (under dist/.bench, git-ignored) and returns its path. */
export function standInEntry(discovered: DiscoveredRule): string {
  const directory = join(BENCH_OUT, 'stand-ins', discovered.rule.name);
  mkdirSync(directory, { recursive: true });
  const file = join(directory, 'handler.ts');
  const standInModule = discovered.rule.accountFacts?.length ? 'config-rule-with-facts.ts' : 'config-rule.ts';
  const standIn = JSON.stringify(join(ROOT, 'bench', 'stand-in', standInModule));
  const ruleImport =
    'registry' in discovered.importFrom
      ? `import { findRule } from ${JSON.stringify(join(RULES_DIR, 'index.ts'))};\nconst rule = findRule(${JSON.stringify(discovered.rule.name)});\nif (rule === undefined) throw new Error('rule ${discovered.rule.name} is not registered');`
      : `import { ${discovered.importFrom.exportName} as rule } from ${JSON.stringify(discovered.importFrom.module)};`;
  writeFileSync(
    file,
    `// Generated by bench/lib/discover.ts: a stand-in until ${discovered.rule.name} is in the registry.\n` +
      `import { standInConfigRuleHandler } from ${standIn};\n${ruleImport}\n` +
      'export const handler = standInConfigRuleHandler(rule);\n',
  );
  return file;
}
