import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../core/model.ts';
import { EMPTY_SUITE_CONFIG, parseSuiteConfig, type SuiteConfig } from '../core/suite-config.ts';
import { RULES } from '../rules/index.ts';

/**
 * The suite configuration shipped beside each bundle as `plumbline.config.json` (the build converts the
 * repository's YAML), or the file named by `PLUMBLINE_CONFIG_FILE`. Read once per cold start; a missing
 * file means defaults, a malformed one fails the cold start with the file and field named.
 */
let cached: SuiteConfig | undefined;

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
  cached = parseSuiteConfig(
    document,
    path,
    RULES.map((rule) => rule.name),
  );
  return cached;
}

/** For tests: forget the cached configuration. */
export function resetSuiteConfigCache(): void {
  cached = undefined;
}
