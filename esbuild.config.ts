/**
 * Bundles each function into `dist/<name>/index.mjs` for the `nodejs22.x` runtime: one Config-rule function
 * per registry rule (its entry generated: the rule on the Config runtime, with the loaders of its account
 * facts) and each `functions/<name>/handler.ts` (the responders and the notifier). ESM, minified, source
 * maps, the AWS SDK bundled and tree-shaken, the registry's rule names defined for the suite configuration
 * check, and the suite configuration (`plumbline.config.yaml`, validated) written beside each bundle as
 * `plumbline.config.json`.
 *
 *   npm run build                 # every function
 *   npm run build -- sg-drift-revert public-bucket
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';
import { parse as parseYaml } from 'yaml';
import { parseSuiteConfig } from './shared/core/suite-config.ts';
import { checkSuiteConfig, RULES } from './shared/rules/index.ts';

const root = fileURLToPath(new URL('.', import.meta.url));
export const FUNCTIONS_DIR = join(root, 'functions');
export const SUITE_CONFIG_FILE = join(root, 'plumbline.config.yaml');

export interface BuildRequest {
  /** Function names (folders under functions/); all of them when empty. */
  functions?: readonly string[];
  outdir?: string;
  /** Leave `@aws-sdk/*` and `@smithy/*` external, as when loading the SDK from the Lambda runtime. */
  externalSdk?: boolean;
  /** The suite configuration file to ship beside each bundle. */
  suiteConfigFile?: string;
  quiet?: boolean;
}

export interface BuiltFunction {
  name: string;
  bundle: string;
  bytes: number;
  gzipBytes: number;
}

/** The event functions: every `functions/<name>/handler.ts`. */
export function handlerFunctionNames(): string[] {
  return readdirSync(FUNCTIONS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(FUNCTIONS_DIR, entry.name, 'handler.ts')))
    .map((entry) => entry.name);
}

/** Every function: one per registry rule and one per `functions/<name>/handler.ts`, sorted. */
export function functionNames(): string[] {
  return [...new Set([...RULES.map((rule) => rule.name), ...handlerFunctionNames()])].sort();
}

/** Where a registry rule's Config-rule function takes its rule from: its folder's export of that rule. */
export interface RuleEntry {
  module: string;
  exportName: string;
  accountFacts: readonly string[];
}

export async function ruleEntry(name: string): Promise<RuleEntry> {
  const rule = RULES.find((candidate) => candidate.name === name);
  if (rule === undefined) throw new Error(`No rule named ${name} in shared/rules/index.ts`);
  const module = join(root, 'shared', 'rules', name, 'index.ts');
  const exports = existsSync(module)
    ? ((await import(pathToFileURL(module).href)) as Record<string, unknown>)
    : {};
  const exportName = Object.entries(exports).find(([, value]) => value === rule)?.[0];
  if (exportName === undefined) {
    throw new Error(
      `The rule ${name} must be exported by shared/rules/${name}/index.ts (the registry's own object)`,
    );
  }
  return { module, exportName, accountFacts: rule.accountFacts ?? [] };
}

/** The generated entry of a rule's Config-rule function. */
export function ruleEntrySource(entry: RuleEntry): string {
  const facts = entry.accountFacts.map((fact) => `${fact}: ${fact}Loader()`).join(', ');
  return [
    `import { configRuleFunction } from ${JSON.stringify(join(root, 'shared', 'lambda', 'config-rule.ts'))};`,
    `import { ${entry.exportName} as rule } from ${JSON.stringify(entry.module)};`,
    ...(entry.accountFacts.length > 0
      ? [
          `import { ${entry.accountFacts.map((fact) => `${fact}Loader`).join(', ')} } from ${JSON.stringify(join(root, 'shared', 'aws', 'account-facts.ts'))};`,
        ]
      : []),
    `export const handler = configRuleFunction(rule, { ${facts} });`,
  ].join('\n');
}

const BUILTINS = new Set(builtinModules.filter((name) => !name.startsWith('_')));
const BUILTIN_NAMESPACE = 'plumbline-builtin';

/**
 * Node built-ins loaded with `require` rather than ESM `import`. Node 22 builds an ESM facade of a built-in by
 * reading every export, and `node:http`'s exports include lazy getters that load undici: an ESM import of
 * `node:http` costs 30-50 ms of cold start, a `require` ~5 ms (BENCHMARKS.md). The banner's `require` serves
 * the bundle.
 */
