/**
 * What a snapshot scan loads before it reads anything: the AWS SDK is for `scan --live` only, so nothing the
 * CLI imports statically reaches it (cli/run.ts imports the live modules when a live scan starts). Checked
 * on esbuild's import graph of the CLI bundle, where a dynamic import() stays lazy.
 */
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundleOptions } from '../../esbuild.config.ts';

const MAIN = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));

/** Every module reachable from the entry through static imports, with the chain that reaches it. */
function staticallyReached(metafile: Metafile, entry: string): Map<string, string[]> {
  const start = Object.keys(metafile.inputs).find((input) => entry.endsWith(input));
  if (start === undefined) throw new Error(`${entry} is not in the metafile`);
  const chains = new Map<string, string[]>([[start, [start]]]);
  const queue = [start];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const imported of metafile.inputs[next]?.imports ?? []) {
      if (imported.kind === 'dynamic-import' || chains.has(imported.path)) continue;
      chains.set(imported.path, [...(chains.get(next) ?? []), imported.path]);
      queue.push(imported.path);
    }
  }
  return chains;
}

describe('CLI start-up', () => {
  it('loads no AWS SDK module unless a live scan asks for one', async () => {
    const { metafile } = await build({
      ...bundleOptions(),
      entryPoints: [MAIN],
      outfile: 'plumbline.mjs',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const reached = staticallyReached(metafile, MAIN);
    const sdk = [...reached].filter(([path]) => /node_modules\/@aws-sdk\//.test(path));
    expect(sdk.map(([, chain]) => chain.join(' -> '))).toEqual([]);
    // The live modules are in the bundle, behind import().
    expect(Object.keys(metafile.inputs).some((input) => input.endsWith('cli/live.ts'))).toBe(true);
    expect([...reached.keys()].some((path) => path.endsWith('cli/live.ts'))).toBe(false);
  });
});
