/**
 * The rules core's model. Nothing here imports the AWS SDK: the same types serve the Config rules, the
 * EventBridge responders, the CLI and the tests.
 */
import type { z } from 'zod';
import { printable } from './text.ts';

export type Compliance = 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE';

/** AWS Config's `configurationItemStatus` values. */
export type ConfigurationItemStatus =
  | 'OK'
  | 'ResourceDiscovered'
  | 'ResourceNotRecorded'
  | 'ResourceDeleted'
  | 'ResourceDeletedNotRecorded';

/**
 * One configuration item, normalised from whichever source it came in (Lambda event, API response,
 * snapshot file, advanced query): `configuration` and every supplementary value are parsed objects,
 * tags are a plain key → value map.
 */
export interface ConfigurationItem {
  resourceType: string;
  resourceId: string;
  resourceName?: string | undefined;
  arn?: string | undefined;
  accountId: string;
  region: string;
  captureTime: string;
  status: ConfigurationItemStatus;
  tags: Record<string, string>;
  configuration: Record<string, unknown> | null;
  supplementaryConfiguration: Record<string, unknown>;
}

/** One cause behind a verdict, in words a person reads and in fields a program reads. */
export interface Reason {
  /** A stable, machine-readable code such as `world-open-port` or `missing-tag`. */
  code: string;
  /** The cause in words, e.g. `tcp 22 open to 0.0.0.0/0`. */
  message: string;
  details?: Record<string, unknown>;
}

export interface Verdict {
  compliance: Compliance;
  reasons: Reason[];
}

/** A verdict bound to its resource, ready for `PutEvaluations` or a report. */
export interface Evaluation {
  rule: string;
  resourceType: string;
  resourceId: string;
  resourceName?: string | undefined;
  accountId?: string | undefined;
  region?: string | undefined;
  compliance: Compliance;
  annotation: string;
  reasons: Reason[];
  orderingTimestamp: Date;
}

/** The account-level Block Public Access flags (S3 Control / `AWS::S3::AccountPublicAccessBlock`). */
export interface PublicAccessBlockFlags {
  blockPublicAcls: boolean;
  ignorePublicAcls: boolean;
  blockPublicPolicy: boolean;
  restrictPublicBuckets: boolean;
}

/**
 * One row of the IAM credential report (IAM User Guide, "Getting credential reports for your AWS account"),
 * the columns the rules read, as IAM writes them: `true`, `false`, `not_supported` (the root user's password
 * columns), `N/A` or `no_information`.
 */
export interface CredentialReportRow {
  /** The user name; `<root_account>` for the root user. */
  user: string;
  /** The user's ARN; `arn:aws:iam::ACCOUNT:root` for the root user. */
  arn: string;
  passwordEnabled: string;
  mfaActive: string;
}

export interface CredentialReport {
  /** When IAM generated the report (ISO 8601): a user created after it is not in it. */
  generatedAt: string;
  rows: CredentialReportRow[];
}

/** The `GetAccountSummary` fields the rules read. */
export interface AccountSummary {
  /** `AccountMFAEnabled`: whether the root user has an MFA device. */
  accountMfaEnabled: boolean;
}

/** Facts about the account that a rule may ask for; fetched at most once per invocation. */
export interface AccountFacts {
  /** `null` when the account has no account-level Public Access Block. */
  publicAccessBlock?: PublicAccessBlockFlags | null;
  /** The IAM credential report (GenerateCredentialReport, then GetCredentialReport). */
  credentialReport?: CredentialReport;
  /** IAM GetAccountSummary. */
  accountSummary?: AccountSummary;
}

export type AccountFact = keyof AccountFacts;

export interface EvaluationContext {
  accountId: string;
  region: string;
  account: AccountFacts;
}

/**
 * The suite configuration beside the rule parameters: baselines, richer policies. Each rule reads its own
 * part and validates it in `parseParameters`.
 */
export type SuiteSettings = Record<string, unknown>;

export interface Rule<Params = unknown> {
  /** The rule's name: the Config rule's name suffix, the CLI's rule id and the configuration file key. */
  name: string;
  description: string;
  /** Resource types the rule evaluates; anything else is NOT_APPLICABLE. */
  resourceTypes: readonly string[];
  /** Severity for reports (SARIF `security-severity`, 0–10). */
  severity: number;
  /** Documentation of each parameter for `plumbline rules` and the README. */
  parameterDocs: readonly ParameterDoc[];
  /**
   * Where the rule deliberately reads the parameters of AWS's managed rule it stands in for differently
   * (a refused value, another default), one sentence each, for `plumbline rules` and the README.
   */
  managedRuleDifferences?: readonly string[];
  /**
   * Validates raw `ruleParameters` (string values, as Config passes them) together with the suite
   * settings. Throws a {@link ParameterError} naming the parameter and the value.
   */
  parseParameters(raw: Record<string, unknown>, suite: SuiteSettings): Params;
  /** Account facts this rule needs; the runtime fetches each at most once per invocation. */
  accountFacts?: readonly AccountFact[];
  /**
   * How its Config rule is triggered. `periodic`: on a schedule only, for rules whose facts Config does not
   * record (the credential report, the account summary), as the managed rules they stand in for. Absent:
   * on configuration changes and on a schedule.
   */
  trigger?: 'periodic';
  /**
   * The deployment: account-level API actions its Config-rule function calls beyond the Config runtime's
   * own (the reads behind its account facts, e.g. `s3:GetAccountPublicAccessBlock`), granted on `*`.
   */
  readActions?: readonly string[];
  /** The deployment: further actions scoped to resources (ARN patterns with `{partition}`, `{region}`…). */
  grants?: readonly ActionGrant[];
  /**
   * The deployment: parameters offered as CloudFormation parameters (changed at deploy time without a new
   * bundle); none by default.
   */
  deployParameters?: readonly string[];
  /**
   * The rule as configured by the suite settings, when its scope follows them (required-tags'
   * `tagPolicy.resourceTypes`); the rule itself otherwise.
   */
  forSettings?(settings: SuiteSettings): Rule<Params>;
  evaluate(resource: ConfigurationItem, params: Params, context: EvaluationContext): Verdict;
}

