/**
 * The account itself as the resource a rule judges: `AWS::::Account`, the resource type AWS's managed
 * account-level rules (root-account-mfa-enabled) report on, with the account id as the resource id. Config
 * records no configuration item for it, so the runtimes build this one for rules whose scope names it.
 */
import type { ConfigurationItem } from './model.ts';

export const ACCOUNT_RESOURCE_TYPE = 'AWS::::Account';

export function accountItem(accountId: string, region: string, captureTime: Date): ConfigurationItem {
  return {
    resourceType: ACCOUNT_RESOURCE_TYPE,
    resourceId: accountId,
    accountId,
    region,
    captureTime: captureTime.toISOString(),
    status: 'OK',
    tags: {},
    configuration: {},
    supplementaryConfiguration: {},
  };
}

/** The rule's resource types that Config's inventory can list (all but the account itself). */
export function recordedTypes(resourceTypes: readonly string[]): string[] {
  return resourceTypes.filter((type) => type !== ACCOUNT_RESOURCE_TYPE);
}

export function judgesAccount(resourceTypes: readonly string[]): boolean {
  return resourceTypes.includes(ACCOUNT_RESOURCE_TYPE);
}

/** The region Config records global resources (IAM) under, in the item's `awsRegion`. */
export const GLOBAL_REGION = 'global';

/**
 * Whether Config records the type once per account rather than per region: IAM's types (recorded with the
 * region {@link GLOBAL_REGION}, in the region that records global types) and the account itself.
 */
export function isGlobalResourceType(resourceType: string): boolean {
  return resourceType.startsWith('AWS::IAM::') || resourceType === ACCOUNT_RESOURCE_TYPE;
}
