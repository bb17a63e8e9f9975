/**
 * Parameters of `security-group`, drop-in compatible with AWS's managed rules:
 * - `blockedPorts` (ours; default `22,3389`), and `blockedPort1`…`blockedPort5` as restricted-common-ports
 *   writes them (AWS Config Developer Guide, "restricted-common-ports");
 * - `authorizedTcpPorts` / `authorizedUdpPorts` as vpc-sg-open-only-to-authorized-ports writes them
 *   (AWS Config Developer Guide, "vpc-sg-open-only-to-authorized-ports");
 * - `maxOpenPrefixIpv4` / `maxOpenPrefixIpv6` (ours; off by default, so the managed rules' parameters keep
 *   their meaning): blocked ports may not be open to ranges broader than these prefixes either;
 * - the suite setting `baselines` (see baselines.ts).
 * Every problem is a {@link ParameterError} naming the parameter and the value.
 */
import { type ParameterDoc, ParameterError, type SuiteSettings } from '../../core/model.ts';
import { type Baseline, parseBaselines } from './baselines.ts';
import {
  mergeRanges,
  NO_PORTS,
  type PortRange,
  type PortsByTransport,
  parsePortList,
  parseProtocolPortList,
} from './ports.ts';
import type { MaxOpenPrefix, PortPolicy } from './world-open.ts';

export interface SecurityGroupParams extends PortPolicy {
  baselines: readonly Baseline[];
}

export const DEFAULT_BLOCKED_PORTS = '22,3389';
const MANAGED_BLOCKED_PORTS = [
  'blockedPort1',
  'blockedPort2',
  'blockedPort3',
  'blockedPort4',
  'blockedPort5',
];
const KNOWN_PARAMETERS = [
  'blockedPorts',
  ...MANAGED_BLOCKED_PORTS,
  'authorizedTcpPorts',
  'authorizedUdpPorts',
  'maxOpenPrefixIpv4',
  'maxOpenPrefixIpv6',
];

export const PARAMETER_DOCS: readonly ParameterDoc[] = [
  {
    name: 'blockedPorts',
    description:
      'Ports and ranges that must never be open to 0.0.0.0/0 or ::/0, comma-separated; TCP unless prefixed with udp: (e.g. 22,3389,udp:161). Empty means none.',
    default: DEFAULT_BLOCKED_PORTS,
  },
  {
    name: 'blockedPort1 … blockedPort5',
    description:
      'Single blocked TCP ports, as restricted-common-ports names them; added to blockedPorts (which then has no default).',
  },
  {
    name: 'authorizedTcpPorts',
    description:
      'When this or authorizedUdpPorts is set, TCP ports outside this list (e.g. 443,1020-1025) must not be open to the world.',
  },
  {
    name: 'authorizedUdpPorts',
    description:
      'When this or authorizedTcpPorts is set, UDP ports outside this list (e.g. 500,1020-1025) must not be open to the world.',
  },
  {
    name: 'maxOpenPrefixIpv4',
    description:
      'Blocked ports must not be open to an IPv4 range broader than this prefix length either (e.g. 8, as S3 judges aws:SourceIp: 10.0.0.0/7 is flagged, 10.0.0.0/8 is not). Off when absent: only ranges that together reach every address count.',
  },
  {
    name: 'maxOpenPrefixIpv6',
    description:
      'The same for IPv6 ranges (e.g. 32: 2001:db8::/31 is flagged, 2001:db8::/32 is not). Off when absent.',
  },
];

/**
 * AWS Config Developer Guide, "restricted-common-ports": blockedPort1…blockedPort5 default to 20, 21, 3389,
 * 3306 and 4333, and each one set replaces only its own default.
 */
export const MANAGED_RULE_DIFFERENCES: readonly string[] = [
  'With no port parameter, the blocked ports are 22 and 3389 (restricted-common-ports blocks 20, 21, 3389, 3306 and 4333 by default).',
  'Setting any of blockedPort1…blockedPort5 replaces the defaults: only the ports given (and blockedPorts) are blocked; restricted-common-ports keeps the default of each slot left unset.',
];

function text(raw: Record<string, unknown>, name: string): string | undefined {
  const value = raw[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new ParameterError(name, value, 'expected a string');
  }
  return String(value).trim();
}

function blockedPorts(raw: Record<string, unknown>): PortsByTransport {
  const list = text(raw, 'blockedPorts');
  const single: PortRange[] = MANAGED_BLOCKED_PORTS.flatMap((name) => {
    const value = text(raw, name);
    if (value === undefined || value === '') return [];
    if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
      throw new ParameterError(name, raw[name], 'expected one TCP port number from 0 to 65535');
    }
    return [{ from: Number(value), to: Number(value) }];
  });
  if (list === undefined && single.length === 0)
    return parseProtocolPortList(DEFAULT_BLOCKED_PORTS, 'blockedPorts');
  const parsed = list === undefined ? NO_PORTS : parseProtocolPortList(list, 'blockedPorts');
  return { tcp: mergeRanges([...parsed.tcp, ...single]), udp: parsed.udp };
}

function authorizedPorts(raw: Record<string, unknown>): PortsByTransport | undefined {
  const tcp = text(raw, 'authorizedTcpPorts');
  const udp = text(raw, 'authorizedUdpPorts');
  if (!tcp && !udp) return undefined;
  return {
    tcp: tcp ? parsePortList(tcp, 'authorizedTcpPorts') : [],
    udp: udp ? parsePortList(udp, 'authorizedUdpPorts') : [],
  };
}

const PREFIX_WIDTH = { maxOpenPrefixIpv4: 32, maxOpenPrefixIpv6: 128 } as const;

function prefixLength(raw: Record<string, unknown>, name: keyof typeof PREFIX_WIDTH): number | undefined {
  const value = text(raw, name);
  if (value === undefined || value === '') return undefined;
  const width = PREFIX_WIDTH[name];
  const number = Number(value);
  if (!/^\d{1,3}$/.test(value) || number < 1 || number > width) {
    throw new ParameterError(
      name,
      raw[name],
      `expected a prefix length from 1 to ${width}: blocked ports may not be open to ranges broader than it`,
    );
  }
  return number;
}

function maxOpenPrefix(raw: Record<string, unknown>): MaxOpenPrefix | undefined {
  const ipv4 = prefixLength(raw, 'maxOpenPrefixIpv4');
  const ipv6 = prefixLength(raw, 'maxOpenPrefixIpv6');
  if (ipv4 === undefined && ipv6 === undefined) return undefined;
  return { ...(ipv4 !== undefined ? { 4: ipv4 } : {}), ...(ipv6 !== undefined ? { 6: ipv6 } : {}) };
}

export function parseSecurityGroupParameters(
  raw: Record<string, unknown>,
  suite: SuiteSettings,
): SecurityGroupParams {
  for (const name of Object.keys(raw)) {
    if (!KNOWN_PARAMETERS.includes(name)) {
      throw new ParameterError(
        name,
        raw[name],
        `unknown parameter for security-group (known: ${KNOWN_PARAMETERS.join(', ')})`,
      );
    }
  }
  const blocked = blockedPorts(raw);
  const broadest = maxOpenPrefix(raw);
  return {
    blocked,
    authorized: authorizedPorts(raw),
    maxOpenPrefix: broadest,
    baselines: parseBaselines(suite.baselines, { blocked, maxOpenPrefix: broadest }),
  };
}
