/**
 * The Config-rule runtime: Config event → rules core → PutEvaluations. One adapter for every rule.
 */
import { ConfigServiceClient, GetComplianceDetailsByConfigRuleCommand } from '@aws-sdk/client-config-service';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { accountItem, judgesAccount, recordedTypes } from '../core/account-item.ts';
import { truncate } from '../core/annotation.ts';
import {
  type ChangedItem,
  type ConfigRuleInvocation,
  type ConfigurationItemSummary,
  parseConfigRuleEvent,
} from '../core/config-event.ts';
import {
  type IdentifiedUnreadable,
  type IsolatedVerdict,
  isEvaluable,
  isIdentified,
  judgeIsolated,
  judgeUnreadable,
  toEvaluation,
} from '../core/evaluate.ts';
import {
  type AccountFact,
  type AccountFacts,
  type AnyRule,
  type Compliance,
  type ConfigurationItem,
  type Evaluation,
  type EvaluationContext,
  InputError,
  notApplicable,
  ParameterError,
} from '../core/model.ts';
import type { SuiteConfig } from '../core/suite-config.ts';
import { logger } from '../lambda/logger.ts';
import { bundledSuiteConfig } from '../lambda/suite.ts';
import { assumedRoleCredentials, roleArn } from './assume-role.ts';
import { clientCache, clientSettings } from './clients.ts';
import {
  fetchConfigurationItem,
  type InventoryStrategy,
  inventoryPages,
  inventoryStrategyFromEnv,
  PAGE_SIZE,
} from './config-inventory.ts';
import { EvaluationWriter, type WriterOptions } from './evaluation-writer.ts';

/** Service-linked roles (`AWSServiceRoleForConfig`, `…ConfigMultiAccountSetup`, any service's) trust only their service. */
const SERVICE_LINKED_ROLE = /^AWSServiceRoleFor/i;

export interface AccountTarget {
  accountId: string;
  region: string;
  /** Assumed-role credentials for a member account; undefined means the function's own role. */
  credentials?: AwsCredentialIdentityProvider | undefined;
  config: ConfigServiceClient;
}

/** Loaders for the account facts rules may ask for; each runs at most once per invocation. */
export type AccountFactLoaders = {
  [Fact in AccountFact]?: (target: AccountTarget) => Promise<Exclude<AccountFacts[Fact], undefined>>;
};

export interface ConfigRuntimeOptions {
  /** Builds a Config client; `credentials` is undefined for the function's own role. */
  createConfigClient?: (credentials?: AwsCredentialIdentityProvider) => ConfigServiceClient;
  sts?: STSClient;
  accountFacts?: AccountFactLoaders;
  suiteConfig?: () => SuiteConfig;
  inventory?: InventoryStrategy;
  writer?: Pick<WriterOptions, 'maxAttempts' | 'maxInFlight' | 'baseDelayMs' | 'sleep'>;
  region?: string;
}

export interface RunSummary {
  rule: string;
  messageType: 'change' | 'oversized' | 'scheduled';
  evaluations: number;
  byCompliance: Record<Compliance, number>;
  staleCleaned: number;
  putEvaluationsCalls: number;
}

/**
 * Turns a rule into a Config custom-rule handler. Clients are built once per cold start (the function's
 * own Config client, then one per member account when `ExecutionRoleName` is set).
 */
export function createConfigRuleHandler(rule: AnyRule, options: ConfigRuntimeOptions = {}) {
  const createConfigClient =
    options.createConfigClient ?? ((credentials) => new ConfigServiceClient(clientSettings(credentials)));
  let ownConfig: ConfigServiceClient | undefined;
  let sts = options.sts;
  const memberConfigs = clientCache((arn) => {
    sts ??= new STSClient(clientSettings());
    const credentials = assumedRoleCredentials(sts, arn, `plumbline-${rule.name}`);
    return { credentials, config: createConfigClient(credentials) };
  });
  const suiteConfig = options.suiteConfig ?? bundledSuiteConfig;
  const region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';

  return async (event: unknown): Promise<RunSummary> => {
    const invocation = parseConfigRuleEvent(event);
    const { executionRoleName, ruleParameters } = splitRuntimeParameters(invocation.ruleParameters);
    const params = rule.parseParameters(ruleParameters, suiteConfig().settings);
    let target: AccountTarget;
    if (executionRoleName === undefined) {
      ownConfig ??= createConfigClient();
      target = { accountId: invocation.accountId, region, config: ownConfig };
    } else {
      const member = memberConfigs(roleArn(invocation.accountId, executionRoleName, region));
      await member.credentials(); // fail early, naming the role, if it cannot be assumed
      target = { accountId: invocation.accountId, region, ...member };
    }
    const run = new Invocation(rule, params, invocation, target, options);
    const summary = await run.execute();
    logger.info('evaluation run complete', { ...summary });
    return summary;
  };
}

