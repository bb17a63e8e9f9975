/**
 * Deployment settings: CDK context values (`cdk.json` → `context`, or `-c plumbline:<key>=<value>` on the
 * command line), validated at the edge. Every error names the context key and the value.
 *
 * Context from the command line always arrives as a string, from `cdk.json` as JSON: lists accept either a
 * JSON array or a comma-separated string, booleans `true`/`false` in either form.
 */
import * as z from 'zod';
import type { InventoryStrategy } from '../shared/aws/config-inventory.ts';
import { InputError } from '../shared/core/model.ts';
import { DEFAULT_NAME_PREFIX, MEMBER_ROLE_SUFFIX_LENGTH, ROLE_NAME_LIMIT } from './catalog.ts';

export const CONTEXT_PREFIX = 'plumbline:';

/** The frequencies AWS Config accepts for periodic rules (`MaximumExecutionFrequency`). */
export const PERIODIC_FREQUENCIES = [
  'One_Hour',
  'Three_Hours',
  'Six_Hours',
  'Twelve_Hours',
  'TwentyFour_Hours',
] as const;
export type PeriodicFrequency = (typeof PERIODIC_FREQUENCIES)[number];

/** The retention periods CloudWatch Logs accepts (`RetentionInDays`). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/**
 * How the Config-rule functions read Config's inventory in a periodic run (`PLUMBLINE_INVENTORY`, read by
 * `shared/aws/config-inventory.ts`): `select` (advanced query) or `list` (ListDiscoveredResources then
 * BatchGetResourceConfig, for resource types advanced query does not cover). Each gets only its own actions.
 */
export const INVENTORY_STRATEGIES = ['select', 'list'] as const satisfies readonly InventoryStrategy[];

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * The start of every name the app fixes (functions, roles, trail, bus, Config rules, StackSet, member roles,
 * stacks). Lower case so that one value is valid for every service (S3, CloudTrail, Lambda, IAM, EventBridge);
 * 20 characters so that `<prefix>-<function>-<region>` stays within IAM's 64 for role names.
 */
const namePrefix = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,18}[a-z0-9]$/,
    'expected 2 to 20 lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen',
  )
  .refine((prefix) => !prefix.includes('--'), 'no two hyphens in a row')
  .refine(
    (prefix) => !prefix.startsWith('aws'),
    'must not start with "aws" (AWS reserves it for its own names)',
  )
  .refine((prefix) => prefix !== 'default', '"default" is the name of every account\'s default event bus');

/** The start of the member roles' names when `executionRoleName` is not set. */
export function defaultExecutionRoleName(prefix: string): string {
  return prefix === DEFAULT_NAME_PREFIX ? 'PlumblineExecutionRole' : `${prefix}-execution`;
}
const ROLE_NAME = /^[\w+=,.@-]+$/;
/** `executionRoleName` leaves room for the longest `-<function>` within IAM's 64 characters. */
export const EXECUTION_ROLE_NAME_LIMIT = ROLE_NAME_LIMIT - MEMBER_ROLE_SUFFIX_LENGTH;
const RESOURCE_TYPE = /^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/;

function listItems(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'string') return [value];
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

const list = (item: z.ZodType<string>) =>
  z.preprocess(
    (value) => (typeof value === 'string' ? listItems(value) : value),
    z.array(item).refine((items) => new Set(items).size === items.length, 'lists each value once'),
  );

const flag = z.preprocess(
  (value) => (value === 'true' ? true : value === 'false' ? false : value),
  z.boolean({ error: 'expected true or false' }),
);

const wholeNumber = z.preprocess(
  (value) => (typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value),
  z.number({ error: 'expected a whole number' }).int('expected a whole number'),
);

/** Lambda reserved concurrency: at least 1 (0 would stop the function), at most Lambda's default quota. */
const concurrency = wholeNumber.pipe(
  z.number().min(1, 'at least 1 (0 would throttle every invocation)').max(1000, 'at most 1000'),
);

/**
 * Reserved concurrency defaults, per function: 20 per rule and 10 per responder and the notifier (13 × 20 +
 * 5 × 10 = 310 of a region's default 1,000; Lambda keeps 100 unreserved), so that a burst on one function
 * never takes the concurrency of another.
 */
export const DEFAULT_CONCURRENCY = { rule: 20, event: 10 } as const;

const tagMap = z.preprocess(
  (value) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  },
  z.record(z.string().min(1).max(128), z.string().max(256), {
    error: 'expected a JSON object of tag keys to string values',
  }),
);

