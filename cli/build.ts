/**
 * Bundles the CLI into one self-contained ESM file, `dist/cli/plumbline.mjs` (Node 22, the AWS SDK and the
 * rules inside), with the function bundles' esbuild options. `npx tsx cli/build.ts [OUTFILE]`.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundleOptions } from '../esbuild.config.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
export const CLI_BUNDLE = resolve(root, 'dist/cli/plumbline.mjs');

export async function buildCli(outfile: string = CLI_BUNDLE): Promise<string> {
  const options = bundleOptions();
  await build({
    ...options,
    entryPoints: [resolve(root, 'cli/main.ts')],
    outfile,
    metafile: false,
    banner: { js: `#!/usr/bin/env node\n${options.banner?.js ?? ''}` },
  });
  return outfile;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outfile = await buildCli(process.argv[2] ? resolve(process.argv[2]) : CLI_BUNDLE);
  process.stdout.write(`wrote ${outfile}\n`);
}