function splitRuntimeParameters(raw: Record<string, unknown>) {
  const { ExecutionRoleName, ...ruleParameters } = raw;
  if (ExecutionRoleName === undefined || ExecutionRoleName === '')
    return { ruleParameters, executionRoleName: undefined };
  if (typeof ExecutionRoleName !== 'string' || !/^[\w+=,.@-]{1,64}$/.test(ExecutionRoleName)) {
    throw new ParameterError('ExecutionRoleName', ExecutionRoleName, 'expected an IAM role name');
  }
  if (SERVICE_LINKED_ROLE.test(ExecutionRoleName)) {
    throw new ParameterError(
      'ExecutionRoleName',
      ExecutionRoleName,
      'a service-linked role (such as AWSServiceRoleForConfig) cannot be assumed; name the Plumbline execution role',
    );
  }
  return { ruleParameters, executionRoleName: ExecutionRoleName };
}

/** One invocation: evaluate, write, and (periodic) clean stale results. */
class Invocation {
  private readonly writer: EvaluationWriter;
  private readonly counts: Record<Compliance, number> = { COMPLIANT: 0, NON_COMPLIANT: 0, NOT_APPLICABLE: 0 };
  private facts: Promise<AccountFacts> | undefined;
  private evaluations = 0;
  /** Inventory items that did not even say which resource they are: no verdict can be written for them. */
  private readonly unidentified: string[] = [];

  constructor(
    private readonly rule: AnyRule,
    private readonly params: unknown,
    private readonly invocation: ConfigRuleInvocation,
    private readonly target: AccountTarget,
    private readonly options: ConfigRuntimeOptions,
  ) {
    this.writer = new EvaluationWriter(target.config, {
      ...options.writer,
      resultToken: invocation.resultToken,
      testMode: invocation.testMode,
    });
  }

  async execute(): Promise<RunSummary> {
    const message = this.invocation.message;
    let staleCleaned = 0;
    if (message.type === 'change') {
      await this.evaluateChanged(message.changed, message.notificationCreationTime);
    } else if (message.type === 'oversized') {
      await this.evaluateOversized(message.summary);
    } else {
      staleCleaned = await this.scanAndCleanStale(message.notificationCreationTime);
    }
    await this.writer.flush();
    if (this.unidentified.length > 0) {
      // Every other item was written; failing the invocation makes the gap visible (and Config run it again).
      throw new InputError(
        `${this.unidentified.length} inventory item(s) could not be read nor identified, so no evaluation was written for them and stale results were not cleaned (the other ${this.evaluations} evaluations were written); first: ${truncate(this.unidentified[0] ?? '', MAX_LOGGED_PROBLEM)}`,
      );
    }
    return {
      rule: this.rule.name,
      messageType: message.type,
      evaluations: this.evaluations,
      byCompliance: this.counts,
      staleCleaned,
      putEvaluationsCalls: this.writer.calls,
    };
  }

  private async evaluateChanged(changed: ChangedItem, notificationCreationTime?: Date): Promise<void> {
    if (changed.unreadable) {
      await this.writeUnreadable(changed.unreadable, notificationCreationTime ?? new Date(), true);
      return;
    }
    const { item } = changed;
    const orderingTimestamp = new Date(item.captureTime);
    if (this.invocation.eventLeftScope) {
      await this.write(
        toEvaluation(
          this.rule,
          item,
          notApplicable('resource left the rule scope', 'left-scope'),
          orderingTimestamp,
        ),
      );
      return;
    }
    await this.write(await this.evaluate(item, orderingTimestamp), true);
  }

  private async evaluateOversized(summary: ConfigurationItemSummary): Promise<void> {
    const captureTime = new Date(summary.configurationItemCaptureTime);
    const resource = {
      resourceType: summary.resourceType,
      resourceId: summary.resourceId,
      resourceName: summary.resourceName ?? undefined,
      accountId: summary.awsAccountId ?? this.target.accountId,
      region: summary.awsRegion,
      status: summary.configurationItemStatus as ConfigurationItem['status'],
    };
    if (this.invocation.eventLeftScope || !isEvaluable(this.rule, resource)) {
      const reason = this.invocation.eventLeftScope
        ? notApplicable('resource left the rule scope', 'left-scope')
        : notApplicable(
            `${resource.resourceType} ${resource.resourceId} is out of scope or not recorded (${resource.status})`,
          );
      await this.write(toEvaluation(this.rule, resource, reason, captureTime));
      return;
    }
    const reading = await fetchConfigurationItem(
      this.target.config,
      summary.resourceType,
      summary.resourceId,
      captureTime,
    );
    if (reading === undefined) {
      throw new Error(
        `GetResourceConfigHistory returned no configuration item for ${summary.resourceType} ${summary.resourceId} at ${summary.configurationItemCaptureTime}`,
      );
    }
    if (reading.unreadable) {
      // The summary names the resource the history item was asked for.
      await this.writeUnreadable({ ...resource, problem: reading.unreadable.problem }, captureTime, true);
      return;
    }
    await this.write(await this.evaluate(reading.item, captureTime), true);
  }