const settingsObject = z.object({
  mode: z.enum(['account', 'organization']).default('account'),
  /** The start of every fixed name, so that two deployments in one account (or organisation) never collide. */
  namePrefix: namePrefix.default(DEFAULT_NAME_PREFIX),
  /**
   * The region that holds what exists once: the StackSet and the member roles (organisation mode, required),
   * the trail and the recording of global resource types (account mode: the first of `regions` by default).
   */
  homeRegion: z.string().regex(REGION, 'expected an AWS Region name such as eu-west-1').optional(),
  /** The suite configuration file, relative to the repository root. */
  configFile: z.string().min(1).default('plumbline.config.yaml'),
  /** Where `npm run build` writes the bundles (`<assetDir>/<function>/index.mjs`). */
  assetDir: z.string().min(1).default('dist'),
  /** Regions to deploy to; empty means the CLI's current region (an environment-agnostic stack). */
  regions: list(z.string().regex(REGION, 'expected AWS Region names such as eu-west-1')).default([]),
  notificationEmails: list(z.email('expected email addresses')).default([]),
  periodicFrequency: z.enum(PERIODIC_FREQUENCIES).default('TwentyFour_Hours'),
  logRetentionDays: wholeNumber
    .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
      message: `expected one of ${LOG_RETENTION_DAYS.join(', ')}`,
    })
    .default(90),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  /** Deploy the EventBridge responders (revert and remediate); false leaves detection and notification. */
  responders: flag.default(true),
  /** Reserved concurrency of each Config-rule function: a scan storm (or noise) cannot starve the others. */
  ruleConcurrency: concurrency.default(DEFAULT_CONCURRENCY.rule),
  /** Reserved concurrency of each responder and of the notifier: they always have room to act. */
  eventConcurrency: concurrency.default(DEFAULT_CONCURRENCY.event),
  /** How the Config-rule functions read the inventory (`PLUMBLINE_INVENTORY`); decides their Config grants. */
  inventory: z.enum(INVENTORY_STRATEGIES).default('select'),
  /** Tags for every resource the app creates (a required-tags policy applies to Plumbline's own resources too). */
  tags: tagMap.default({}),
  /**
   * Create AWS Config's recorder, delivery channel and bucket (for accounts without Config): account mode in
   * this account; organisation mode in every member account and region, through the StackSet (leave it off
   * where AWS Control Tower or an existing set-up already records).
   */
  createConfigRecorder: flag.default(false),
  /** The created recorder: `CONTINUOUS` (every change) or `DAILY` (periodic recording). */
  configRecordingFrequency: z.enum(['CONTINUOUS', 'DAILY']).default('CONTINUOUS'),
  /** The created recorder records only these types (empty: every supported type). */
  configResourceTypes: list(
    z.string().regex(RESOURCE_TYPE, 'expected resource types such as AWS::EC2::SecurityGroup'),
  ).default([]),
  /** The created recorder records every supported type but these. */
  configExcludedResourceTypes: list(
    z.string().regex(RESOURCE_TYPE, 'expected resource types such as AWS::EC2::SecurityGroup'),
  ).default([]),
  /**
   * Deliver to this existing bucket (the central one of a log-archive account, `stacks=log-archive`) instead
   * of creating a bucket per account and region.
   */
  configDeliveryBucket: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      'expected an S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens',
    )
    .refine((name) => !name.includes('..'), 'no two dots in a row')
    .optional(),
  /** The KMS key (key ARN) Config encrypts delivered objects with, in the delivery bucket's region. */
  configDeliveryKmsKeyArn: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:kms:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:key\/[a-zA-Z0-9-]{1,128}$/,
      'expected a KMS key ARN (arn:aws:kms:region:account:key/id)',
    )
    .optional(),
  /**
   * Create AWS Config's service-linked role `AWSServiceRoleForConfig`, which the created recorders use; leave
   * false where it exists (creating it again fails): `aws iam create-service-linked-role
   * --aws-service-name config.amazonaws.com` once per account.
   */
  createConfigServiceLinkedRole: flag.default(false),
  /** Days the Config delivery bucket keeps snapshots and history files. */
  configRetentionDays: wholeNumber.pipe(z.number().min(1)).default(365),
  /** Create a CloudTrail trail (an organisation trail in organisation mode) for accounts that have none. */
  createTrail: flag.default(false),
  /** Days the trail bucket keeps log files. */
  trailRetentionDays: wholeNumber.pipe(z.number().min(1)).default(365),
  // Organisation mode.
  organizationId: z
    .string()
    .regex(/^o-[a-z0-9]{10,32}$/, 'expected an organisation id such as o-a1b2c3d4e5')
    .optional(),
  /** Where the StackSet creates the member roles and event forwarding: OU ids or the root id. */
  organizationalUnitIds: list(
    z.string().regex(/^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/, 'expected ou-… or r-… ids'),
  ).default([]),
  /**
   * The start of the member roles' names: each function assumes its own, `<executionRoleName>-<function>`.
   * Default: `PlumblineExecutionRole` with the default prefix, `<namePrefix>-execution` otherwise.
   */
  executionRoleName: z
    .string()
    .regex(ROLE_NAME, 'expected an IAM role name')
    .max(
      EXECUTION_ROLE_NAME_LIMIT,
      `at most ${EXECUTION_ROLE_NAME_LIMIT} characters (the member roles append -<function>, up to ${MEMBER_ROLE_SUFFIX_LENGTH})`,
    )
    .optional(),
  /** Accounts Plumbline leaves out: the organisation Config rules skip them and the StackSet does not deploy there. */
  excludedAccounts: list(z.string().regex(/^\d{12}$/, 'expected 12-digit account ids')).default([]),
  /** The organisation's management account, which service-managed StackSets never reach. */
  managementAccountId: z
    .string()
    .regex(/^\d{12}$/, 'expected a 12-digit account id')
    .optional(),
  /**
   * Evaluate the management account too: its member roles come from `stacks=member`, deployed there with its
   * own credentials. Otherwise the organisation rules exclude it.
   */
  evaluateManagementAccount: flag.default(false),
  /**
   * Organisation mode: `administrator` (the functions), `member` (the member stacks, for the management
   * account) or `log-archive` (the central Config delivery bucket, in the log-archive account).
   */
  stacks: z.enum(['administrator', 'member', 'log-archive']).default('administrator'),
  /** `DELEGATED_ADMIN` when deploying from the delegated administrator account, `SELF` from the management one. */
  stackSetCallAs: z.enum(['DELEGATED_ADMIN', 'SELF']).default('DELEGATED_ADMIN'),
  /** The central event bus in the administrator account that member accounts forward CloudTrail events to. */
  eventBusName: z
    .string()
    .regex(/^[\w.-]{1,256}$/, 'expected an event bus name')
    .refine((name) => name !== 'default', 'the central bus must be a custom bus, not default')
    .optional(),
  /** The administrator account id, for the stand-alone member stack (the management account's copy). */
  adminAccountId: z
    .string()
    .regex(/^\d{12}$/, 'expected a 12-digit account id')
    .optional(),
});

