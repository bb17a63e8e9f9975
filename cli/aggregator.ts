/**
 * `scan --live --aggregator NAME`: every account and region an AWS Config aggregator collects, read from the
 * aggregator's account with read-only calls:
 * - `SelectAggregateResourceConfig`: the same advanced query and fields as the account scan
 *   (`SELECT_FIELDS`), every rule's types in one query, 100 rows a page, followed by `NextToken`; the
 *   `--account`/`--region` filters go into the query's WHERE clause while it stays within the 4,096
 *   characters an expression may hold (and are applied to the rows in any case);
 * - `DescribeConfigurationAggregatorSourcesStatus`: the sources (accounts, regions) whose last update
 *   FAILED or is OUTDATED, named in a note, because their resources are missing or stale in the results.
 *
 * Account facts: the aggregator cannot call S3 Control in member accounts, so the account-level Block Public
 * Access is the recorded `AWS::S3::AccountPublicAccessBlock` item of each account, read in the same query
 * (the public-bucket rule evaluates that type), exactly as a snapshot scan reads it; an account without one
 * is judged as having no account-level block (the stricter reading, never a pass it has not earned), with a
 * note naming the account.
 *
 * `GetAggregateComplianceDetailsByConfigRule` is not called: it gives a deployed rule's stored verdicts, one
 * call per rule, account and region, under whatever name and parameters the deployment gave the rule, while
 * this scan judges the current configuration with the rules and configuration file given here, the same
 * code the deployed rules run. Showing both would give one resource two verdicts that may disagree for
 * reasons the report cannot tell apart.
 */
import {
  type AggregatedSourceStatus,
  type ConfigServiceClient,
  DescribeConfigurationAggregatorSourcesStatusCommand,
  SelectAggregateResourceConfigCommand,
} from '@aws-sdk/client-config-service';
import { MAX_EXPRESSION_LENGTH, PAGE_SIZE } from '../shared/aws/config-inventory.ts';
import { GLOBAL_REGION, isGlobalResourceType } from '../shared/core/account-item.ts';
import { readSelectResult, SELECT_FIELDS } from '../shared/core/normalise.ts';
import { offlineFacts } from './facts.ts';
import {
  clientRegion,
  describeAwsError,
  isAccessDenied,
  type LiveClients,
  LiveScanError,
  missingProfile,
} from './live.ts';
import type { Progress } from './progress.ts';
import {
  accountsNeedingFacts,
  type FactsByAccount,
  neededFacts,
  type PreparedRule,
  type SourcedItem,
  type SourcedUnreadable,
} from './scan.ts';
import { inScope } from './scope.ts';

export interface AggregatorScanOptions {
  aggregator: string;
  /** Only these accounts (empty: every one). */
  accounts: readonly string[];
  /** Only these regions (empty: every one). */
  regions: readonly string[];
  profile?: string | undefined;
}

export interface AggregatorScanResult {
  /** The region the aggregator was read in (its home region). */
  region: string;
  items: SourcedItem[];
  unreadable: SourcedUnreadable[];
  factsFor: FactsByAccount;
  notes: string[];
}

/** The read-only actions the aggregator scan calls. */
export const AGGREGATOR_ACTIONS = [
  'config:SelectAggregateResourceConfig',
  'config:DescribeConfigurationAggregatorSourcesStatus',
] as const;

export async function scanAggregator(
  prepared: readonly PreparedRule[],
  options: AggregatorScanOptions,
  clients: LiveClients,
  progress: Progress,
): Promise<AggregatorScanResult> {
  const profile = options.profile ?? process.env.AWS_PROFILE;
  const config = clients.config({ profile: options.profile });
  const region = await clientRegion(
    config,
    profile,
    `no AWS region for --aggregator ${options.aggregator}: set AWS_REGION or a region in your AWS profile to the aggregator's region`,
  );
  const resourceTypes = [...new Set(prepared.flatMap(({ rule }) => rule.resourceTypes))];
  const items: SourcedItem[] = [];
  const unreadable: SourcedUnreadable[] = [];
  const where = `AWS Config aggregator "${options.aggregator}" in ${region}`;
  const label = `aggregator ${options.aggregator}`;
  try {
    progress.update({ done: 0, total: 1, label, items: 0 });
    if (resourceTypes.length > 0) {
      const expression = aggregateExpression(resourceTypes, options);
      for await (const rows of aggregatePages(config, options.aggregator, expression)) {
        for (const row of rows) {
          const reading = readSelectResult(row, 'SelectAggregateResourceConfig result');
          if (reading.item) {
            if (inScope(reading.item, options)) items.push({ item: reading.item });
          } else if (inScope(reading.unreadable, options)) {
            unreadable.push({ unreadable: reading.unreadable });
          }
        }
        progress.update({ done: 0, total: 1, label, items: items.length });
      }
    }
    progress.update({ done: 1, total: 1, label, items: items.length });
  } catch (error) {
    missingProfile(error, profile);
    throw new LiveScanError(
      `${where} (SelectAggregateResourceConfig): ${aggregatorProblem(error, options.aggregator)}`,
    );
  } finally {
    progress.finish();
  }
  const notes = await sourceNotes(config, options, where);
  const facts = offlineFacts(items, neededFacts(prepared), accountsNeedingFacts(prepared, items));
  return {
    region,
    items,
    unreadable,
    factsFor: facts.factsFor,
    notes: [
      ...notes,
      ...facts.notes.map((note) => note.replace('the snapshot has no', 'the aggregator holds no')),
    ],
  };
}

