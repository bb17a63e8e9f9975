/**
 * What a responder is, SDK-free: a spec next to its rule (`shared/rules/<rule>/responder.ts`) that names the
 * CloudTrail calls it answers, validates its settings and, given a port onto its AWS service, reads, plans,
 * applies and tells. Everything around it (the environment, event parsing, failed and own calls, the client
 * for the event's account, notice publishing) is `shared/aws/responder-runtime.ts`, once for every responder.
 */

import * as z from 'zod';
import {
  type Actor,
  type CloudTrailDetail,
  type CloudTrailEvent,
  isOwnCall,
  type SelfIdentity,
} from './cloudtrail.ts';
import {
  type ActionGrant,
  InputError,
  isRecord,
  ParameterError,
  parameterErrorFromZod,
  type SuiteSettings,
} from './model.ts';
import type { Notice } from './notification.ts';
import type { SuiteConfig } from './suite-config.ts';

/** Structured logging, as the runtime gives it (the Lambda logger, or a test's). */
export interface ResponderLog {
  info(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

/** One CloudTrail call that a responder handles, with everything it may need to answer it. */
export interface ResponderCall<Settings, Port> {
  event: CloudTrailEvent;
  detail: CloudTrailDetail;
  /** The EventBridge event id (or CloudTrail's eventID): the key of the call's notices. */
  eventId: string;
  /** The account the call was made in (`recipientAccountId`, else the envelope's account). */
  accountId: string;
  region: string;
  actor: Actor;
  /** The deployment's name of the Config rule the responder acts for (`<PLUMBLINE_RULE_PREFIX><rule>`). */
  ruleName: string;
  settings: Settings;
  /**
   * The port onto the service in the call's account and Region. In another account it assumes the
   * execution role first, so that a role that cannot be assumed is one error naming it; without an
   * execution role it throws a {@link CrossAccountError}.
   */
  port(): Promise<Port>;
  /**
   * Publishes a notice; a failure is logged with the whole notice and rethrown. The notice of a change
   * already applied is kept under `key` for EventBridge's retry of the event (see {@link pending}).
   */
  publish(key: string, notice: Notice): Promise<string | undefined>;
  /** A notice of an applied change that could not be sent the last time this key was handled. */
  pending(key: string): Notice | undefined;
  now(): Date;
  log: ResponderLog;
}

/** Every result names its status; `skipped` results say why. */
export type ResponderResult = { status: string } & Record<string, unknown>;

export interface ResponderSpec<Settings, Port, Result extends ResponderResult = ResponderResult> {
  /** The function's name: `functions/<name>/`, the Lambda function `<prefix>-<name>`, `responders.<name>`. */
  name: string;
  /** The rule whose findings the responder acts on (a registry rule's `name`), for the notice's `rule`. */
  rule: string;
  /** One sentence for the Lambda function's description. */
  description: string;
  /** CloudTrail's `eventSource` of the calls, e.g. `ec2.amazonaws.com`. */
  eventSource: string;
  /** The CloudTrail `eventName`s it answers: its EventBridge pattern and its own filter. */
  eventNames: readonly string[];
  /** The API calls its port makes (its role gets these and no others). */
  grants: readonly ActionGrant[];
  /**
   * The deployment: its mode setting, offered as a CloudFormation parameter (`responders.<name>.<key>`),
   * with its values and its default.
   */
  deploySetting: { key: string; values: readonly string[]; fallback: string };
  /** Validates its own settings (`responders.<name>`); errors name the setting and the value. */
  responderSettings(settings: SuiteSettings): unknown;
  /** Its settings with the parameters of its rule (read as the rule reads them), from the suite configuration. */
  settings(suite: SuiteConfig): Settings;
  /** Further exact role ARNs whose calls are its own (besides its function role and execution role). */
  selfRoleArns?(settings: Settings): readonly string[];
  /** Reads, plans, applies and notifies for one call; throws (after notifying) when it fails. */
  handle(call: ResponderCall<Settings, Port>): Promise<Result>;
}

/** A spec whose settings, port and result types are erased, for registries. */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds responders of every settings and port type
export type AnyResponderSpec = ResponderSpec<any, any, any>;

/** A cross-account call with no execution role to act there: the same error for every responder. */
export class CrossAccountError extends InputError {
  constructor(
    readonly accountId: string,
    readonly ownAccount: string,
  ) {
    super(
      `The event is from account ${accountId}, not the function's account ${ownAccount}: set PLUMBLINE_EXECUTION_ROLE_NAME to act there`,
    );
    this.name = 'CrossAccountError';
  }
}

/**
 * Why a responder leaves this call alone, or undefined when it handles it. An event from another service
 * is an error (an event pattern routes it wrongly: it goes to the dead-letter queue, never silently away);
 * a failed call changed nothing; an own call must never be answered (no loops); other event names of the
 * service are skipped.
 */
export function skipReason(
  event: CloudTrailEvent,
  spec: Pick<ResponderSpec<unknown, unknown>, 'eventSource' | 'eventNames'>,
  self: SelfIdentity,
): string | undefined {
  const { detail } = event;
  if (detail.eventSource !== spec.eventSource) {
    throw new InputError(
      `Invalid event: detail.eventSource is ${detail.eventSource}, expected ${spec.eventSource}`,
    );
  }
  if (detail.errorCode) return `the call failed (${detail.errorCode}) and changed nothing`;
  if (isOwnCall(event, self)) return `own call (${detail.userIdentity.arn ?? 'unknown caller'})`;
  if (!spec.eventNames.includes(detail.eventName)) return `${detail.eventName} is not handled`;
  return undefined;
}

/**
 * A responder's own settings, `responders.<name>` in the suite settings, validated by `schema` (a strict zod
 * object: an unknown key is named with the known ones); absent means the schema's defaults. Every error is a
 * ParameterError naming the setting (`responders.<name>.<path>`) and the value.
 */
export function parseResponderSettings<Settings>(
  settings: SuiteSettings,
  name: string,
  schema: z.ZodObject,
): Settings {
  const responders = settings.responders;
  if (responders !== undefined && responders !== null && !isRecord(responders)) {
    throw new ParameterError('responders', responders, 'expected a map of responder name → settings');
  }
  const own = responders?.[name] ?? {};
  const path = `responders.${name}`;
  const parsed = schema.safeParse(own);
  if (parsed.success) return parsed.data as Settings;
  const issue = parsed.error.issues[0];
  if (issue?.code === 'unrecognized_keys' && isRecord(own)) {
    const key = issue.keys[0] ?? '';
    const known = Object.keys(schema.shape).join(', ');
    throw new ParameterError(`${path}.${key}`, own[key], `unknown setting (known: ${known})`, {
      cause: parsed.error,
    });
  }
  throw parameterErrorFromZod(parsed.error, path, own);
}

/**
 * The mode of a responder that changes what it finds: `report` (the default) only notifies, `enforce` makes
 * the change. Report is the default so that a deployment never changes a resource before its owners have
 * seen what would change.
 */
export const REMEDIATION_MODES = ['enforce', 'report'] as const;
export type RemediationMode = (typeof REMEDIATION_MODES)[number];

/** The `mode` setting of a responder's zod schema: enforce or report, report when absent. */
export const remediationModeSchema = z
  .enum(REMEDIATION_MODES, { error: 'expected enforce or report' })
  .default('report');

/**
 * EventBridge's retry of an event whose change was applied but whose notice could not be sent: the notice,
 * sent now (the resource, read again, would look as if nothing had happened). Undefined when none is pending.
 */
export async function redeliverPending(
  call: Pick<ResponderCall<unknown, unknown>, 'pending' | 'publish'>,
  key: string,
): Promise<{ resource: string; messageId: string | undefined } | undefined> {
  const pending = call.pending(key);
  if (pending === undefined) return undefined;
  return { resource: pending.resource.id, messageId: await call.publish(key, pending) };
}

/** An error's message, for a notice's line (anything thrown, not only an Error). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * What a resource remediation tells, handed to the spec's `notice`: the change it would make (report),
 * made, or failed to make, with the state read; or the read that failed.
 */
export type RemediationOutcome<State> =
  | { kind: 'planned' | 'applied'; state: State }
  | { kind: 'failed'; state: State; error: string }
  | { kind: 'unreadable'; error: string };

/** An error class, for `instanceof`. */
type ErrorClass = abstract new (...args: never[]) => Error;

/** One resource's remediation, in the spec's own terms: how to read, plan, apply and tell, and each result. */
export interface RemediationFlow<Port, State, Plan, Result> {
  /** The resource's state now, through the port; throws a `goneError` when the resource no longer exists. */
  read(port: Port): Promise<State>;
  /** The error `read` throws when the resource is gone: no notice, {@link gone}'s result. */
  goneError: ErrorClass;
  /** What needs changing; undefined when the resource is compliant. */
  plan(state: State): Plan | undefined;
  /** A reason to only report in enforce mode too (a state the responder must not write); report when true. */
  reportOnly?(state: State): boolean;
  /** Sends the plan's write (enforce mode only). */
  apply(port: Port, plan: Plan): Promise<void>;
  /** The spec's notice for an outcome. */
  notice(outcome: RemediationOutcome<State>): Notice;
  /**
   * The results (each logs what it needs to): a notice sent again, gone, nothing to do, reported, applied.
   * `Result` is the spec handler's own result type, each of these checked against it (never widened by them).
   */
  redelivered(resource: string, messageId: string | undefined): NoInfer<Result>;
  gone(error: Error): NoInfer<Result>;
  unchanged(state: State): NoInfer<Result>;
  reported(state: State, messageId: string | undefined): NoInfer<Result>;
  applied(state: State, messageId: string | undefined): NoInfer<Result>;
}

/**
 * The read → plan → report or apply → notify flow of one resource, keyed by the event id: a notice left
 * unsent by the last try of this event is sent instead (nothing read again); a gone resource is no error
 * and no notice; nothing to change sends nothing; report mode (or `reportOnly`) notifies `planned` and never
 * writes; enforce applies, then notifies `applied`. A failed read (or port) or write notifies `unreadable`
 * or `failed`, best effort (the runtime logs a notice it cannot send), then rethrows for EventBridge's retry.
 */
export async function remediateResource<
  Settings extends { mode: RemediationMode },
  Port,
  State,
  Plan,
  Result,
>(call: ResponderCall<Settings, Port>, flow: RemediationFlow<Port, State, Plan, Result>): Promise<Result> {
  const redelivered = await redeliverPending(call, call.eventId);
  if (redelivered !== undefined) return flow.redelivered(redelivered.resource, redelivered.messageId);
  const fail = async (outcome: RemediationOutcome<State>, error: unknown): Promise<never> => {
    await call.publish(call.eventId, flow.notice(outcome)).catch(() => {});
    throw error;
  };
  let port: Port;
  let state: State;
  try {
    port = await call.port();
    state = await flow.read(port);
  } catch (error) {
    if (error instanceof flow.goneError) return flow.gone(error);
    return fail({ kind: 'unreadable', error: messageOf(error) }, error);
  }
  const plan = flow.plan(state);
  if (plan === undefined) return flow.unchanged(state);
  if (call.settings.mode === 'report' || flow.reportOnly?.(state) === true) {
    return flow.reported(state, await call.publish(call.eventId, flow.notice({ kind: 'planned', state })));
  }
  try {
    await flow.apply(port, plan);
  } catch (error) {
    return fail({ kind: 'failed', state, error: messageOf(error) }, error);
  }
  return flow.applied(state, await call.publish(call.eventId, flow.notice({ kind: 'applied', state })));
}
