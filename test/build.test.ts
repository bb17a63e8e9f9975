import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BuiltFunction, buildFunctions, functionNames, sizeTable } from '../esbuild.config.ts';

const outdir = mkdtempSync(join(tmpdir(), 'plumbline-build-'));
let built: BuiltFunction[] = [];

beforeAll(async () => {
  built = await buildFunctions({ outdir, quiet: true });
});

describe('npm run build', () => {
  it('hands the names after `npm run build --` to the function build (npm appends them to the last command)', () => {
    const { scripts } = JSON.parse(readFileSync(join(import.meta.dirname, '../package.json'), 'utf8'));
    expect(scripts.build).toBe('tsx cli/build.ts && tsx esbuild.config.ts');
  });

  it('bundles every function folder', () => {
    expect(functionNames().length).toBeGreaterThan(0);
    expect(built.map((fn) => fn.name)).toEqual(functionNames());
  });

  it.each(functionNames())(
    '%s: an ESM bundle for node22 with source map, suite config and metafile',
    (name) => {
      const bundle = join(outdir, name, 'index.mjs');
      expect(existsSync(`${bundle}.map`)).toBe(true);
      expect(existsSync(join(outdir, name, 'plumbline.config.json'))).toBe(true);
      const text = readFileSync(bundle, 'utf8');
      expect(text.startsWith('import{createRequire as __plumblineCreateRequire}from"node:module"')).toBe(
        true,
      );
      // Minified: long lines (newlines survive only inside strings and legal comments).
      expect(text.length / text.split('\n').length).toBeGreaterThan(1_000);
      // The SDK is bundled: nothing is imported from node_modules at run time.
      expect(text).not.toMatch(/from"@aws-sdk\//);
      const meta = JSON.parse(readFileSync(join(outdir, 'meta.json'), 'utf8')) as Record<
        string,
        { outputs: object }
      >;
      expect(
        Object.keys(meta[name]?.outputs ?? {}).some((output) => output.endsWith(`${name}/index.mjs`)),
      ).toBe(true);
    },
  );

  it('prints a size table: each function with its bundle and gzip size', () => {
    const lines = sizeTable(built).split('\n');
    expect(lines[0]).toMatch(/^function\s+bundle\s+gzip$/);
    expect(lines).toHaveLength(built.length + 1);
    for (const [index, fn] of built.entries()) {
      const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
      expect(lines[index + 1]).toMatch(
        new RegExp(`^${fn.name}\\s+${kib(fn.bytes)}\\s+${kib(fn.gzipBytes)}$`),
      );
      expect(fn.bytes).toBe(readFileSync(fn.bundle).length);
    }
  });

  it.each(functionNames())('%s: imports in a fresh Node 22 process and exports a handler', (name) => {
    const url = pathToFileURL(join(outdir, name, 'index.mjs')).href;
    const script = `const m = await import(${JSON.stringify(url)}); if (typeof m.handler !== 'function') { console.error('no handler'); process.exit(3); } console.log(process.versions.node);`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: tmpdir(),
      encoding: 'utf8',
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'SILENT' },
    });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(child.stdout.trim()).toMatch(/^22\./);
  });
});
