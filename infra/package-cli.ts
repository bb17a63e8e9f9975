/**
 * `npm run package [-- -c plumbline:<key>=<value>… --out <dir>]`: see infra/package.ts. Reads `cdk.json`'s
 * context like `cdk synth`, then the command line's.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InputError } from '../shared/core/model.ts';
import { packageArguments, packagePlumbline } from './package.ts';
import { REPOSITORY_ROOT } from './plumbline.ts';

try {
  const { outDir, context } = packageArguments(process.argv.slice(2));
  const cdkJson = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  const result = packagePlumbline(outDir, { ...cdkJson.context, ...context });
  const shown = (path: string) => relative(process.cwd(), path) || path;
  for (const template of result.templates) console.log(`template ${shown(template)}`);
  for (const asset of result.assets)
    console.log(`asset    ${asset.file} (${asset.stack}: ${asset.parameter})`);
  console.log(`manifest ${shown(join(outDir, 'manifest.json'))}`);
} catch (error) {
  if (!(error instanceof InputError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
