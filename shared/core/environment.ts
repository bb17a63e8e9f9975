/**
 * Environment variables shared by the responders and the notifier, validated one way for all of them; each
 * error names the variable and its value.
 */
import { ROLE_NAME } from './cloudtrail.ts';
import { InputError } from './model.ts';

export type Environment = Readonly<Record<string, string | undefined>>;

/** A standard or FIFO topic ARN; topic names are 1-256 letters, digits, `_` and `-` (FIFO: plus `.fifo`). */
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:([\w-]{1,256})(\.fifo)?$/;

export function envError(name: string, value: string, problem: string): InputError {
  return new InputError(`Invalid environment variable ${name}=${JSON.stringify(value)}: ${problem}`);
}

/**
 * `PLUMBLINE_TOPIC_ARN`: required, a standard SNS topic ARN. FIFO topics are refused: they cannot deliver to
 * email or SMS subscribers, the people these notices are for.
 */
export function topicArnFromEnv(env: Environment): string {
  const topicArn = env.PLUMBLINE_TOPIC_ARN?.trim();
  if (!topicArn) {
    throw new InputError('Missing environment variable PLUMBLINE_TOPIC_ARN: the SNS topic ARN to publish to');
  }
  const match = TOPIC_ARN.exec(topicArn);
  if (match === null) {
    throw envError(
      'PLUMBLINE_TOPIC_ARN',
      topicArn,
      'expected an SNS topic ARN (arn:aws:sns:region:account:name)',
    );
  }
  if (match[2] !== undefined) {
    throw envError(
      'PLUMBLINE_TOPIC_ARN',
      topicArn,
      'a FIFO topic cannot deliver to email or SMS subscribers; use a standard topic',
    );
  }
  return topicArn;
}

/** `PLUMBLINE_EXECUTION_ROLE_NAME`: optional (organisation mode), an IAM role name. */
export function executionRoleNameFromEnv(env: Environment): string | undefined {
  const roleName = env.PLUMBLINE_EXECUTION_ROLE_NAME?.trim();
  if (roleName === undefined || roleName === '') return undefined;
  if (!ROLE_NAME.test(roleName))
    throw envError('PLUMBLINE_EXECUTION_ROLE_NAME', roleName, 'expected an IAM role name');
  return roleName;
}

/** The start of Plumbline's Config rule names (`<namePrefix>-`), the default when `PLUMBLINE_RULE_PREFIX` is unset. */
export const DEFAULT_RULE_PREFIX = 'plumbline-';

/**
 * `PLUMBLINE_RULE_PREFIX`: the start of Plumbline's Config rule names (the deployment's `<namePrefix>-`), for
 * the notifier's filter and the responders' `rule` attribute. Default `plumbline-`.
 */
export function rulePrefixFromEnv(env: Environment, hint = ''): string {
  const rulePrefix = env.PLUMBLINE_RULE_PREFIX ?? DEFAULT_RULE_PREFIX;
  if (rulePrefix.trim() === '' || rulePrefix.length > 128 || /\s/.test(rulePrefix)) {
    throw envError(
      'PLUMBLINE_RULE_PREFIX',
      rulePrefix,
      `expected the start of a Config rule name: 1 to 128 characters, no spaces${hint}`,
    );
  }
  return rulePrefix;
}
