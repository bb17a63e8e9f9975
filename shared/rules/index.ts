import type { AnyRule, SuiteSettings } from '../core/model.ts';
import type { AnyResponderSpec } from '../core/responder.ts';
import type { SuiteConfig } from '../core/suite-config.ts';
import { ebsAttachedRule } from './ebs-attached/index.ts';
import { ebsEncryptedRule } from './ebs-encrypted/index.ts';
import { ec2EbsOptimizedRule } from './ec2-ebs-optimized/index.ts';
import { iamConsoleMfaRule } from './iam-console-mfa/index.ts';
import { iamUserMfaRule } from './iam-user-mfa/index.ts';
import { publicBucketRule } from './public-bucket/index.ts';
import { publicBucketResponder } from './public-bucket/responder.ts';
import { rdsNotPublicRule } from './rds-not-public/index.ts';
import { rdsSnapshotNotPublicRule } from './rds-snapshot-not-public/index.ts';
import { snapshotPrivateResponder } from './rds-snapshot-not-public/responder.ts';
import { rdsStorageEncryptedRule } from './rds-storage-encrypted/index.ts';
import { requiredTagsRule } from './required-tags/index.ts';
import { rootMfaRule } from './root-mfa/index.ts';
import { s3VersioningRule } from './s3-versioning/index.ts';
import { versioningEnableResponder } from './s3-versioning/responder.ts';
import { securityGroupRule } from './security-group/index.ts';
import { driftRevertResponder } from './security-group/responder.ts';

/**
 * Every Plumbline rule, in the order reports list them, with its default scope: the one list the CLI, the
 * Lambda bundles, the deployment (functions, Config rules, IAM grants), the benchmarks and the budgets read
 * (docs/adding-a-rule.md). A rule whose scope follows the suite settings (`Rule.forSettings`) is built for
 * them by {@link rulesFor}.
 */
export const RULES: readonly AnyRule[] = [
  securityGroupRule,
  requiredTagsRule,
  publicBucketRule,
  ebsEncryptedRule,
  ebsAttachedRule,
  ec2EbsOptimizedRule,
  rdsNotPublicRule,
  rdsSnapshotNotPublicRule,
  rdsStorageEncryptedRule,
  s3VersioningRule,
  iamUserMfaRule,
  iamConsoleMfaRule,
  rootMfaRule,
];

/** The rules as configured by the suite settings: what the CLI and deployment evaluate. */
export function rulesFor(settings: SuiteSettings): AnyRule[] {
  return RULES.map((rule) => rule.forSettings?.(settings) ?? rule);
}

export function findRule(name: string): AnyRule | undefined {
  return RULES.find((rule) => rule.name === name);
}

/**
 * Validates a whole suite configuration the way the functions will read it: every rule's parameters and
 * every responder's settings. Throws the first ParameterError, naming the parameter and the value.
 */
export function checkSuiteConfig(config: SuiteConfig): void {
  for (const rule of rulesFor(config.settings))
    rule.parseParameters(config.rules[rule.name] ?? {}, config.settings);
  checkResponderSettings(config.settings);
}

/** Every responder (EventBridge, CloudTrail calls), each a spec next to the rule it acts for. */
export const RESPONDERS: readonly AnyResponderSpec[] = [
  driftRevertResponder,
  publicBucketResponder,
  snapshotPrivateResponder,
  versioningEnableResponder,
];

/** Validates every responder's settings; throws the first ParameterError. */
export function checkResponderSettings(settings: SuiteSettings): void {
  for (const responder of RESPONDERS) responder.responderSettings(settings);
}