/** Names derived from the prefix unless set: the central bus is `<namePrefix>`. */
const settingsSchema = settingsObject.transform((settings) => ({
  ...settings,
  executionRoleName: settings.executionRoleName ?? defaultExecutionRoleName(settings.namePrefix),
  eventBusName: settings.eventBusName ?? settings.namePrefix,
}));

export type DeploymentSettings = z.output<typeof settingsSchema>;
export type SettingKey = keyof DeploymentSettings;
export const SETTING_KEYS = Object.keys(settingsObject.shape) as SettingKey[];

/**
 * Reads the settings through `lookup` (the app's `node.tryGetContext`). Unknown `plumbline:` keys are an
 * error too, so that a typo never silently deploys the default.
 */
export function readSettings(
  lookup: (key: string) => unknown,
  contextKeys: readonly string[] = [],
): DeploymentSettings {
  const unknown = contextKeys
    .filter((key) => key.startsWith(CONTEXT_PREFIX))
    .map((key) => key.slice(CONTEXT_PREFIX.length))
    .filter((key) => !(SETTING_KEYS as string[]).includes(key));
  if (unknown.length > 0) {
    throw new InputError(
      `Unknown context key ${CONTEXT_PREFIX}${unknown[0]} (known: ${SETTING_KEYS.map((key) => CONTEXT_PREFIX + key).join(', ')})`,
    );
  }
  const raw: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const value = lookup(CONTEXT_PREFIX + key);
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? '');
    const shown = JSON.stringify(raw[key]) ?? 'undefined';
    const index = issue?.path[1];
    const item = typeof index === 'number' ? ` (${JSON.stringify(listItems(raw[key])[index])})` : '';
    throw new InputError(
      `Invalid context ${CONTEXT_PREFIX}${key}=${shown}${item}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return checkOrganization(checkRecording(checkHomeRegion(parsed.data)));
}

/** One way to choose the recorded types, and only for a recorder this app creates. */
function checkRecording(settings: DeploymentSettings): DeploymentSettings {
  const { configResourceTypes, configExcludedResourceTypes } = settings;
  if (configResourceTypes.length > 0 && configExcludedResourceTypes.length > 0) {
    throw new InputError(
      `Invalid context ${CONTEXT_PREFIX}configExcludedResourceTypes=${JSON.stringify(configExcludedResourceTypes.join(','))}: ` +
        `record a list (${CONTEXT_PREFIX}configResourceTypes) or all but a list, not both`,
    );
  }
  const recordingSet =
    configResourceTypes.length > 0 ||
    configExcludedResourceTypes.length > 0 ||
    settings.configRecordingFrequency !== 'CONTINUOUS';
  const delivery: [SettingKey, unknown][] = [
    ['configDeliveryBucket', settings.configDeliveryBucket],
    ['configDeliveryKmsKeyArn', settings.configDeliveryKmsKeyArn],
    ['createConfigServiceLinkedRole', settings.createConfigServiceLinkedRole || undefined],
  ];
  for (const [key, value] of delivery) {
    if (value !== undefined && !settings.createConfigRecorder) {
      throw new InputError(
        `Invalid context ${CONTEXT_PREFIX}${key}=${JSON.stringify(value)}: it sets up the recorder this app creates, ` +
          `and ${CONTEXT_PREFIX}createConfigRecorder is false`,
      );
    }
  }
  if (settings.configDeliveryKmsKeyArn !== undefined && settings.configDeliveryBucket === undefined) {
    throw new InputError(
      `Invalid context ${CONTEXT_PREFIX}configDeliveryKmsKeyArn=${JSON.stringify(settings.configDeliveryKmsKeyArn)}: ` +
        `it is the key of the central bucket, and ${CONTEXT_PREFIX}configDeliveryBucket is not set (a created bucket uses S3-managed keys)`,
    );
  }
  if (recordingSet && !settings.createConfigRecorder) {
    throw new InputError(
      `Invalid context ${CONTEXT_PREFIX}configResourceTypes, configExcludedResourceTypes or configRecordingFrequency: ` +
        `they set up the recorder this app creates, and ${CONTEXT_PREFIX}createConfigRecorder is false`,
    );
  }
  return settings;
}

/** The created recorder's settings (`configRecordingFrequency`, `configResourceTypes`, `configExcludedResourceTypes`). */
export function recordingSettings(settings: DeploymentSettings) {
  return {
    frequency: settings.configRecordingFrequency,
    resourceTypes: settings.configResourceTypes,
    excludedResourceTypes: settings.configExcludedResourceTypes,
  };
}

/** What the created recorders need: retention, recording, the central bucket, the service-linked role. */
export function configRecorderSettings(settings: DeploymentSettings) {
  return {
    retentionDays: settings.configRetentionDays,
    recording: recordingSettings(settings),
    deliveryBucket: settings.configDeliveryBucket
      ? { bucketName: settings.configDeliveryBucket, kmsKeyArn: settings.configDeliveryKmsKeyArn }
      : undefined,
    createServiceLinkedRole: settings.createConfigServiceLinkedRole,
  };
}

/**
 * The created recorder must record every type a rule evaluates: a rule never evaluates a type that is not
 * recorded, and would stay silent about it.
 */
export function checkRecordedTypes(settings: DeploymentSettings, ruleTypes: readonly string[]): void {
  if (!settings.createConfigRecorder) return;
  const { configResourceTypes, configExcludedResourceTypes } = settings;
  const missing =
    configResourceTypes.length > 0
      ? ruleTypes.filter((type) => !configResourceTypes.includes(type))
      : ruleTypes.filter((type) => configExcludedResourceTypes.includes(type));
  if (missing.length === 0) return;
  const key = configResourceTypes.length > 0 ? 'configResourceTypes' : 'configExcludedResourceTypes';
  const value = (configResourceTypes.length > 0 ? configResourceTypes : configExcludedResourceTypes).join(
    ',',
  );
  throw new InputError(
    `Invalid context ${CONTEXT_PREFIX}${key}=${JSON.stringify(value)}: the rules evaluate ${[...new Set(missing)].join(', ')}, ` +
      'which the recorder would not record (a rule never evaluates an unrecorded type)',
  );
}

/** `homeRegion` is one of `regions`; organisation mode needs it (checkOrganization). */
function checkHomeRegion(settings: DeploymentSettings): DeploymentSettings {
  const { homeRegion, regions } = settings;
  if (homeRegion !== undefined && !regions.includes(homeRegion)) {
    throw new InputError(
      `Invalid context ${CONTEXT_PREFIX}homeRegion=${JSON.stringify(homeRegion)}: not one of ` +
        `${CONTEXT_PREFIX}regions=${JSON.stringify(regions.join(','))}`,
    );
  }
  return settings;
}

/** The home region: `homeRegion`, or in account mode the first of `regions` (undefined: no regions listed). */
export function homeRegionOf(settings: DeploymentSettings): string | undefined {
  return settings.homeRegion ?? settings.regions[0];
}

function checkOrganization(settings: DeploymentSettings): DeploymentSettings {
  const missing = (key: SettingKey, why: string) =>
    new InputError(`Missing context ${CONTEXT_PREFIX}${key}: organisation mode needs ${why}`);
  if (settings.mode !== 'organization') {
    if (settings.stacks !== 'administrator') {
      throw new InputError(
        `Invalid context ${CONTEXT_PREFIX}stacks=${JSON.stringify(settings.stacks)}: ${settings.stacks} stacks exist in organisation mode only (${CONTEXT_PREFIX}mode=organization)`,
      );
    }
    return settings;
  }
  if (settings.stacks === 'log-archive') {
    if (!settings.organizationId) {
      throw missing(
        'organizationId',
        'the organisation (o-…) whose accounts may deliver to the central bucket',
      );
    }
    if (!settings.homeRegion) throw missing('homeRegion', 'the region of the central bucket');
    if (!settings.configDeliveryBucket)
      throw missing('configDeliveryBucket', 'the name of the central bucket');
    return settings;
  }
  if (settings.stacks === 'member') {
    if (settings.regions.length === 0) throw missing('regions', 'the regions of the member stacks');
    if (!settings.homeRegion) {
      throw missing('homeRegion', 'the home region of the administrator deployment (it holds the IAM roles)');
    }
    if (!settings.adminAccountId)
      throw missing('adminAccountId', 'the administrator account that hosts the functions');
    return settings;
  }
  if (!settings.organizationId) throw missing('organizationId', 'the organisation id (o-…)');
  if (settings.organizationalUnitIds.length === 0) {
    throw missing('organizationalUnitIds', 'the root id (r-…) the StackSet deploys the member roles to');
  }
  if (!settings.organizationalUnitIds.some((id) => id.startsWith('r-'))) {
    throw new InputError(
      `Invalid context ${CONTEXT_PREFIX}organizationalUnitIds=${JSON.stringify(settings.organizationalUnitIds.join(','))}: ` +
        "organisation Config rules evaluate every account of the organisation (AWS Config's OrganizationConfigRule " +
        'can only exclude accounts by id), so the StackSet must create the member roles in every account: list the ' +
        `root id (r-…), and name the accounts to leave out in ${CONTEXT_PREFIX}excludedAccounts (the rules skip them ` +
        'and the StackSet does not deploy there)',
    );
  }
  if (settings.regions.length === 0) throw missing('regions', 'the regions to evaluate');
  if (!settings.homeRegion) {
    throw missing(
      'homeRegion',
      `the home region, one of ${CONTEXT_PREFIX}regions: its stack holds the StackSet, which creates the member ` +
        'roles (IAM is global) there, and is deployed before the other regions',
    );
  }
  if (!settings.managementAccountId) {
    throw missing(
      'managementAccountId',
      'the management account id: StackSets never deploy there, so the organisation rules exclude it ' +
        `(or, with ${CONTEXT_PREFIX}evaluateManagementAccount=true, evaluate it through the member stacks deployed there)`,
    );
  }
  if (
    settings.evaluateManagementAccount &&
    settings.excludedAccounts.includes(settings.managementAccountId)
  ) {
    throw new InputError(
      `Invalid context ${CONTEXT_PREFIX}evaluateManagementAccount=true: the management account ` +
        `${settings.managementAccountId} is listed in ${CONTEXT_PREFIX}excludedAccounts`,
    );
  }
  return settings;
}
