/**
 * Account facts offline: what the Lambda runtime asks S3 Control for, a snapshot records as an item.
 * The account-level Block Public Access is the `AWS::S3::AccountPublicAccessBlock` item, whose
 * `configuration` carries `blockPublicAcls`, `ignorePublicAcls`, `blockPublicPolicy` and
 * `restrictPublicBuckets` (AWS Config resource schema, awslabs/aws-config-resource-schema).
 */
import { judgesAccount } from '../shared/core/account-item.ts';
import {
  type AccountFact,
  type AccountFacts,
  type AnyRule,
  type ConfigurationItem,
  InputError,
  type PublicAccessBlockFlags,
} from '../shared/core/model.ts';
import { ACCOUNT_BLOCK_TYPE, accountBlockFromItem } from '../shared/rules/public-bucket/index.ts';
import type { SkippedRule } from './report.ts';
import type { FactsByAccount, PreparedRule, SourcedItem } from './scan.ts';

export const ACCOUNT_PUBLIC_ACCESS_BLOCK = ACCOUNT_BLOCK_TYPE;

const RECORDED = new Set(['OK', 'ResourceDiscovered']);

/** The newest recorded account-level Public Access Block item of each account. */
function accountBlockItems(items: readonly SourcedItem[]): Map<string, SourcedItem> {
  const byAccount = new Map<string, SourcedItem>();
  for (const sourced of items) {
    const { item } = sourced;
    if (item.resourceType !== ACCOUNT_PUBLIC_ACCESS_BLOCK) continue;
    const known = byAccount.get(item.accountId);
    if (known === undefined || Date.parse(item.captureTime) > Date.parse(known.item.captureTime)) {
      byAccount.set(item.accountId, sourced);
    }
  }
  return byAccount;
}

/**
 * Reads the flags of an `AWS::S3::AccountPublicAccessBlock` item as the public-bucket rule reads them; a
 * deleted block means none (`null`), a malformed one is an input error naming the item.
 */
export function publicAccessBlockFromItem(
  item: ConfigurationItem,
  where: string,
): PublicAccessBlockFlags | null {
  if (!RECORDED.has(item.status) || item.configuration === null) return null;
  const flags = accountBlockFromItem(item);
  if (!flags.ok) throw new InputError(`${where}: ${flags.error}`);
  return flags.flags;
}

/**
 * The note for an account whose snapshot holds no account-level Block Public Access item: its buckets are
 * judged as if it had none, as S3 Control reports an account without one (the recorder may simply not record
 * that type).
 */
export function missingBlockNote(account: string): string {
  return `account ${account}: the snapshot has no ${ACCOUNT_PUBLIC_ACCESS_BLOCK} item; buckets are judged as if the account had no account-level Block Public Access`;
}

/** The account-level Block Public Access of a sourced `AWS::S3::AccountPublicAccessBlock` item. */
export function publicAccessBlockOf(sourced: SourcedItem): PublicAccessBlockFlags | null {
  // A snapshot item names its file; an aggregator row has none to name.
  const item = `${ACCOUNT_PUBLIC_ACCESS_BLOCK} ${sourced.item.resourceId}`;
  const where = sourced.location === undefined ? item : `${sourced.location.file}: ${item}`;
  return publicAccessBlockFromItem(sourced.item, where);
}

/**
 * The account's Block Public Access from its block item. One that cannot be read stops nothing (fail
 * closed): `problem` says why, and the account is judged as if it had none, the most exposed reading.
 */
export function readAccountBlock(sourced: SourcedItem): {
  publicAccessBlock: PublicAccessBlockFlags | null;
  problem?: string;
} {
  try {
    return { publicAccessBlock: publicAccessBlockOf(sourced) };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { publicAccessBlock: null, problem: error.message };
  }
}

/** The note for an account whose block item could not be read (see {@link readAccountBlock}). */
export function unreadableBlockNote(account: string, problem: string): string {
  return `account ${account}: its ${ACCOUNT_PUBLIC_ACCESS_BLOCK} item cannot be read (${problem}); buckets are judged as if the account had no account-level Block Public Access`;
}

export interface OfflineFacts {
  factsFor: FactsByAccount;
  /** Accounts for which a needed fact had to be assumed, with what was assumed. */
  notes: string[];
}

/**
 * Facts for each account from the snapshot items. An account without an `AWS::S3::AccountPublicAccessBlock`
 * item is taken to have no account-level block (`null`), as S3 Control reports an account without one;
 * the note says so, since the recorder may simply not record that type.
 */
export function offlineFacts(
  items: readonly SourcedItem[],
  needed: readonly AccountFact[],
  accounts: readonly string[],
): OfflineFacts {
  const facts = new Map<string, AccountFacts>();
  const notes: string[] = [];
  const blocks = needed.includes('publicAccessBlock') ? accountBlockItems(items) : new Map();
  for (const account of accounts) {
    const accountFacts: AccountFacts = {};
    if (needed.includes('publicAccessBlock')) {
      const sourced = blocks.get(account);
      if (sourced === undefined) notes.push(missingBlockNote(account));
      const block = sourced === undefined ? { publicAccessBlock: null } : readAccountBlock(sourced);
      if (block.problem !== undefined) notes.push(unreadableBlockNote(account, block.problem));
      accountFacts.publicAccessBlock = block.publicAccessBlock;
    }
    facts.set(account, accountFacts);
  }
  return { factsFor: (account) => facts.get(account) ?? {}, notes };
}

/** Facts only a live read gives, with what they are in words and the IAM actions that read them. */
export const LIVE_ONLY_FACTS: Partial<Record<AccountFact, { what: string; actions: string }>> = {
  credentialReport: {
    what: 'the IAM credential report',
    actions: 'iam:GenerateCredentialReport and iam:GetCredentialReport',
  },
  accountSummary: { what: 'the IAM account summary', actions: 'iam:GetAccountSummary' },
};

/** Whether the rule needs a live-only fact or judges the account itself (IAM reads, not an inventory). */
export function readsLiveOnlyFacts(rule: AnyRule): boolean {
  return (
    judgesAccount(rule.resourceTypes) || (rule.accountFacts ?? []).some((fact) => fact in LIVE_ONLY_FACTS)
  );
}

/**
 * The rules a snapshot scan can run, and those it skips: a rule that needs a live-only fact is skipped with
 * the reason, never judged from a guess.
 */
export function splitOfflineRules(
  prepared: readonly PreparedRule[],
  source = 'a Config snapshot',
): {
  runnable: PreparedRule[];
  skipped: SkippedRule[];
} {
  const runnable: PreparedRule[] = [];
  const skipped: SkippedRule[] = [];
  for (const entry of prepared) {
    const missing = (entry.rule.accountFacts ?? []).flatMap((fact) => LIVE_ONLY_FACTS[fact]?.what ?? []);
    if (missing.length === 0) {
      runnable.push(entry);
      continue;
    }
    skipped.push({
      rule: entry.rule.name,
      reason: `rule ${entry.rule.name} skipped: it needs ${missing.join(' and ')}, which ${source} does not hold; scan --live reads it (or deploy the rule as a Config rule)`,
    });
  }
  return { runnable, skipped };
}
