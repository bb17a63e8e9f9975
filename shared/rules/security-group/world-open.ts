/**
 * Which ingress rules open ports to the world (`0.0.0.0/0`, `::/0`): blocked ports (restricted-common-ports)
 * and, when an authorized list is set, any port outside it (vpc-sg-open-only-to-authorized-ports).
 * Protocol `-1` covers every TCP and UDP port; a range covers every port in it.
 */
import type { Reason } from '../../core/model.ts';
import { describePeer, describeTraffic, isWorldPeer, type SgRule } from './permissions.ts';
import {
  ALL_PORTS,
  formatRanges,
  intersectRange,
  type PortRange,
  type PortsByTransport,
  sameRanges,
  subtractRanges,
  TRANSPORTS,
  type Transport,
} from './ports.ts';

export interface PortPolicy {
  blocked: PortsByTransport;
  /** Ports that may be open to the world; undefined when neither authorized parameter is set. */
  authorized?: PortsByTransport | undefined;
}

/** The TCP or UDP ports a rule opens: its range, every port for `-1`, none for other protocols. */
export function transportRange(rule: SgRule, transport: Transport): PortRange | undefined {
  if (rule.protocol === '-1') return ALL_PORTS;
  if (rule.protocol !== transport) return undefined;
  return { from: rule.fromPort ?? ALL_PORTS.from, to: rule.toPort ?? ALL_PORTS.to };
}

/** The blocked ports, per protocol, that one rule opens to the world (empty lists when none). */
export function blockedPortsOpened(rule: SgRule, blocked: PortsByTransport): Record<Transport, PortRange[]> {
  const opened: Record<Transport, PortRange[]> = { tcp: [], udp: [] };
  if (rule.direction !== 'ingress' || !isWorldPeer(rule.peer)) return opened;
  for (const transport of TRANSPORTS) {
    const range = transportRange(rule, transport);
    if (range !== undefined) opened[transport] = intersectRange(range, blocked[transport]);
  }
  return opened;
}

export function opensBlockedPort(rule: SgRule, blocked: PortsByTransport): boolean {
  const opened = blockedPortsOpened(rule, blocked);
  return opened.tcp.length > 0 || opened.udp.length > 0;
}

/** `tcp 22 open to 0.0.0.0/0`, with `via <rule>` when the rule opens more than the ports named. */
function openMessage(rule: SgRule, transport: Transport, ports: readonly PortRange[], suffix = ''): string {
  const range = transportRange(rule, transport);
  const exact = rule.protocol === transport && range !== undefined && sameRanges(ports, [range]);
  const via = exact ? '' : ` via ${describeTraffic(rule)}`;
  return `${transport} ${formatRanges(ports)} open to ${describePeer(rule.peer)}${via}${suffix}`;
}

/** One reason per world-open ingress rule and protocol that opens a blocked or an unauthorized port. */
export function worldOpenReasons(ingress: readonly SgRule[], policy: PortPolicy): Reason[] {
  const reasons: Reason[] = [];
  for (const rule of ingress) {
    if (rule.direction !== 'ingress' || !isWorldPeer(rule.peer)) continue;
    for (const transport of TRANSPORTS) {
      const range = transportRange(rule, transport);
      if (range === undefined) continue;
      const blocked = intersectRange(range, policy.blocked[transport]);
      const details = { cidr: describePeer(rule.peer), protocol: transport, rule: describeTraffic(rule) };
      if (blocked.length > 0) {
        reasons.push({
          code: 'world-open-blocked-port',
          message: openMessage(rule, transport, blocked),
          details: { ...details, ports: formatRanges(blocked) },
        });
      }
      if (policy.authorized === undefined) continue;
      const unauthorized = subtractRanges(range, [
        ...policy.authorized[transport],
        ...policy.blocked[transport],
      ]);
      if (unauthorized.length > 0) {
        reasons.push({
          code: 'world-open-unauthorized-port',
          message: openMessage(rule, transport, unauthorized, ', not authorized'),
          details: { ...details, ports: formatRanges(unauthorized) },
        });
      }
    }
  }
  return reasons;
}
