/**
 * The CDK app: reads the deployment settings (context) and the suite configuration, checks the bundles, and
 * creates the stacks for the chosen mode. Offline: no context lookups, no Docker, no credentials.
 *
 * Stack names start with the name prefix in Pascal case (`Plumbline` for the default `plumbline`, `AcmeGuard`
 * for `acme-guard`), so that two deployments with different prefixes never share a stack:
 * Account mode: `Plumbline` (or `Plumbline-<region>` per listed region).
 * Organisation mode: `PlumblineOrg-<region>` per region in the delegated administrator account (the home
 * region's stack owns the StackSet and is deployed first); with `plumbline:stacks=member`, only
 * `PlumblineMember-<region>`, the member template as plain stacks for the management account.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type App, type IStackSynthesizer, type Stack, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { recordedTypes } from '../shared/core/account-item.ts';
import { CONFIG_RULE_FUNCTIONS, deployedFunctions, type FunctionName } from './catalog.ts';
import {
  checkRecordedTypes,
  configRecorderSettings,
  type DeploymentSettings,
  homeRegionOf,
  readSettings,
} from './settings.ts';
import { AccountStack } from './stacks/account-stack.ts';
import { LogArchiveStack } from './stacks/log-archive-stack.ts';
import {
  ACCESS_LOGS_BY_BUCKET_POLICY,
  MemberStack,
  type MemberStackProps,
  memberTemplateBody,
} from './stacks/member-stack.ts';
import { OrganizationStack } from './stacks/organization-stack.ts';
import { bundleDirectories, type LoadedSuite, loadSuite, ruleScope } from './suite.ts';

export const REPOSITORY_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface PlumblineApp {
  settings: DeploymentSettings;
  stacks: Stack[];
}

export interface DefineOptions {
  /** Run cdk-nag's AwsSolutions checks at synth (the app always does; tests call the pack directly). */
  nag?: boolean;
  /** A synthesizer per stack with assets (`npm run package`: assets as template parameters). */
  synthesizer?: (() => IStackSynthesizer) | undefined;
}

export function definePlumbline(app: App, options: DefineOptions = {}): PlumblineApp {
  // Server access logs are delivered under a bucket policy, so every bucket can keep ACLs disabled.
  app.node.setContext(ACCESS_LOGS_BY_BUCKET_POLICY, true);
  const settings = readSettings((key) => app.node.tryGetContext(key), Object.keys(app.node.getAllContext()));
  const suite = loadSuite(resolve(REPOSITORY_ROOT, settings.configFile));
  // The account itself (AWS::::Account) is judged without being recorded: no recorder lists it.
  checkRecordedTypes(
    settings,
    CONFIG_RULE_FUNCTIONS.flatMap((rule) => recordedTypes(ruleScope(suite, rule))),
  );

  let stacks: Stack[];
  if (settings.mode === 'organization' && settings.stacks === 'member') {
    stacks = memberStacks(app, settings);
  } else if (settings.mode === 'organization' && settings.stacks === 'log-archive') {
    stacks = [logArchiveStack(app, settings)];
  } else {
    const bundles = bundleDirectories(
      resolve(REPOSITORY_ROOT, settings.assetDir),
      suite,
      deployedFunctions(settings.responders),
    );
    stacks =
      settings.mode === 'account'
        ? accountStacks(app, settings, suite, bundles, options.synthesizer)
        : organizationStacks(app, settings, suite, bundles, options.synthesizer);
  }

  for (const [key, value] of Object.entries(resourceTags(settings))) Tags.of(app).add(key, value);
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { settings, stacks };
}

type Bundles = Record<FunctionName, string>;

