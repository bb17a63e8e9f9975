/**
 * Notifications, SNS side: `publishNotice` for every sender, and the compliance notifier that turns a Config
 * compliance change into a notice (who changed the resource from CloudTrail, its name from Config).
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import {
  ConfigServiceClient,
  ListDiscoveredResourcesCommand,
  type ResourceType,
} from '@aws-sdk/client-config-service';
import { SNSClient } from '@aws-sdk/client-sns';
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import {
  type ChangeContext,
  type ComplianceChange,
  complianceChangeNotice,
  decide,
  type NotifierSettings,
  notifierSettingsFromEnv,
  parseComplianceChangeEvent,
  RecentKeys,
  transitionKey,
} from '../core/compliance-change.ts';
import { CrossAccountError } from '../core/responder.ts';
import { logger } from '../lambda/logger.ts';
import { type AccountClients, accountClients, accountOfFunction } from './assume-role.ts';
import { clientSettings } from './clients.ts';
import { lookUpActor } from './cloudtrail.ts';

import { publishNotice } from './sns.ts';

export interface ComplianceNotifierOptions {
  sns?: SNSClient;
  sts?: STSClient;
  /** The notifier's settings; read from the environment (and validated) on first use by default. */
  settings?: () => NotifierSettings;
  createCloudTrailClient?: (region: string, credentials?: AwsCredentialIdentityProvider) => CloudTrailClient;
  createConfigClient?: (region: string, credentials?: AwsCredentialIdentityProvider) => ConfigServiceClient;
  /** What a warm function remembers having sent; a fresh one per notifier by default. */
  recent?: RecentKeys;
}

export type NotifierResult =
  | { status: 'published'; messageId?: string | undefined; rule: string; resourceId: string; actor: string }
  | { status: 'skipped'; reason: string }
  | { status: 'duplicate'; key: string };

interface LookupClients {
  cloudtrail: CloudTrailClient;
  config: ConfigServiceClient;
}

/**
 * The `compliance-notifier` function: Config compliance change → filter → CloudTrail and Config lookups →
 * one SNS message. Repeats of a transition already sent by this warm function are dropped; a failed
 * publish throws and is not remembered, so the retry sends it.
 */
export function createComplianceNotifier(options: ComplianceNotifierOptions = {}) {
  const sns = options.sns ?? new SNSClient(clientSettings());
  const recent = options.recent ?? new RecentKeys();
  const readSettings = options.settings ?? (() => notifierSettingsFromEnv(process.env));
  let settings: NotifierSettings | undefined;
  const createCloudTrail =
    options.createCloudTrailClient ??
    ((region, credentials) => new CloudTrailClient({ ...clientSettings(credentials), region }));
  const createConfig =
    options.createConfigClient ??
    ((region, credentials) => new ConfigServiceClient({ ...clientSettings(credentials), region }));
  const clientsFor = accountClients(
    (region, credentials) => ({
      cloudtrail: createCloudTrail(region, credentials),
      config: createConfig(region, credentials),
    }),
    'plumbline-compliance-notifier',
    options.sts,
  );

  /** Clients for the resource's account and Region, or why there are none. */
  function lookupClients(
    change: ComplianceChange,
    roleName: string | undefined,
    ownAccount: string | undefined,
  ): AccountClients<LookupClients> | string {
    const { accountId, region } = change.resource;
    try {
      return clientsFor(accountId, region, ownAccount, roleName);
    } catch (error) {
      if (!(error instanceof CrossAccountError)) throw error;
      return `resource is in account ${accountId}; set PLUMBLINE_EXECUTION_ROLE_NAME to look it up there`;
    }
  }

  async function gatherContext(
    change: ComplianceChange,
    current: NotifierSettings,
    ownAccount: string | undefined,
  ): Promise<ChangeContext> {
    const clients = lookupClients(change, current.executionRoleName, ownAccount);
    if (typeof clients === 'string') return { actorNote: `CloudTrail lookup skipped: ${clients}` };
    if (clients.credentials) {
      try {
        await clients.credentials(); // one clear error naming the role, rather than two failed lookups
      } catch (error) {
        logger.warn('cannot assume the execution role', { error: error as Error });
        return { actorNote: `CloudTrail lookup failed: ${(error as Error).message}` };
      }
    }
    const [lookup, resourceName] = await Promise.all([
      lookUpActor(clients.clients.cloudtrail, {
        resourceId: change.resource.id,
        resourceType: change.resource.type,
        at: change.orderingTimestamp,
        windowMinutes: current.lookupWindowMinutes,
      }),
      lookUpResourceName(clients.clients.config, change),
    ]);
    if (lookup.status === 'failed') logger.warn('CloudTrail lookup failed', { note: lookup.note });
    return lookup.status === 'found'
      ? { actor: lookup.actor, resourceName }
      : { actorNote: lookup.note, resourceName };
  }

  return async (event: unknown, context?: { invokedFunctionArn?: string }): Promise<NotifierResult> => {
    // Validated on the first invocation rather than at import, so a bundle loads without its environment.
    settings ??= readSettings();
    const change = parseComplianceChangeEvent(event);
    const decision = decide(change, settings);
    const where = { rule: change.rule, resourceType: change.resource.type, resourceId: change.resource.id };
    if (!decision.notify) {
      logger.info('compliance change skipped', { ...where, reason: decision.reason });
      return { status: 'skipped', reason: decision.reason };
    }
    const key = transitionKey(change);
    if (recent.has(change.eventId) || recent.has(key)) {
      logger.info('compliance change already notified', { ...where, eventId: change.eventId, key });
      return { status: 'duplicate', key };
    }
    const found = await gatherContext(change, settings, accountOfFunction(context?.invokedFunctionArn));
    const notice = complianceChangeNotice(change, decision, found);
    const messageId = await publishNotice(sns, settings.topicArn, notice);
    recent.add(change.eventId);
    recent.add(key);
    const actor = describeFound(found);
    logger.info('compliance change notified', { ...where, outcome: decision.outcome, messageId, actor });
    return { status: 'published', messageId, rule: change.rule, resourceId: change.resource.id, actor };
  };
}

/** The resource's name as Config recorded it (a security group's group name); undefined if unknown. */
async function lookUpResourceName(
  config: ConfigServiceClient,
  change: ComplianceChange,
): Promise<string | undefined> {
  try {
    const response = await config.send(
      new ListDiscoveredResourcesCommand({
        resourceType: change.resource.type as ResourceType,
        resourceIds: [change.resource.id],
        includeDeletedResources: true,
        limit: 1,
      }),
    );
    const name = response.resourceIdentifiers?.[0]?.resourceName;
    return name?.trim() ? name : undefined;
  } catch (error) {
    logger.warn('Config resource name lookup failed', { error: error as Error });
    return undefined;
  }
}

function describeFound(found: ChangeContext): string {
  return found.actor?.arn ?? `unknown (${found.actorNote ?? 'no lookup'})`;
}
