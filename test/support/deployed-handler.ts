/**
 * A function's handler as deployed: `functions/<name>/handler.ts`, or for a registry rule what its generated
 * entry does (esbuild.config.ts `ruleEntrySource`): the rule's folder export on `configRuleFunction`, with
 * the `<fact>Loader` of each account fact it declares.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { ruleEntry } from '../../esbuild.config.ts';
import type { AccountFactLoaders } from '../../shared/aws/config-runtime.ts';
import type { AnyRule } from '../../shared/core/model.ts';
import { configRuleFunction } from '../../shared/lambda/config-rule.ts';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

export async function deployedHandler(name: string): Promise<Handler> {
  const handlerFile = fileURLToPath(new URL(`../../functions/${name}/handler.ts`, import.meta.url));
  if (existsSync(handlerFile)) {
    return ((await import(pathToFileURL(handlerFile).href)) as { handler: Handler }).handler;
  }
  const entry = await ruleEntry(name);
  const rule = ((await import(pathToFileURL(entry.module).href)) as Record<string, AnyRule>)[
    entry.exportName
  ];
  if (rule === undefined) throw new Error(`${entry.module} does not export ${entry.exportName}`);
  const loaders = (await import('../../shared/aws/account-facts.ts')) as Record<string, unknown>;
  const accountFacts = Object.fromEntries(
    entry.accountFacts.map((fact) => [fact, (loaders[`${fact}Loader`] as () => unknown)()]),
  ) as AccountFactLoaders;
  return configRuleFunction(rule, accountFacts) as unknown as Handler;
}
