/**
 * Which ingress rules open ports to the world: blocked ports (restricted-common-ports) and, when an authorized
 * list is set, any port outside it (vpc-sg-open-only-to-authorized-ports). Protocol `-1` covers every TCP and
 * UDP port; a range covers every port in it.
 *
 * "The world" is judged on the union of a group's CIDR ranges, port by port: `0.0.0.0/1` + `128.0.0.0/1` on
 * tcp 22 is as open as `0.0.0.0/0`, also when the two come from rules with different port ranges. The rules
 * named (and revoked by sg-drift-revert) are the broadest ranges that together reach every address; if the rest
 * still does, the next such set too, until the port is no longer open to the world. With `maxOpenPrefixIpv4` /
 * `maxOpenPrefixIpv6`, a blocked port reachable from any range broader than that prefix is flagged as well.
 */
import { addsToUnion, type Cidr, coversFamily, IP_FAMILIES, type IpFamily } from '../../core/cidr.ts';
import type { Reason } from '../../core/model.ts';
import { describePeer, describeTraffic, peerCidr, ruleKey, type SgRule } from './permissions.ts';
import {
  ALL_PORTS,
  formatRanges,
  intersectRange,
  mergeRanges,
  type PortRange,
  type PortsByTransport,
  sameRanges,
  subtractRanges,
  TRANSPORTS,
  type Transport,
} from './ports.ts';

/** The widest prefix length (per family) a blocked port may be open to; undefined: only the world counts. */
export type MaxOpenPrefix = Readonly<Partial<Record<IpFamily, number>>>;

export interface PortPolicy {
  blocked: PortsByTransport;
  /** Ports that may be open to the world; undefined when neither authorized parameter is set. */
  authorized?: PortsByTransport | undefined;
  maxOpenPrefix?: MaxOpenPrefix | undefined;
}

type PortKind = 'blocked' | 'unauthorized';
type Exposure = 'world' | 'broad';

/** Ports of one transport opened to the world (or too broadly) by a set of rules. */
export interface Exposed {
  kind: PortKind;
  exposure: Exposure;
  transport: Transport;
  ports: PortRange[];
  /** The rules to revoke: they reach the ports, and without them the ports are not open to the world. */
  rules: SgRule[];
  /** The ranges that together reach every address: `rules` and any kept rule the cover relies on. */
  cover: SgRule[];
}

/** The TCP or UDP ports a rule opens: its range, every port for `-1`, none for other protocols. */
export function transportRange(rule: SgRule, transport: Transport): PortRange | undefined {
  if (rule.protocol === '-1') return ALL_PORTS;
  if (rule.protocol !== transport) return undefined;
  return { from: rule.fromPort ?? ALL_PORTS.from, to: rule.toPort ?? ALL_PORTS.to };
}

interface Candidate {
  rule: SgRule;
  index: number;
  cidr: Cidr;
  range: PortRange;
  kept: boolean;
}

/** Consecutive port ranges inside `ports` on which the same candidates apply. */
function segments(ports: readonly PortRange[], candidates: readonly Candidate[]): PortRange[] {
  const cuts = new Set<number>();
  for (const range of [...ports, ...candidates.map((candidate) => candidate.range)]) {
    cuts.add(range.from);
    cuts.add(range.to + 1);
  }
  const points = [...cuts].sort((a, b) => a - b);
  return points
    .slice(0, -1)
    .map((from, index) => ({ from, to: (points[index + 1] as number) - 1 }))
    .flatMap((segment) => intersectRange(segment, ports));
}

const byBreadth = (a: Candidate, b: Candidate) =>
  a.cidr.prefix - b.cidr.prefix || a.cidr.canonical.localeCompare(b.cidr.canonical) || a.index - b.index;

/**
 * The sets of candidates (of one family, reaching one port segment) that make it open to the world, in the
 * order they are found: each is the broadest ranges that, with the kept ones, reach every address.
 */
