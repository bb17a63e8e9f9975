import type { AnyRule, SuiteSettings } from '../core/model.ts';
import type { SuiteConfig } from '../core/suite-config.ts';
import { ebsAttachedRule } from './ebs-attached/index.ts';
import { ebsEncryptedRule } from './ebs-encrypted/index.ts';
import { ec2EbsOptimizedRule } from './ec2-ebs-optimized/index.ts';
import { iamConsoleMfaRule } from './iam-console-mfa/index.ts';
import { iamUserMfaRule } from './iam-user-mfa/index.ts';
import { publicBucketRule } from './public-bucket/index.ts';
import { parseResponderSettings } from './public-bucket/parameters.ts';
import { rdsNotPublicRule } from './rds-not-public/index.ts';
import { rdsSnapshotNotPublicRule } from './rds-snapshot-not-public/index.ts';
import { rdsStorageEncryptedRule } from './rds-storage-encrypted/index.ts';
import { requiredTagsRule, requiredTagsRuleFor } from './required-tags/index.ts';
import { rootMfaRule } from './root-mfa/index.ts';
import { s3VersioningRule } from './s3-versioning/index.ts';
import { securityGroupRule } from './security-group/index.ts';
import { parseDriftRevertSettings } from './security-group/responder.ts';

/**
 * Every Plumbline rule, in the order reports list them, with its default scope. A rule whose scope follows
 * the suite settings (required-tags' `tagPolicy.resourceTypes`) is built for them by {@link rulesFor}.
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
  return RULES.map((rule) => (rule.name === requiredTagsRule.name ? requiredTagsRuleFor(settings) : rule));
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

/** Validates every responder's settings; throws the first ParameterError. */
export function checkResponderSettings(settings: SuiteSettings): void {
  parseDriftRevertSettings(settings);
  parseResponderSettings(settings);
}
