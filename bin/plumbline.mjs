#!/usr/bin/env node
/**
 * The `plumbline` command (package.json "bin").
 *
 * In a source checkout (cli/main.ts beside this folder and tsx installed) it runs the TypeScript sources
 * through tsx, in this process: the CLI then always evaluates the rules in the working tree, and a bundle
 * built before the last edit can never answer in their place. Without the sources (a packed artifact),
 * it runs the self-contained bundle dist/cli/plumbline.mjs that `tsx cli/build.ts` writes.
 */
import { existsSync } from 'node:fs';
import { enableCompileCache } from 'node:module';

const source = new URL('../cli/main.ts', import.meta.url);
const bundle = new URL('../dist/cli/plumbline.mjs', import.meta.url);

async function tsxRegister() {
  try {
    const { register } = await import('tsx/esm/api');
    return register;
  } catch {
    return undefined;
  }
}

const register = existsSync(source) ? await tsxRegister() : undefined;
if (register !== undefined) {
  register();
  await import(source.href);
} else if (existsSync(bundle)) {
  // V8's compiled code for the 1 MB bundle, kept on disk between runs (Node's own cache, keyed by the
  // file's content): ~60 ms off every start after the first (BENCHMARKS.md › Offline snapshot scan).
  enableCompileCache?.();
  await import(bundle.href);
} else {
  process.stderr.write(
    'plumbline: found neither the sources with tsx (run npm install) nor dist/cli/plumbline.mjs (run npx tsx cli/build.ts)\n',
  );
  process.exitCode = 2;
}