function worldCovers(reaching: readonly Candidate[], family: IpFamily): Candidate[][] {
  const covers: Candidate[][] = [];
  let remaining = [...reaching].sort(byBreadth);
  while (coversFamily(unique(remaining), family)) {
    // Kept ranges first, then the others broadest first; a range inside the union so far adds nothing.
    const ordered = [
      ...remaining.filter((candidate) => candidate.kept),
      ...remaining.filter((candidate) => !candidate.kept),
    ];
    const union: string[] = [];
    const members: Candidate[] = [];
    for (const candidate of ordered) {
      if (!addsToUnion(union, candidate.cidr.canonical)) continue;
      union.push(candidate.cidr.canonical);
      members.push(candidate);
      if (coversFamily(union, family)) break;
    }
    const picked = new Set(members.filter((candidate) => !candidate.kept).map((c) => c.cidr.canonical));
    // Only kept rules are left to reach every address: nothing here may be revoked.
    if (picked.size === 0) break;
    // Every rule with a picked range goes with it: revoking one of two rules with the range leaves the other.
    const isPicked = (candidate: Candidate) => !candidate.kept && picked.has(candidate.cidr.canonical);
    covers.push(
      [...members.filter((candidate) => candidate.kept), ...remaining.filter(isPicked)].sort(byBreadth),
    );
    remaining = remaining.filter((candidate) => !isPicked(candidate));
  }
  return covers;
}

function unique(candidates: readonly Candidate[]): string[] {
  return [...new Set(candidates.map((candidate) => candidate.cidr.canonical))];
}

/** The ports a policy checks for one transport: blocked ones, or those outside both lists. */
function checkedPorts(policy: PortPolicy, transport: Transport, kind: PortKind): readonly PortRange[] {
  if (kind === 'blocked') return policy.blocked[transport];
  if (policy.authorized === undefined) return [];
  return subtractRanges(ALL_PORTS, [...policy.authorized[transport], ...policy.blocked[transport]]);
}

/**
 * Every blocked (and unauthorized) port the ingress rules open to the world, judged on the union of their
 * ranges, and every blocked port open to a range broader than `maxOpenPrefix`. `keep` marks rules that must not
 * be revoked (a baseline's): they count towards the union but are never among the rules to revoke.
 */
export function exposedPorts(
  ingress: readonly SgRule[],
  policy: PortPolicy,
  keep: (rule: SgRule) => boolean = () => false,
): Exposed[] {
  const found = new Map<string, Exposed & { order: number }>();
  const record = (
    kind: PortKind,
    exposure: Exposure,
    transport: Transport,
    segment: PortRange,
    cover: Candidate[],
  ) => {
    const rules = cover.filter((candidate) => !candidate.kept);
    const key = [kind, exposure, transport, ...cover.map((candidate) => ruleKey(candidate.rule))].join('|');
    const existing = found.get(key);
    if (existing !== undefined) existing.ports = mergeRanges([...existing.ports, segment]);
    else {
      found.set(key, {
        kind,
        exposure,
        transport,
        ports: [segment],
        rules: rules.map((candidate) => candidate.rule),
        cover: cover.map((candidate) => candidate.rule),
        order: Math.min(...cover.map((candidate) => candidate.index)),
      });
    }
  };
  for (const transport of TRANSPORTS) {
    for (const kind of ['blocked', 'unauthorized'] as const) {
      const ports = checkedPorts(policy, transport, kind);
      if (ports.length === 0) continue;
      for (const family of IP_FAMILIES) {
        const candidates = ingress.flatMap((rule, index): Candidate[] => {
          const cidr = rule.direction === 'ingress' ? peerCidr(rule.peer) : undefined;
          const range = transportRange(rule, transport);
          if (cidr?.family !== family || range === undefined) return [];
          return intersectRange(range, ports).length > 0
            ? [{ rule, index, cidr, range, kept: keep(rule) }]
            : [];
        });
        const maxPrefix = kind === 'blocked' ? policy.maxOpenPrefix?.[family] : undefined;
        // Port by port only where it can matter: when all the ranges together are not the world, no subset is.
        const mayBeWorld = coversFamily(unique(candidates), family);
        if (!mayBeWorld && maxPrefix === undefined) continue;
        for (const segment of segments(ports, candidates)) {
          const reaching = candidates.filter(
            (candidate) => candidate.range.from <= segment.from && candidate.range.to >= segment.to,
          );
          const covers = mayBeWorld ? worldCovers(reaching, family) : [];
          for (const cover of covers) {
            // A range that is the world on its own is reported on its own, as `tcp 22 open to 0.0.0.0/0`.
            const alone = cover.filter((candidate) => candidate.cidr.prefix === 0 && !candidate.kept);
            if (alone.length === cover.length) {
              for (const candidate of alone) record(kind, 'world', transport, segment, [candidate]);
            } else record(kind, 'world', transport, segment, cover);
          }
          if (maxPrefix === undefined) continue;
          const flagged = new Set(covers.flat());
          for (const candidate of reaching) {
            if (!candidate.kept && !flagged.has(candidate) && candidate.cidr.prefix < maxPrefix) {
              record(kind, 'broad', transport, segment, [candidate]);
            }
          }
        }
      }
    }
  }
  const kinds: PortKind[] = ['blocked', 'unauthorized'];
  return [...found.values()]
    .sort(
      (a, b) =>
        a.order - b.order ||
        TRANSPORTS.indexOf(a.transport) - TRANSPORTS.indexOf(b.transport) ||
        kinds.indexOf(a.kind) - kinds.indexOf(b.kind) ||
        (a.ports[0]?.from ?? 0) - (b.ports[0]?.from ?? 0),
    )
    .map(({ order: _order, ...exposed }) => exposed);
}

