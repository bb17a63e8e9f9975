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
import { readsLiveOnlyFacts } from './facts.ts';
import type { PreparedRule, SourcedItem } from './scan.ts';

/** Whether any prepared rule needs a live-only fact or judges the account itself. */
export function needsIam(prepared: readonly PreparedRule[]): boolean {
  return prepared.some(({ rule }) => readsLiveOnlyFacts(rule));
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
