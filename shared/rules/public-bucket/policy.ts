/**
 * Bucket policies: parsing (every form IAM accepts: `Statement` as an object or a list, each element as a
 * string or a list) and the "is this statement public?" analysis of the Amazon S3 User Guide, "Blocking
 * public access to your Amazon S3 storage" → "The meaning of 'public'".
 */
import * as z from 'zod';
import { describeZodError } from '../../core/model.ts';
import { allowRestriction, denyExemption } from './conditions.ts';
import {
  type AccessKind,
  accessOfAction,
  accessOfActions,
  accessOfNotActions,
  globMatches,
  hasWildcard,
  patternCovers,
} from './patterns.ts';

const stringList = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (Array.isArray(value) ? value : [value]));
const principalSchema = z.union([z.string(), z.record(z.string(), stringList)]);

const statementSchema = z.looseObject({
  Sid: z.string().optional(),
  Effect: z.enum(['Allow', 'Deny']),
  Principal: principalSchema.optional(),
  NotPrincipal: principalSchema.optional(),
  Action: stringList.optional(),
  NotAction: stringList.optional(),
  Resource: stringList.optional(),
  NotResource: stringList.optional(),
  Condition: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});

const documentSchema = z.looseObject({
  Version: z.string().optional(),
  Id: z.string().optional(),
  Statement: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]),
});

export interface PrincipalEntry {
  type: string;
  value: string;
}

/** `Principal` / `NotPrincipal`: `"*"` is everyone; otherwise typed entries such as `AWS`, `Service`. */
export type PrincipalSpec = { everyone: true } | { everyone: false; entries: PrincipalEntry[] };

export interface ConditionEntry {
  operator: string;
  key: string;
  value: unknown;
}

export interface Statement {
  /** 1-based position in the policy, as people count statements. */
  index: number;
  sid?: string | undefined;
  effect: 'Allow' | 'Deny';
  principal?: PrincipalSpec | undefined;
  notPrincipal?: PrincipalSpec | undefined;
  actions?: string[] | undefined;
  notActions?: string[] | undefined;
  resources?: string[] | undefined;
  notResources?: string[] | undefined;
  conditions: ConditionEntry[];
}

export type ParsedPolicy = { ok: true; statements: Statement[] } | { ok: false; error: string };

/** Parses a policy given as JSON text (Config, `GetBucketPolicy`) or as an object (CloudTrail). */
export function parsePolicy(input: unknown): ParsedPolicy {
  let document = input;
  if (typeof input === 'string') {
    try {
      document = JSON.parse(input);
    } catch (error) {
      return { ok: false, error: `not valid JSON (${(error as Error).message})` };
    }
  }
  const parsed = documentSchema.safeParse(document);
  if (!parsed.success) return { ok: false, error: describeZodError(parsed.error) };
  const raw = Array.isArray(parsed.data.Statement) ? parsed.data.Statement : [parsed.data.Statement];
  const statements: Statement[] = [];
  for (const [position, candidate] of raw.entries()) {
    const statement = statementSchema.safeParse(candidate);
    if (!statement.success)
      return { ok: false, error: describeZodError(statement.error, `Statement[${position}]`) };
    statements.push(toStatement(statement.data, position + 1));
  }
  return { ok: true, statements };
}

function toStatement(raw: z.infer<typeof statementSchema>, index: number): Statement {
  return {
    index,
    sid: raw.Sid?.trim() ? raw.Sid : undefined,
    effect: raw.Effect,
    principal: raw.Principal === undefined ? undefined : toPrincipal(raw.Principal),
    notPrincipal: raw.NotPrincipal === undefined ? undefined : toPrincipal(raw.NotPrincipal),
    actions: raw.Action,
    notActions: raw.NotAction,
    resources: raw.Resource,
    notResources: raw.NotResource,
    conditions: Object.entries(raw.Condition ?? {}).flatMap(([operator, entries]) =>
      Object.entries(entries).map(([key, value]) => ({ operator, key, value })),
    ),
  };
}