  /**
   * The periodic run: evaluates every current item of the rule's types while reading the rule's earlier
   * results alongside (two independent page chains, so the run takes about as long as the longer of the two,
   * not their sum); then resources with a result that are no longer in the inventory become NOT_APPLICABLE.
   * Returns how many were cleaned.
   */
  private async scanAndCleanStale(orderingTimestamp: Date): Promise<number> {
    const tracker = new StaleTracker();
    let finishScan = () => {};
    const scanDone = new Promise<void>((resolve) => {
      finishScan = resolve;
    });
    const reading: EarlierResultsReading = { stopped: false, scanDone };
    const earlierResults = this.readEarlierResults(tracker, reading);
    // Awaited below; if the scan fails first, its failure is the one reported, never an unhandled rejection.
    earlierResults.catch(() => {});
    try {
      await this.scanInventory(orderingTimestamp, tracker);
    } catch (error) {
      reading.stopped = true;
      throw error;
    } finally {
      finishScan();
    }
    await earlierResults;
    // An item that could not be identified may be one of the results: cleaning could mark it wrongly.
    if (this.unidentified.length > 0) return 0;
    const stale = tracker.stale();
    for (const resource of stale) {
      const verdict = notApplicable('resource no longer exists in the AWS Config inventory', 'resource-gone');
      await this.write(
        toEvaluation(
          this.rule,
          { ...resource, accountId: this.target.accountId, region: this.target.region },
          verdict,
          orderingTimestamp,
        ),
      );
    }
    return stale.length;
  }

  private async scanInventory(orderingTimestamp: Date, tracker: StaleTracker): Promise<void> {
    const strategy = this.options.inventory ?? inventoryStrategyFromEnv();
    if (judgesAccount(this.rule.resourceTypes)) {
      // The account is no inventory item: it is judged as itself (AWS::::Account, as the managed rules do).
      const account = accountItem(this.target.accountId, this.target.region, orderingTimestamp);
      tracker.inInventory(account.resourceType, account.resourceId);
      await this.write(await this.evaluate(account, orderingTimestamp));
    }
    const types = recordedTypes(this.rule.resourceTypes);
    if (types.length === 0) return;
    for await (const page of inventoryPages(this.target.config, types, strategy)) {
      for (const { item, unreadable } of page) {
        if (item) {
          tracker.inInventory(item.resourceType, item.resourceId);
          await this.write(await this.evaluate(item, orderingTimestamp));
        } else if (isIdentified(unreadable)) {
          tracker.inInventory(unreadable.resourceType, unreadable.resourceId);
          await this.writeUnreadable(unreadable, orderingTimestamp);
        } else {
          this.unidentified.push(unreadable.problem);
          logger.error('inventory item could not be read nor identified', {
            rule: this.rule.name,
            problem: truncate(unreadable.problem, MAX_LOGGED_PROBLEM),
          });
        }
      }
    }
  }

  /**
   * Reads the rule's COMPLIANT and NON_COMPLIANT results (NOT_APPLICABLE ones need no clean-up). Results
   * whose resource the scan has not reached yet are held; when more than MAX_RESULTS_AHEAD are held (the two
   * reads come in different orders), the reader waits for the scan to finish, so memory stays what the
   * sequential clean-up needed: the inventory's keys, and the stale results.
   */
  private async readEarlierResults(tracker: StaleTracker, reading: EarlierResultsReading): Promise<void> {
    let nextToken: string | undefined;
    do {
      if (tracker.heldResults > MAX_RESULTS_AHEAD) await reading.scanDone;
      if (reading.stopped) return;
      const page = await this.target.config.send(
        new GetComplianceDetailsByConfigRuleCommand({
          ConfigRuleName: this.invocation.ruleName,
          ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT'],
          Limit: PAGE_SIZE,
          NextToken: nextToken,
        }),
      );
      for (const result of page.EvaluationResults ?? []) {
        const qualifier = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
        if (qualifier?.ResourceType && qualifier.ResourceId) {
          tracker.hasResult(qualifier.ResourceType, qualifier.ResourceId);
        }
      }
      nextToken = page.NextToken;
    } while (nextToken && !reading.stopped);
  }