/** `0.0.0.0/1`, with `via tcp 0-100` when the rule opens more than the ports named. */
function peerVia(rule: SgRule, transport: Transport, ports: readonly PortRange[]): string {
  const range = transportRange(rule, transport);
  const exact = rule.protocol === transport && range !== undefined && sameRanges(ports, [range]);
  return `${describePeer(rule.peer)}${exact ? '' : ` via ${describeTraffic(rule)}`}`;
}

const PREFIX_PARAMETER: Readonly<Record<IpFamily, string>> = {
  4: 'maxOpenPrefixIpv4',
  6: 'maxOpenPrefixIpv6',
};

/** One reason for an exposure: `tcp 22 open to 0.0.0.0/0`, `tcp 22 open to the world by 0.0.0.0/1 + …`. */
function exposureReason(exposed: Exposed, policy: PortPolicy): Reason {
  const { transport, ports, cover } = exposed;
  const portsText = formatRanges(ports);
  const peers = cover.map((rule) => peerVia(rule, transport, ports));
  const suffix = exposed.kind === 'unauthorized' ? ', not authorized' : '';
  const details = {
    cidr: cover.map((rule) => describePeer(rule.peer)).join(' + '),
    protocol: transport,
    rule: cover.map(describeTraffic).join(' + '),
    ports: portsText,
  };
  const [first] = cover;
  const family = first === undefined ? undefined : peerCidr(first.peer)?.family;
  if (exposed.exposure === 'broad' && family !== undefined) {
    const limit = policy.maxOpenPrefix?.[family];
    return {
      code: 'broad-open-blocked-port',
      message: `${transport} ${portsText} open to ${peers.join(' + ')}, broader than /${limit} (${PREFIX_PARAMETER[family]})`,
      details,
    };
  }
  const to = cover.length === 1 ? peers.join('') : `the world by ${peers.join(' + ')}`;
  return {
    code: exposed.kind === 'blocked' ? 'world-open-blocked-port' : 'world-open-unauthorized-port',
    message: `${transport} ${portsText} open to ${to}${suffix}`,
    details,
  };
}

/** One reason per exposure: world-open blocked or unauthorized ports, and blocked ports open too broadly. */
export function worldOpenReasons(
  ingress: readonly SgRule[],
  policy: PortPolicy,
  keep?: (rule: SgRule) => boolean,
): Reason[] {
  return exposedPorts(ingress, policy, keep).map((exposed) => exposureReason(exposed, policy));
}