/**
 * API actions a function calls, by resource scope: its role gets these and no others. Resource patterns may
 * hold `{partition}`, `{region}` and `{account}`, which the stacks fill in (in a member account, that account).
 */
export interface ActionGrant {
  actions: readonly string[];
  /** `*` for actions without resource-level permissions; otherwise ARN patterns with `{partition}`… */
  resources: readonly string[];
  /** Restrict to resources owned by the account the role is in (for S3, whose ARNs carry no account). */
  ownAccountOnly?: boolean;
  /** Why `*` or a wildcard is the narrowest scope the API allows (shown in the cdk-nag acknowledgement). */
  wildcardReason?: string;
}

export interface ParameterDoc {
  name: string;
  description: string;
  default?: string;
}

/** A rule whose parameter type is erased, for registries and runtimes that handle any rule. */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds rules of every parameter type
export type AnyRule = Rule<any>;

/**
 * The one base of every failure Plumbline reports to a person (bad input, a bad parameter or setting, a
 * configuration that cannot work): the message is `printable` and the original error is kept as `cause`.
 * The CLI exits with its usage code for these and only these; anything else is a bug or an AWS failure.
 */
export class PlumblineError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(printable(message), options);
    this.name = 'PlumblineError';
  }
}

/**
 * A bad rule parameter or suite setting: the message names the parameter and the value (control characters
 * escaped by `printable`, as in every message Plumbline shows).
 */
export class ParameterError extends PlumblineError {
  constructor(
    readonly parameter: string,
    readonly value: unknown,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`Invalid rule parameter ${parameter}=${formatValue(value)}: ${problem}`, options);
    this.name = 'ParameterError';
  }
}

/** Input from outside (an event, a file, an environment variable) that does not have the expected shape. */
export class InputError extends PlumblineError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InputError';
  }
}

/**
 * The first issue of a zod error as a {@link ParameterError}: the parameter is `root` followed by the issue's
 * path (`baselines.web.ingress[0].cidr`), the value is the one found there.
 */
export function parameterErrorFromZod(error: z.ZodError, root: string, input: unknown): ParameterError {
  const issue = error.issues[0];
  const path = issue?.path ?? [];
  const parameter = path.reduce<string>(
    (name, key) =>
      typeof key === 'number' ? `${name}[${key}]` : name === '' ? String(key) : `${name}.${String(key)}`,
    root,
  );
  return new ParameterError(parameter, valueAt(input, path), issue?.message ?? 'invalid', { cause: error });
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** A plain object (not null, not an array): what a JSON object parses to. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An object literal or JSON object: {@link isRecord} with `Object.prototype` or no prototype. The fast paths
 * that stand in for zod schemas accept only these and leave anything unusual (a class instance) to zod.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Absent, null or a string: what `z.string().nullish()` accepts. */
export function isNullishText(value: unknown): boolean {
  return value == null || typeof value === 'string';
}

function formatValue(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/**
 * Turns a zod error into one line naming each failing field, e.g. `invokingEvent.messageType: ...`. Given the
 * input that was parsed, a field's value is quoted too when it is a plain value (`(got "abc")`); objects and
 * long strings are left out, so that a policy document or a secret never lands in an error message or a log.
 */
export function describeZodError(error: z.ZodError, root = '', input?: unknown): string {
  return error.issues
    .map((issue) => {
      const path = [root, ...issue.path.map(String)].filter((part) => part !== '').join('.');
      const value = input === undefined ? undefined : plainValueAt(input, issue.path);
      return `${path || '(root)'}: ${issue.message}${value === undefined ? '' : ` (got ${value})`}`;
    })
    .join('; ');
}

const MAX_QUOTED_LENGTH = 64;

function plainValueAt(input: unknown, path: readonly PropertyKey[]): string | undefined {
  let value: unknown = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  if (typeof value === 'string') return value.length <= MAX_QUOTED_LENGTH ? JSON.stringify(value) : undefined;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return undefined;
}

export const compliant = (reasons: Reason[] = []): Verdict => ({ compliance: 'COMPLIANT', reasons });
export const nonCompliant = (reasons: Reason[]): Verdict => ({ compliance: 'NON_COMPLIANT', reasons });
export const notApplicable = (message: string, code = 'not-applicable'): Verdict => ({
  compliance: 'NOT_APPLICABLE',
  reasons: [{ code, message }],
});