/** `plumbline` → `Plumbline`, `acme-guard` → `AcmeGuard`: the start of every stack name. */
export function stackNamePrefix(namePrefix: string): string {
  return namePrefix
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** `Plumbline`, or `Plumbline-<region>` per listed region (the home region records global types, has the trail). */
function accountStacks(
  app: App,
  settings: DeploymentSettings,
  suite: LoadedSuite,
  bundles: Bundles,
  synthesizer?: () => IStackSynthesizer,
): Stack[] {
  const regions = settings.regions.length > 0 ? settings.regions : [undefined];
  const name = stackNamePrefix(settings.namePrefix);
  const home = homeRegionOf(settings);
  const stacks = regions.map(
    (region) =>
      new AccountStack(app, region ? `${name}-${region}` : name, {
        env: region ? { region } : undefined,
        synthesizer: synthesizer?.(),
        description: 'Plumbline compliance guardrails (account mode)',
        settings,
        suite,
        bundles,
        primaryRegion: region === home,
      }),
  );
  // The home region's stack creates the (global) service-linked role the other regions' recorders use.
  const homeStack = stacks.find((stack) => stack.primaryRegion);
  if (settings.createConfigServiceLinkedRole && homeStack) {
    for (const stack of stacks) if (stack !== homeStack) stack.addStackDependency(homeStack);
  }
  return stacks;
}

/** `PlumblineOrg-<region>` per region; the home region's owns the StackSet and is deployed first. */
function organizationStacks(
  app: App,
  settings: DeploymentSettings,
  suite: LoadedSuite,
  bundles: Bundles,
  synthesizer?: () => IStackSynthesizer,
): Stack[] {
  // readSettings checked both in organisation mode.
  const organizationId = settings.organizationId as string;
  const managementAccountId = settings.managementAccountId as string;
  const homeRegion = settings.homeRegion as string;
  const otherRegions = settings.regions.filter((region) => region !== homeRegion);
  const name = `${stackNamePrefix(settings.namePrefix)}Org`;
  const orgProps = { settings: { ...settings, organizationId, managementAccountId }, suite, bundles };
  const home = new OrganizationStack(app, `${name}-${homeRegion}`, {
    ...orgProps,
    env: { region: homeRegion },
    synthesizer: synthesizer?.(),
    description: `Plumbline compliance guardrails (organisation mode, home region ${homeRegion})`,
    memberTemplateBody: memberTemplateBody(memberProps(settings)),
  });
  const regional = otherRegions.map((region) => {
    const stack = new OrganizationStack(app, `${name}-${region}`, {
      ...orgProps,
      env: { region },
      synthesizer: synthesizer?.(),
      description: `Plumbline compliance guardrails (organisation mode, ${region})`,
    });
    // The member roles (home region's StackSet) must exist before this region's rules evaluate.
    stack.addStackDependency(home);
    return stack;
  });
  return [home, ...regional];
}

/**
 * `plumbline:stacks=member`: the member template as plain stacks, `PlumblineMember-<region>`, for accounts the
 * StackSet does not reach (the management account). Deployed with that account's credentials; no bundles.
 */
function memberStacks(app: App, settings: DeploymentSettings): Stack[] {
  // The StackSet's template, synthesised for its checks only: the same quotas bound these stacks.
  memberTemplateBody(memberProps(settings));
  return settings.regions.map(
    (region) =>
      new MemberStack(app, `${stackNamePrefix(settings.namePrefix)}Member-${region}`, {
        ...memberProps(settings),
        env: { region },
        description: 'Plumbline member roles and event forwarding (for accounts the StackSet does not reach)',
      }),
  );
}

function memberProps(settings: DeploymentSettings): MemberStackProps {
  return {
    namePrefix: settings.namePrefix,
    // readSettings requires it in organisation mode, the only one with member stacks.
    homeRegion: settings.homeRegion as string,
    executionRoleName: settings.executionRoleName,
    eventBusName: settings.eventBusName,
    regions: settings.regions,
    responders: settings.responders,
    inventory: settings.inventory,
    adminAccountId: settings.adminAccountId,
    resourceTags: resourceTags(settings),
    configRecorder: settings.createConfigRecorder ? configRecorderSettings(settings) : undefined,
  };
}

/**
 * `plumbline:stacks=log-archive`: `PlumblineLogArchive`, the central Config delivery bucket, deployed in the
 * log-archive account in the home region with that account's credentials; no bundles.
 */
function logArchiveStack(app: App, settings: DeploymentSettings): Stack {
  return new LogArchiveStack(app, `${stackNamePrefix(settings.namePrefix)}LogArchive`, {
    env: { region: settings.homeRegion as string },
    description:
      'Plumbline: the central AWS Config delivery bucket of the organisation (log-archive account)',
    // readSettings requires both for stacks=log-archive.
    bucketName: settings.configDeliveryBucket as string,
    organizationId: settings.organizationId as string,
    kmsKeyArn: settings.configDeliveryKmsKeyArn,
    retentionDays: settings.configRetentionDays,
  });
}

/** Every resource says it is Plumbline's, plus the tags the settings ask for. */
function resourceTags(settings: DeploymentSettings): Record<string, string> {
  return { 'plumbline:component': 'plumbline', ...settings.tags };
}
