/**
 * The remediation planner of `sg-drift-revert`: from a group's current state, its baseline and the
 * blocked-ports policy, the rules to revoke and to authorize. Pure, and safe by construction:
 * - it authorizes only rules of the baseline, and never revokes one;
 * - it authorizes only for a group bound to its baseline by id: a tag, which others can set, never opens access
 *   (the missing rules of a tag-bound group are reported, held back);
 * - it touches only groups with a baseline (their drift) and world-open rules on blocked ports;
 * - a missing, conflicting or empty baseline is a {@link BaselineError}, never "revoke everything".
 */
import type { Reason } from '../../core/model.ts';
import { InputError } from '../../core/model.ts';
import {
  type BaselineBinding,
  type BaselineResolution,
  diffAgainstBaseline,
  driftReasons,
  type RemediationMode,
  resolutionError,
} from './baselines.ts';
import { type Direction, describeUnreadable, type GroupState, ruleKey, type SgRule } from './permissions.ts';
import type { PortsByTransport } from './ports.ts';
import { exposedPorts, type MaxOpenPrefix, worldOpenReasons } from './world-open.ts';

export type BlockedPortsMode = RemediationMode | 'off';
export type ChangeCause = 'extra' | 'missing' | 'blocked-port' | 'broad-port';

export interface BlockedPortsPolicy {
  blocked: PortsByTransport;
  /** The rule's `maxOpenPrefixIpv4` / `maxOpenPrefixIpv6`: the responder closes what the rule flags. */
  maxOpenPrefix?: MaxOpenPrefix | undefined;
  mode: BlockedPortsMode;
}

export interface PlannedChange {
  action: 'revoke' | 'authorize';
  rule: SgRule;
  causes: ChangeCause[];
  /** True when a cause's mode is `enforce`: the responder makes the change; otherwise it only reports it. */
  enforce: boolean;
  /** Set when an `enforce` baseline's change is only reported: a missing rule of a group bound by a tag. */
  heldBack?: 'tag-bound' | undefined;
}

export interface RemediationPlan {
  groupId: string;
  baseline?: { name: string; mode: RemediationMode; via: string; binding: BaselineBinding } | undefined;
  blockedPortsMode: BlockedPortsMode;
  changes: PlannedChange[];
  /** The findings behind the plan, for the annotation of the notice. */
  reasons: Reason[];
}

/**
 * Plans the changes that bring a group back to its baseline and close world-open blocked ports. Throws a
 * BaselineError naming the group and the baseline when the baseline is unknown, ambiguous or empty.
 */
export function planRemediation(
  group: GroupState,
  resolution: BaselineResolution,
  policy: BlockedPortsPolicy,
): RemediationPlan {
  const problem = resolutionError(group.groupId, resolution);
  if (problem !== undefined) throw problem;
  // Fail closed: a rule that cannot be read might be any rule, so nothing is revoked or authorized around it.
  if (group.unreadable !== undefined && group.unreadable.length > 0) {
    throw new InputError(
      `${group.groupId}: not changed, rules that cannot be read: ${group.unreadable.map(describeUnreadable).join('; ')}`,
    );
  }
  const baseline = resolution.kind === 'matched' ? resolution.baseline : undefined;
  const changes = new Map<string, PlannedChange>();
  const add = (
    action: PlannedChange['action'],
    rule: SgRule,
    cause: ChangeCause,
    enforce: boolean,
    heldBack?: PlannedChange['heldBack'],
  ) => {
    const key = `${action} ${ruleKey(rule)}`;
    const existing = changes.get(key);
    if (existing === undefined)
      changes.set(key, { action, rule, causes: [cause], enforce, ...(heldBack ? { heldBack } : {}) });
    else {
      if (!existing.causes.includes(cause)) existing.causes.push(cause);
      existing.enforce ||= enforce;
    }
  };
  const reasons: Reason[] = [];
  if (baseline !== undefined) {
    const drift = diffAgainstBaseline(group, baseline);
    const enforce = baseline.mode === 'enforce';
    for (const rule of drift.extra) add('revoke', rule, 'extra', enforce);
    // Never authorize because of a tag: only a group listed by id in the deployed configuration is restored.
    const restore = enforce && resolution.kind === 'matched' && resolution.binding === 'group-id';
    const heldBack = enforce && !restore ? 'tag-bound' : undefined;
    for (const rule of drift.missing) add('authorize', rule, 'missing', restore, heldBack);
    reasons.push(...driftReasons(drift, baseline.name));
  }
  if (policy.mode !== 'off') {
    const protectedKeys = new Set((baseline?.ingress ?? []).map(ruleKey));
    const isProtected = (rule: SgRule) => protectedKeys.has(ruleKey(rule));
    const ports = { blocked: policy.blocked, maxOpenPrefix: policy.maxOpenPrefix };
    for (const exposed of exposedPorts(group.ingress, ports, isProtected)) {
      const cause = exposed.exposure === 'world' ? 'blocked-port' : 'broad-port';
      for (const rule of exposed.rules) add('revoke', rule, cause, policy.mode === 'enforce');
    }
    reasons.unshift(...worldOpenReasons(group.ingress, ports, isProtected));
  }
  return {
    groupId: group.groupId,
    baseline:
      resolution.kind === 'matched'
        ? {
            name: resolution.baseline.name,
            mode: resolution.baseline.mode,
            via: resolution.via,
            binding: resolution.binding,
          }
        : undefined,
    blockedPortsMode: policy.mode,
    changes: [...changes.values()],
    reasons,
  };
}

/** The rules the responder revokes or authorizes in one direction (enforced changes only). */
export function enforcedRules(
  plan: RemediationPlan,
  action: PlannedChange['action'],
  direction: Direction,
): SgRule[] {
  return plan.changes
    .filter((change) => change.enforce && change.action === action && change.rule.direction === direction)
    .map((change) => change.rule);
}

/** The group as it is after the enforced changes: what the responder leaves behind. */
export function applyPlan(group: GroupState, plan: RemediationPlan): GroupState {
  const after = (direction: Direction) => {
    const revoked = new Set(enforcedRules(plan, 'revoke', direction).map(ruleKey));
    const kept = group[direction].filter((rule) => !revoked.has(ruleKey(rule)));
    return [...kept, ...enforcedRules(plan, 'authorize', direction)];
  };
  return { ...group, ingress: after('ingress'), egress: after('egress') };
}
