/**
 * The account facts Config does not record (the IAM credential report, the IAM account summary) in the CLI:
 * a snapshot cannot hold them, so `scan --snapshot` skips the rules that need them and says why; `scan --live`
 * reads them from IAM for the account whose credentials it runs with (STS GetCallerIdentity), and builds the
 * account itself (`AWS::::Account`) for the rules that judge it.
 */

import type { IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { loadAccountSummary, loadCredentialReport } from '../shared/aws/account-facts.ts';
import { accountItem, judgesAccount } from '../shared/core/account-item.ts';
import type { AccountFact, AccountFacts } from '../shared/core/model.ts';
import type { SkippedRule } from './report.ts';
import type { PreparedRule, SourcedItem } from './scan.ts';

/** Facts only a live read gives, with what they are in words and the IAM actions that read them. */
export const LIVE_ONLY_FACTS: Partial<Record<AccountFact, { what: string; actions: string }>> = {
  credentialReport: {
    what: 'the IAM credential report',
    actions: 'iam:GenerateCredentialReport and iam:GetCredentialReport',
  },
  accountSummary: { what: 'the IAM account summary', actions: 'iam:GetAccountSummary' },
};

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

/** Whether any prepared rule needs a live-only fact or judges the account itself. */
export function needsIam(prepared: readonly PreparedRule[]): boolean {
  return prepared.some(
    ({ rule }) =>
      judgesAccount(rule.resourceTypes) || (rule.accountFacts ?? []).some((fact) => fact in LIVE_ONLY_FACTS),
  );
}

/** The account the credentials belong to (STS GetCallerIdentity): the only one whose IAM facts can be read. */
export async function callerAccount(sts: STSClient): Promise<string> {
  const { Account } = await sts.send(new GetCallerIdentityCommand({}));
  if (Account === undefined) throw new Error('STS GetCallerIdentity returned no account');
  return Account;
}

/** The `AWS::::Account` item of the caller's account, when a rule judges the account itself. */
export function accountItems(
  prepared: readonly PreparedRule[],
  accountId: string,
  region: string,
  now: Date,
): SourcedItem[] {
  return prepared.some(({ rule }) => judgesAccount(rule.resourceTypes))
    ? [{ item: accountItem(accountId, region, now) }]
    : [];
}

/** The live-only facts the rules need, read from IAM for the caller's account. */
export async function loadIamFacts(
  iam: IAMClient,
  accountId: string,
  needed: readonly AccountFact[],
): Promise<AccountFacts> {
  const facts: AccountFacts = {};
  if (needed.includes('credentialReport'))
    facts.credentialReport = await loadCredentialReport(iam, accountId);
  if (needed.includes('accountSummary')) facts.accountSummary = await loadAccountSummary(iam, accountId);
  return facts;
}
