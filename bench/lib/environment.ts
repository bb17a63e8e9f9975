/**
 * The environment the benchmarks run functions in: what Lambda and the deployment set (region, fake
 * credentials, topic, the responders' own role names), silent logs, and the repository's suite configuration
 * shipped as the bundle would ship it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SUITE_CONFIG_FILE } from '../../esbuild.config.ts';
import { parseSuiteConfig } from '../../shared/core/suite-config.ts';
import { BENCH_ACCOUNT, BENCH_REGION } from './synthetic.ts';

export const BENCH_TOPIC_ARN = `arn:aws:sns:${BENCH_REGION}:${BENCH_ACCOUNT}:plumbline-notifications`;

/**
 * The suite configuration document (`plumbline.config.yaml`), as each bundle ships it. Its shape is validated;
 * its rule names are not checked against the registry, so that a rule configured before it is registered
 * (the build refuses that) is still measured.
 */
export function suiteDocument(): Record<string, unknown> {
  if (!existsSync(SUITE_CONFIG_FILE)) return {};
  const document = (parseYaml(readFileSync(SUITE_CONFIG_FILE, 'utf8')) ?? {}) as Record<string, unknown>;
  const rules = document.rules;
  parseSuiteConfig(
    document,
    basename(SUITE_CONFIG_FILE),
    rules && typeof rules === 'object' ? Object.keys(rules) : [],
  );
  return document;
}

/** Raw rule parameters for a rule, as deployment passes them (`rules.<name>` of the suite configuration). */
export function ruleParametersFor(ruleName: string): Record<string, string> {
  const rules = (suiteDocument().rules ?? {}) as Record<string, Record<string, unknown>>;
  return Object.fromEntries(
    Object.entries(rules[ruleName] ?? {}).map(([key, value]) => [key, String(value)]),
  );
}

/**
 * Variables a deployed function has; `outDir` receives the shipped suite configuration, with `settings`
 * (suite settings such as `responders`) laid over the repository's.
 */
export function functionEnvironment(
  outDir: string,
  functionName = 'bench',
  settings: Record<string, unknown> = {},
): Record<string, string> {
  mkdirSync(outDir, { recursive: true });
  const configFile = join(outDir, 'plumbline.config.json');
  writeFileSync(configFile, `${JSON.stringify({ ...suiteDocument(), ...settings }, null, 2)}\n`);
  return {
    AWS_REGION: BENCH_REGION,
    AWS_DEFAULT_REGION: BENCH_REGION,
    AWS_ACCESS_KEY_ID: 'ASIABENCHEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'bench-secret',
    AWS_SESSION_TOKEN: 'bench-token',
    AWS_LAMBDA_FUNCTION_NAME: `plumbline-${functionName}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    POWERTOOLS_SERVICE_NAME: `plumbline-${functionName}`,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    PLUMBLINE_CONFIG_FILE: configFile,
    PLUMBLINE_TOPIC_ARN: BENCH_TOPIC_ARN,
    PLUMBLINE_FUNCTION_ROLE_ARN: `arn:aws:iam::${BENCH_ACCOUNT}:role/plumbline/${functionName}/plumbline-${functionName}`,
  };
}

/** A Lambda context for middy and the Powertools logger. */
export function lambdaContext(functionName: string) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: `plumbline-${functionName}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${BENCH_REGION}:${BENCH_ACCOUNT}:function:plumbline-${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: `/aws/lambda/plumbline-${functionName}`,
    logStreamName: '2024/05/14/[$LATEST]bench',
    getRemainingTimeInMillis: () => 600_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
