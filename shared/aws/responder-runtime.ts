/**
 * The runtime every responder shares, beside `config-runtime.ts`: the environment, CloudTrail event parsing,
 * failed and own calls skipped (exact role ARNs only), the port for the event's account (the execution role
 * assumed in another account), notice publishing (an applied change's notice kept for EventBridge's retry)
 * and failure logging. A responder is a spec (`shared/core/responder.ts`) plus a port onto its service.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import {
  actorOf,
  eventAccount,
  functionRoleArnsFromEnv,
  parseCloudTrailEvent,
  type SelfIdentity,
} from '../core/cloudtrail.ts';
import {
  type Environment,
  executionRoleNameFromEnv,
  rulePrefixFromEnv,
  topicArnFromEnv,
} from '../core/environment.ts';
import type { Notice } from '../core/notification.ts';
import {
  type ResponderCall,
  type ResponderLog,
  type ResponderResult,
  type ResponderSpec,
  skipReason,
} from '../core/responder.ts';
import type { SuiteConfig } from '../core/suite-config.ts';
import { logger } from '../lambda/logger.ts';
import { bundledSuiteConfig } from '../lambda/suite.ts';
import { accountClients, accountOfFunction } from './assume-role.ts';
import { clientSettings } from './clients.ts';
import { publishNotice } from './sns.ts';

/** The environment every event-driven function reads, validated one way; errors name the variable. */
export interface ResponderEnvironment {
  /** `PLUMBLINE_TOPIC_ARN` (required): where notices go. */
  topicArn: string;
  /** `PLUMBLINE_RULE_PREFIX`: the start of the deployment's Config rule names. */
  rulePrefix: string;
  /** `PLUMBLINE_EXECUTION_ROLE_NAME`: organisation mode, the role to assume in an event's account. */
  executionRoleName?: string | undefined;
  /** `PLUMBLINE_FUNCTION_ROLE_ARN`: the function's own role, exact ARN (path included). */
  functionRoleArns: string[];
}

export function responderEnvironment(env: Environment = process.env): ResponderEnvironment {
  return {
    topicArn: topicArnFromEnv(env),
    rulePrefix: rulePrefixFromEnv(env),
    executionRoleName: executionRoleNameFromEnv(env),
    functionRoleArns: functionRoleArnsFromEnv(env),
  };
}

export interface ResponderOptions<Port> {
  /** The port onto the responder's service in `region`; `credentials` undefined means the function's role. */
  port: (region: string, credentials?: AwsCredentialIdentityProvider) => Port;
  sns?: SNSClient;
  sts?: STSClient;
  /** The environment; read from `process.env` (and validated) on first use by default. */
  environment?: () => ResponderEnvironment;
  /** Overrides the function's own role ARNs (`PLUMBLINE_FUNCTION_ROLE_ARN`). */
  selfIdentity?: () => Pick<SelfIdentity, 'roleArns'>;
  suiteConfig?: () => SuiteConfig;
  now?: () => Date;
  log?: ResponderLog;
}

/** How many unsent notices a warm function keeps for retries (the oldest goes first). */
const MAX_UNSENT = 100;

type Handler<Result> = (input: unknown, context?: { invokedFunctionArn?: string }) => Promise<Result>;

/**
 * The Lambda handler of a responder spec: validates the environment and settings on the first invocation
 * (so a bundle loads without them), parses the CloudTrail event, skips what the spec leaves alone, and hands
 * the call to the spec with its port, its publisher and its logger.
 */
export function createResponder<Settings, Port, Result extends ResponderResult>(
  spec: ResponderSpec<Settings, Port, Result>,
  options: ResponderOptions<Port>,
): Handler<Result | { status: 'skipped'; reason: string }> {
  const readEnvironment = options.environment ?? (() => responderEnvironment(process.env));
  const readSuite = options.suiteConfig ?? bundledSuiteConfig;
  const now = options.now ?? (() => new Date());
  const log = options.log ?? logger;
  const sns = options.sns ?? new SNSClient(clientSettings());
  const portFor = accountClients(options.port, `plumbline-${spec.name}`, options.sts);
  const unsent = new Map<string, Notice>();
  let environment: ResponderEnvironment | undefined;
  let settings: Settings | undefined;

  async function publish(topicArn: string, key: string, notice: Notice): Promise<string | undefined> {
    try {
      const messageId = await publishNotice(sns, topicArn, notice);
      unsent.delete(key);
      return messageId;
    } catch (error) {
      if (notice.outcome === 'applied') {
        if (unsent.size >= MAX_UNSENT) unsent.delete(unsent.keys().next().value as string);
        unsent.set(key, notice);
      }
      log.error('notification not sent', { key, notice: JSON.stringify(notice), error: error as Error });
      throw error;
    }
  }

  return async (input, context) => {
    environment ??= readEnvironment();
    settings ??= spec.settings(readSuite());
    const env = environment;
    const event = parseCloudTrailEvent(input);
    const { detail } = event;
    const self: SelfIdentity = {
      roleArns: [
        ...(options.selfIdentity?.().roleArns ?? env.functionRoleArns),
        ...(spec.selfRoleArns?.(settings) ?? []),
      ],
      executionRoleName: env.executionRoleName,
    };
    const eventId = event.id ?? detail.eventID ?? `${detail.eventName}@${detail.eventTime}`;
    const skip = skipReason(event, spec, self);
    if (skip !== undefined) {
      log.info('event skipped', { eventId, eventName: detail.eventName, reason: skip });
      return { status: 'skipped', reason: skip };
    }
    const accountId = eventAccount(event);
    const region = detail.awsRegion;
    const ownAccount = accountOfFunction(context?.invokedFunctionArn);
    const call: ResponderCall<Settings, Port> = {
      event,
      detail,
      eventId,
      accountId,
      region,
      actor: actorOf(detail),
      ruleName: `${env.rulePrefix}${spec.rule}`,
      settings,
      port: async () => {
        const target = portFor(accountId, region, ownAccount, env.executionRoleName);
        await target.credentials?.(); // one clear error naming the role, before any call to the service
        return target.clients;
      },
      publish: (key, notice) => publish(env.topicArn, key, notice),
      pending: (key) => unsent.get(key),
      now,
      log,
    };
    return spec.handle(call);
  };
}