/** The cause in words, with what to do for the two a user can fix: a wrong name or region, a missing permission. */
function aggregatorProblem(error: unknown, aggregator: string): string {
  const cause = describeAwsError(error);
  if ((error as Error).name === 'NoSuchConfigurationAggregatorException') {
    return `${cause} (no aggregator of that name here: an aggregator lives in one account and region; use that account's credentials and set AWS_REGION or the profile's region to the aggregator's)`;
  }
  if (isAccessDenied(error)) {
    return `${cause} (the aggregator scan needs ${AGGREGATOR_ACTIONS[0]} on the aggregator ${aggregator})`;
  }
  return cause;
}

const quoted = (value: string) => `'${value.replace(/'/g, '')}'`;

function condition(field: string, values: readonly string[]): string {
  return values.length === 1
    ? `${field} = ${quoted(values[0] ?? '')}`
    : `${field} IN (${values.map(quoted).join(', ')})`;
}

/**
 * The advanced query: every rule's types, then the account and region filters while the expression stays
 * within {@link MAX_EXPRESSION_LENGTH} (a filter left out is still applied to the rows).
 */
export function aggregateExpression(
  resourceTypes: readonly string[],
  filters: Pick<AggregatorScanOptions, 'accounts' | 'regions'>,
): string {
  let expression = `SELECT ${SELECT_FIELDS.join(', ')} WHERE ${condition('resourceType', resourceTypes)}`;
  // A global resource (IAM) is recorded under the region "global" and belongs to every region asked for.
  const regions =
    filters.regions.length > 0 && resourceTypes.some(isGlobalResourceType)
      ? [...filters.regions, GLOBAL_REGION]
      : filters.regions;
  for (const [field, values] of [
    ['awsRegion', regions],
    ['accountId', filters.accounts],
  ] as const) {
    if (values.length === 0) continue;
    const narrowed = `${expression} AND ${condition(field, values)}`;
    if (narrowed.length <= MAX_EXPRESSION_LENGTH) expression = narrowed;
  }
  return expression;
}

/** The rows (JSON strings) of the query, a page of up to 100 at a time, following NextToken. */
async function* aggregatePages(
  config: ConfigServiceClient,
  aggregator: string,
  expression: string,
): AsyncGenerator<string[]> {
  let token: string | undefined;
  do {
    const page = await config.send(
      new SelectAggregateResourceConfigCommand({
        ConfigurationAggregatorName: aggregator,
        Expression: expression,
        Limit: PAGE_SIZE,
        NextToken: token,
      }),
    );
    yield page.Results ?? [];
    token = page.NextToken || undefined;
  } while (token !== undefined);
}

/**
 * A note for each source account and region whose last update FAILED or is OUTDATED (within the filters):
 * its resources are missing from the results or older than they look. When the status cannot be read,
 * a note says so: the scan stands, but which sources are current is unknown.
 */
async function sourceNotes(
  config: ConfigServiceClient,
  options: AggregatorScanOptions,
  where: string,
): Promise<string[]> {
  const sources: AggregatedSourceStatus[] = [];
  try {
    let token: string | undefined;
    do {
      const page = await config.send(
        new DescribeConfigurationAggregatorSourcesStatusCommand({
          ConfigurationAggregatorName: options.aggregator,
          UpdateStatus: ['FAILED', 'OUTDATED'],
          NextToken: token,
        }),
      );
      sources.push(...(page.AggregatedSourceStatusList ?? []));
      token = page.NextToken || undefined;
    } while (token !== undefined);
  } catch (error) {
    return [
      `${where}: could not read which sources failed to update (DescribeConfigurationAggregatorSourcesStatus: ${describeAwsError(error)}); accounts or regions the aggregator could not collect are not named`,
    ];
  }
  return sources
    .filter((source) => inScope({ accountId: accountOf(source), region: source.AwsRegion }, options))
    .map((source) => {
      const what =
        source.SourceType === 'ORGANIZATION' ? 'organisation source' : `account ${source.SourceId ?? '?'}`;
      const error = [source.LastErrorCode, source.LastErrorMessage].filter(Boolean).join(': ');
      const since = source.LastUpdateTime ? ` (last update ${source.LastUpdateTime.toISOString()})` : '';
      return `${where}: ${what} in ${source.AwsRegion ?? 'an unnamed region'} is ${source.LastUpdateStatus}${since}${error ? `, ${error}` : ''}; its resources may be missing or out of date in this scan`;
    });
}

function accountOf(source: AggregatedSourceStatus): string | undefined {
  return source.SourceType === 'ACCOUNT' ? source.SourceId : undefined;
}