function toPrincipal(raw: z.infer<typeof principalSchema>): PrincipalSpec {
  if (typeof raw === 'string') {
    return raw.trim() === '*'
      ? { everyone: true }
      : { everyone: false, entries: [{ type: 'AWS', value: raw }] };
  }
  const entries = Object.entries(raw).flatMap(([type, values]) => values.map((value) => ({ type, value })));
  return { everyone: false, entries };
}

/** `policy statement "PublicRead" (#1)`, or `policy statement #2` when the statement has no Sid. */
export function statementLabel(statement: Pick<Statement, 'index' | 'sid'>): string {
  return statement.sid === undefined
    ? `policy statement #${statement.index}`
    : `policy statement "${statement.sid}" (#${statement.index})`;
}

const EVERYONE = '*';

/** A principal entry that anyone can become: `*`, a wildcard ARN, a web identity provider. */
function isPublicEntry(entry: PrincipalEntry): boolean {
  const value = entry.value.trim();
  if (value === '*' || hasWildcard(value)) return true;
  // Web identity federation (graph.facebook.com, accounts.google.com, cognito-identity.amazonaws.com) lets
  // anyone with an account there in; a SAML or OIDC provider ARN names one fixed provider.
  return entry.type.toLowerCase() === 'federated' && !value.startsWith('arn:');
}

function describeEntry(entry: PrincipalEntry): string {
  const isEveryone =
    entry.value.trim() === '*' && ['aws', 'canonicaluser'].includes(entry.type.toLowerCase());
  return isEveryone ? EVERYONE : `${entry.type} ${entry.value}`;
}

function grantsEveryone(spec: PrincipalSpec): boolean {
  return spec.everyone || spec.entries.some((entry) => describeEntry(entry) === EVERYONE);
}

/** The public principals an Allow statement grants to, as people read them; empty when none is public. */
export function publicPrincipals(statement: Statement): string[] {
  const spec = statement.principal;
  if (spec !== undefined) {
    if (spec.everyone || grantsEveryone(spec)) return [EVERYONE];
    return unique(spec.entries.filter(isPublicEntry).map(describeEntry));
  }
  if (statement.notPrincipal !== undefined) {
    // Allow with NotPrincipal grants everyone but the listed principals; "NotPrincipal": "*" grants no one.
    const excluded = statement.notPrincipal;
    if (excluded.everyone || grantsEveryone(excluded)) return [];
    const excepted = excluded.entries.map(describeEntry);
    return [`everyone except ${excepted.join(', ')}`];
  }
  return [];
}

const MAX_LISTED_ACTIONS = 4;

function listActions(actions: readonly string[]): string {
  const shown = actions.slice(0, MAX_LISTED_ACTIONS).join(', ');
  const more = actions.length - MAX_LISTED_ACTIONS;
  return more > 0 ? `${shown} and ${more} more` : shown;
}

export function describeActions(statement: Pick<Statement, 'actions' | 'notActions'>): string {
  if (statement.actions !== undefined) return listActions(statement.actions);
  if (statement.notActions !== undefined) return `all actions except ${listActions(statement.notActions)}`;
  return 'no action';
}

function accessOfStatement(statement: Statement): Set<AccessKind> {
  if (statement.actions !== undefined) return accessOfActions(statement.actions);
  if (statement.notActions !== undefined) return accessOfNotActions(statement.notActions);
  return new Set();
}

/** A statement that makes the policy public. */
export interface PublicStatement {
  index: number;
  sid?: string | undefined;
  label: string;
  principals: string[];
  actions: string;
  access: AccessKind[];
  /** Why the statement's conditions do not limit it, when it has a condition on a key AWS lists. */
  conditionNote?: string | undefined;
  /** `policy statement "PublicRead" (#1) allows s3:GetObject to *` */
  message: string;
}

/**
 * The Allow statements that make a policy public: granted to a public principal, for at least one S3
 * action, not limited to fixed values by their own conditions, and not taken back by a Deny statement that
 * covers the same principals, actions and resources (unconditionally, or exempting only fixed values).
 */