export const requireNodeBuiltins: Plugin = {
  name: 'require-node-builtins',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[a-z_/:0-9]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (!BUILTINS.has(name)) return undefined;
      if (args.namespace === BUILTIN_NAMESPACE) return { path: `node:${name}`, external: true };
      return { path: name, namespace: BUILTIN_NAMESPACE };
    });
    pluginBuild.onLoad({ filter: /.*/, namespace: BUILTIN_NAMESPACE }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`node:${args.path}`)});`,
      loader: 'js',
    }));
  },
};

/** The options every function bundle shares. */
export function bundleOptions(externalSdk = false): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    sourcemap: true,
    treeShaking: true,
    legalComments: 'linked',
    mainFields: ['module', 'main'],
    metafile: true,
    logLevel: 'warning',
    external: externalSdk ? ['@aws-sdk/*', '@smithy/*'] : [],
    // The suite configuration check in a bundle knows the registry's rules without importing them.
    // A string, comma-separated: esbuild inlines a string define, while an array one becomes a shared module.
    define: { PLUMBLINE_RULE_NAMES: JSON.stringify(RULES.map((rule) => rule.name).join(',')) },
    plugins: [requireNodeBuiltins],
    // Some dependencies still call require(), and built-ins are required (see requireNodeBuiltins).
    banner: {
      js: 'import{createRequire as __plumblineCreateRequire}from"node:module";const require=__plumblineCreateRequire(import.meta.url);',
    },
  };
}

/** Reads and validates the suite configuration (YAML or JSON); a missing file means defaults. */
export function loadSuiteConfigDocument(file: string): unknown {
  if (!existsSync(file)) return {};
  const document = parseYaml(readFileSync(file, 'utf8')) ?? {};
  checkSuiteConfig(
    parseSuiteConfig(
      document,
      basename(file),
      RULES.map((rule) => rule.name),
    ),
  );
  return document;
}

export async function buildFunctions(request: BuildRequest = {}): Promise<BuiltFunction[]> {
  const names = request.functions?.length ? [...request.functions] : functionNames();
  const outdir = resolve(request.outdir ?? join(root, 'dist'));
  const suiteDocument = loadSuiteConfigDocument(request.suiteConfigFile ?? SUITE_CONFIG_FILE);
  const built: BuiltFunction[] = [];
  const metafiles: Record<string, Metafile> = {};
  for (const name of names) {
    const target = join(outdir, name);
    const entry = await functionEntry(name);
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    const result = await build({
      ...bundleOptions(request.externalSdk),
      ...entry,
      outfile: join(target, 'index.mjs'),
    });
    if (result.metafile) metafiles[name] = result.metafile;
    writeFileSync(join(target, 'plumbline.config.json'), `${JSON.stringify(suiteDocument, null, 2)}\n`);
    const bundle = readFileSync(join(target, 'index.mjs'));
    built.push({
      name,
      bundle: join(target, 'index.mjs'),
      bytes: bundle.length,
      gzipBytes: gzipSync(bundle, { level: 9 }).length,
    });
  }
  mkdirSync(outdir, { recursive: true });
  writeFileSync(join(outdir, 'meta.json'), JSON.stringify(metafiles));
  if (!request.quiet) printSizes(built);
  return built;
}

/** Writes a rule's generated entry as `<dir>/<name>/handler.ts` (for tools that import entries) and returns its path. */
export async function writeRuleEntry(name: string, dir: string): Promise<string> {
  const file = join(dir, name, 'handler.ts');
  mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(
    file,
    `// Generated by esbuild.config.ts: the Config-rule function of ${name}.\n${ruleEntrySource(await ruleEntry(name))}\n`,
  );
  return file;
}

/** The esbuild input of a function: a handler file, or the generated entry of a registry rule. */
export async function functionEntry(name: string): Promise<Pick<BuildOptions, 'entryPoints' | 'stdin'>> {
  const handler = join(FUNCTIONS_DIR, name, 'handler.ts');
  if (existsSync(handler)) return { entryPoints: [handler] };
  if (!RULES.some((rule) => rule.name === name)) {
    throw new Error(`No function named ${name}: ${handler} does not exist and no rule has that name`);
  }
  return {
    stdin: {
      contents: ruleEntrySource(await ruleEntry(name)),
      resolveDir: root,
      sourcefile: `functions/${name}/handler.ts`,
      loader: 'ts',
    },
  };
}

/** The table `npm run build` prints: each function's bundle size, raw and gzipped. */
export function sizeTable(built: readonly BuiltFunction[]): string {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  const width = Math.max(8, ...built.map((fn) => fn.name.length));
  return [
    `${'function'.padEnd(width)}  ${'bundle'.padStart(10)}  ${'gzip'.padStart(10)}`,
    ...built.map(
      (fn) => `${fn.name.padEnd(width)}  ${kib(fn.bytes).padStart(10)}  ${kib(fn.gzipBytes).padStart(10)}`,
    ),
  ].join('\n');
}

function printSizes(built: BuiltFunction[]): void {
  console.log(sizeTable(built));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildFunctions({ functions: process.argv.slice(2) }).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