  private async evaluate(item: ConfigurationItem, orderingTimestamp: Date): Promise<Evaluation> {
    const context: EvaluationContext = {
      accountId: item.accountId,
      region: item.region,
      account: isEvaluable(this.rule, item) ? await this.accountFacts() : {},
    };
    const judged = judgeIsolated(this.rule, this.params, item, context);
    this.logFailure(item, judged);
    return toEvaluation(this.rule, item, judged.verdict, orderingTimestamp);
  }

  /** An item that could not be read but names its resource: the fail-closed verdict (or out of scope). */
  private async writeUnreadable(
    unreadable: IdentifiedUnreadable,
    orderingTimestamp: Date,
    logEach = false,
  ): Promise<void> {
    const resource = {
      ...unreadable,
      accountId: unreadable.accountId ?? this.target.accountId,
      region: unreadable.region ?? this.target.region,
    };
    const judged: IsolatedVerdict = this.invocation.eventLeftScope
      ? { verdict: notApplicable('resource left the rule scope', 'left-scope') }
      : judgeUnreadable(this.rule, unreadable);
    this.logFailure(resource, judged);
    await this.write(toEvaluation(this.rule, resource, judged.verdict, orderingTimestamp), logEach);
  }

  /** An item judged fail-closed is logged with its resource id and the problem (never its configuration). */
  private logFailure(resource: { resourceType: string; resourceId: string }, judged: IsolatedVerdict): void {
    if (judged.failure === undefined) return;
    logger.error('item could not be evaluated: judged NON_COMPLIANT (fail closed)', {
      rule: this.rule.name,
      resourceType: resource.resourceType,
      resourceId: resource.resourceId,
      problem: truncate(judged.failure, MAX_LOGGED_PROBLEM),
    });
  }

  private accountFacts(): Promise<AccountFacts> {
    this.facts ??= this.loadAccountFacts();
    return this.facts;
  }

  private async loadAccountFacts(): Promise<AccountFacts> {
    const facts: AccountFacts = {};
    for (const fact of this.rule.accountFacts ?? []) await this.loadAccountFact(fact, facts);
    return facts;
  }

  private async loadAccountFact<F extends AccountFact>(fact: F, facts: AccountFacts): Promise<void> {
    const load = this.options.accountFacts?.[fact];
    if (load === undefined)
      throw new Error(`Rule ${this.rule.name} needs the account fact ${fact}, but no loader was given`);
    facts[fact] = await load(this.target);
  }

  private async write(evaluation: Evaluation, logEach = false): Promise<void> {
    this.evaluations++;
    this.counts[evaluation.compliance]++;
    if (logEach || evaluation.compliance === 'NON_COMPLIANT') {
      logger.info('evaluation', {
        rule: evaluation.rule,
        resourceType: evaluation.resourceType,
        resourceId: evaluation.resourceId,
        compliance: evaluation.compliance,
        annotation: evaluation.annotation,
      });
    }
    await this.writer.add(evaluation);
  }
}

/** Problems are logged at most this long: they name the field, and never carry a whole document. */
const MAX_LOGGED_PROBLEM = 256;

/** How many earlier results may wait for their resource before the results reader waits for the scan. */
export const MAX_RESULTS_AHEAD = 1_000;

interface EarlierResultsReading {
  /** Set when the scan failed: the reader stops at its next page. */
  stopped: boolean;
  /** Settles when the inventory scan is over, whether it succeeded or not. */
  scanDone: Promise<void>;
}

/**
 * Which resources have a result but are gone from the inventory, as the two are read side by side: every
 * inventory key is kept (as the sequential clean-up kept them), and a result waits only until its resource
 * shows up in the inventory. A result repeated across pages is never mistaken for a stale one.
 */
class StaleTracker {
  private readonly inventory = new Set<string>();
  private readonly unmatched = new Map<string, { resourceType: string; resourceId: string }>();

  inInventory(resourceType: string, resourceId: string): void {
    const key = resourceKey(resourceType, resourceId);
    this.inventory.add(key);
    this.unmatched.delete(key);
  }

  hasResult(resourceType: string, resourceId: string): void {
    const key = resourceKey(resourceType, resourceId);
    if (!this.inventory.has(key)) this.unmatched.set(key, { resourceType, resourceId });
  }

  /** Results whose resource has not appeared in the inventory (yet). */
  get heldResults(): number {
    return this.unmatched.size;
  }

  /** Resources with a result that never appeared in the inventory (call once both reads are done). */
  stale(): { resourceType: string; resourceId: string }[] {
    return [...this.unmatched.values()];
  }
}

function resourceKey(resourceType: string, resourceId: string): string {
  return `${resourceType}|${resourceId}`;
}