export function publicStatements(statements: readonly Statement[]): PublicStatement[] {
  const denies = statements.filter((statement) => statement.effect === 'Deny');
  const found: PublicStatement[] = [];
  for (const statement of statements) {
    if (statement.effect !== 'Allow') continue;
    const principals = publicPrincipals(statement);
    if (principals.length === 0) continue;
    const access = accessOfStatement(statement);
    if (access.size === 0) continue;
    const limit = conditionLimit(statement.conditions);
    if (limit.restricted) continue;
    if (denies.some((deny) => takesBack(deny, statement))) continue;
    const label = statementLabel(statement);
    const actions = describeActions(statement);
    const note = limit.note === undefined ? '' : ` (${limit.note})`;
    found.push({
      index: statement.index,
      sid: statement.sid,
      label,
      principals,
      actions,
      access: [...access].sort(),
      conditionNote: limit.note,
      message: `${label} allows ${actions} to ${principals.join(' and ')}${note}`,
    });
  }
  return found;
}

/** Conditions are ANDed: one entry limiting the statement to fixed values is enough. */
function conditionLimit(conditions: readonly ConditionEntry[]): { restricted: boolean; note?: string } {
  let note: string | undefined;
  for (const { operator, key, value } of conditions) {
    const restriction = allowRestriction(operator, key, value);
    if (restriction.restricts) return { restricted: true };
    note ??= restriction.note;
  }
  return note === undefined ? { restricted: false } : { restricted: false, note };
}

/** Whether a Deny statement removes everything the public Allow statement grants to the public. */
function takesBack(deny: Statement, allow: Statement): boolean {
  if (!denyCoversPrincipals(deny, allow)) return false;
  if (!denyCoversActions(deny, allow)) return false;
  if (!denyCoversResources(deny, allow)) return false;
  return deny.conditions.every(({ operator, key, value }) => denyExemption(operator, key, value).restricts);
}

function denyCoversPrincipals(deny: Statement, allow: Statement): boolean {
  if (deny.principal !== undefined) {
    const denied = deny.principal;
    if (denied.everyone || grantsEveryone(denied)) return true;
    const granted = allow.principal;
    if (granted === undefined || granted.everyone || grantsEveryone(granted)) return false;
    const deniedKeys = new Set(denied.entries.map(entryKey));
    return granted.entries.filter(isPublicEntry).every((entry) => deniedKeys.has(entryKey(entry)));
  }
  if (deny.notPrincipal !== undefined) {
    // Deny everyone except fixed principals: what the Allow still grants goes to fixed principals only.
    const spec = deny.notPrincipal;
    return !spec.everyone && spec.entries.length > 0 && !spec.entries.some(isPublicEntry);
  }
  return false;
}

function entryKey(entry: PrincipalEntry): string {
  return `${entry.type.toLowerCase()} ${entry.value.trim()}`;
}

function denyCoversActions(deny: Statement, allow: Statement): boolean {
  if (allow.actions !== undefined) {
    const granted = allow.actions.filter((action) => accessOfAction(action).size > 0);
    if (deny.actions !== undefined) {
      const patterns = deny.actions;
      return granted.every((action) => patterns.some((pattern) => patternCovers(pattern, action, true)));
    }
    if (deny.notActions !== undefined) {
      const exempt = deny.notActions;
      return granted.every(
        (action) => !hasWildcard(action) && !exempt.some((pattern) => globMatches(pattern, action, true)),
      );
    }
    return false;
  }
  return deny.actions?.some((pattern) => patternCovers(pattern, 's3:*', true)) ?? false;
}

function denyCoversResources(deny: Statement, allow: Statement): boolean {
  const denied = deny.resources;
  if (denied === undefined) return false;
  const granted = allow.resources ?? (allow.notResources === undefined ? ['*'] : undefined);
  if (granted === undefined) return denied.some((pattern) => pattern === '*');
  return granted.every((resource) => denied.some((pattern) => patternCovers(pattern, resource, false)));
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
