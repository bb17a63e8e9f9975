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
import * as z from 'zod';
import type { ParameterDoc, SuiteSettings } from '../../core/model.ts';
import { type Baseline, parseBaselines } from './baselines.ts';
import {
  MAX_PORT,
  mergeRanges,
  NO_PORTS,
  type PortRange,
  type PortsByTransport,
  parsePortList,
  parseProtocolPortList,
} from './ports.ts';
import { knownFields, parseParameter, textOrNumber } from './schema.ts';
import type { MaxOpenPrefix, PortPolicy } from './world-open.ts';

export interface SecurityGroupParams extends PortPolicy {
  baselines: readonly Baseline[];
}

export const DEFAULT_BLOCKED_PORTS = '22,3389';

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

/** Config passes parameter values as strings; a number (`blockedPort1: 3306` in YAML) is taken as written. */
const parameterText = textOrNumber('expected a string')
  .nullish()
  .transform((value) => (value === undefined || value === null ? undefined : String(value).trim()));

const SINGLE_PORT = /^\d{1,5}$/;

/** `blockedPort1`…`blockedPort5`: one TCP port each, blank when unset. */
const singleTcpPort = parameterText
  .refine(
    (value) => !value || (SINGLE_PORT.test(value) && Number(value) <= MAX_PORT),
    `expected one TCP port number from 0 to ${MAX_PORT}`,
  )
  .transform((value): PortRange | undefined =>
    value ? { from: Number(value), to: Number(value) } : undefined,
  );

const PREFIX_LENGTH = /^\d{1,3}$/;

function prefixLength(width: number) {
  return parameterText
    .refine(
      (value) => !value || (PREFIX_LENGTH.test(value) && Number(value) >= 1 && Number(value) <= width),
      `expected a prefix length from 1 to ${width}: blocked ports may not be open to ranges broader than it`,
    )
    .transform((value) => (value ? Number(value) : undefined));
}

const KNOWN_PARAMETERS = [
  'blockedPorts',
  'blockedPort1',
  'blockedPort2',
  'blockedPort3',
  'blockedPort4',
  'blockedPort5',
  'authorizedTcpPorts',
  'authorizedUdpPorts',
  'maxOpenPrefixIpv4',
  'maxOpenPrefixIpv6',
];

/** Read first: the blocked ports (ports.ts then reads the lists). */
const blockedPortsSchema = knownFields(
  KNOWN_PARAMETERS,
  'expected a map of parameters',
  `unknown parameter for security-group (known: ${KNOWN_PARAMETERS.join(', ')})`,
).pipe(
  z.object({
    blockedPorts: parameterText,
    blockedPort1: singleTcpPort,
    blockedPort2: singleTcpPort,
    blockedPort3: singleTcpPort,
    blockedPort4: singleTcpPort,
    blockedPort5: singleTcpPort,
  }),
);

/** Read once the blocked ports are: the prefix lengths that widen them, then the authorized ports. */
const wideningSchema = z.object({
  maxOpenPrefixIpv4: prefixLength(32),
  maxOpenPrefixIpv6: prefixLength(128),
  authorizedTcpPorts: parameterText,
  authorizedUdpPorts: parameterText,
});

type BlockedPortsFields = z.infer<typeof blockedPortsSchema>;
type WideningFields = z.infer<typeof wideningSchema>;

function blockedPorts(fields: BlockedPortsFields): PortsByTransport {
  const single = [
    fields.blockedPort1,
    fields.blockedPort2,
    fields.blockedPort3,
    fields.blockedPort4,
    fields.blockedPort5,
  ].filter((port) => port !== undefined);
  const list = fields.blockedPorts;
  if (list === undefined && single.length === 0)
    return parseProtocolPortList(DEFAULT_BLOCKED_PORTS, 'blockedPorts');
  const parsed = list === undefined ? NO_PORTS : parseProtocolPortList(list, 'blockedPorts');
  return { tcp: mergeRanges([...parsed.tcp, ...single]), udp: parsed.udp };
}

function authorizedPorts(fields: WideningFields): PortsByTransport | undefined {
  const { authorizedTcpPorts: tcp, authorizedUdpPorts: udp } = fields;
  if (!tcp && !udp) return undefined;
  return {
    tcp: tcp ? parsePortList(tcp, 'authorizedTcpPorts') : [],
    udp: udp ? parsePortList(udp, 'authorizedUdpPorts') : [],
  };
}

function maxOpenPrefix(fields: WideningFields): MaxOpenPrefix | undefined {
  const { maxOpenPrefixIpv4: ipv4, maxOpenPrefixIpv6: ipv6 } = fields;
  if (ipv4 === undefined && ipv6 === undefined) return undefined;
  return { ...(ipv4 !== undefined ? { 4: ipv4 } : {}), ...(ipv6 !== undefined ? { 6: ipv6 } : {}) };
}

export function parseSecurityGroupParameters(
  raw: Record<string, unknown>,
  suite: SuiteSettings,
): SecurityGroupParams {
  const blocked = blockedPorts(parseParameter(blockedPortsSchema, raw, ''));
  const widening = parseParameter(wideningSchema, raw, '');
  const broadest = maxOpenPrefix(widening);
  return {
    blocked,
    authorized: authorizedPorts(widening),
    maxOpenPrefix: broadest,
    baselines: parseBaselines(suite.baselines, { blocked, maxOpenPrefix: broadest }),
  };
}
