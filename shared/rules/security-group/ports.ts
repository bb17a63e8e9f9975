/**
 * Port ranges and the port-list parameters (`blockedPorts`, `authorizedTcpPorts`, `authorizedUdpPorts`):
 * comma-separated ports and dash ranges, as AWS's managed rules write them (`443,1020-1025`).
 */
import { splitCsv } from '../../core/csv.ts';
import { ParameterError } from '../../core/model.ts';

export const MIN_PORT = 0;
export const MAX_PORT = 65535;

/** An inclusive range of ports. */
export interface PortRange {
  from: number;
  to: number;
}

export type Transport = 'tcp' | 'udp';
export const TRANSPORTS: readonly Transport[] = ['tcp', 'udp'];

/** Port ranges per transport protocol, each list merged and sorted. */
export type PortsByTransport = Readonly<Record<Transport, readonly PortRange[]>>;

export const ALL_PORTS: PortRange = { from: MIN_PORT, to: MAX_PORT };
export const NO_PORTS: PortsByTransport = { tcp: [], udp: [] };

/** Sorts ranges and merges those that overlap or touch. */
export function mergeRanges(ranges: readonly PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((a, b) => a.from - b.from || a.to - b.to);
  const merged: PortRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && range.from <= last.to + 1) last.to = Math.max(last.to, range.to);
    else merged.push({ ...range });
  }
  return merged;
}

/** The parts of `range` inside any of `set`. */
export function intersectRange(range: PortRange, set: readonly PortRange[]): PortRange[] {
  const parts: PortRange[] = [];
  for (const other of mergeRanges(set)) {
    const from = Math.max(range.from, other.from);
    const to = Math.min(range.to, other.to);
    if (from <= to) parts.push({ from, to });
  }
  return parts;
}

/** The parts of `range` outside every one of `set`. */
export function subtractRanges(range: PortRange, set: readonly PortRange[]): PortRange[] {
  let remaining: PortRange[] = [{ ...range }];
  for (const cut of mergeRanges(set)) {
    remaining = remaining.flatMap((part) => {
      if (cut.to < part.from || cut.from > part.to) return [part];
      const pieces: PortRange[] = [];
      if (cut.from > part.from) pieces.push({ from: part.from, to: cut.from - 1 });
      if (cut.to < part.to) pieces.push({ from: cut.to + 1, to: part.to });
      return pieces;
    });
  }
  return remaining;
}

export function sameRanges(a: readonly PortRange[], b: readonly PortRange[]): boolean {
  return (
    a.length === b.length &&
    a.every((range, index) => range.from === b[index]?.from && range.to === b[index]?.to)
  );
}

/** `22` or `1024-2048`. */
export function formatRange(range: PortRange): string {
  return range.from === range.to ? String(range.from) : `${range.from}-${range.to}`;
}

export function formatRanges(ranges: readonly PortRange[]): string {
  return ranges.map(formatRange).join(',');
}

const RANGE_PATTERN = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/;

/** Parses one `22` or `1024-2048` entry; undefined when it is neither. Throws on an out-of-range port. */
function parseRange(entry: string, parameter: string, raw: string): PortRange | undefined {
  const match = RANGE_PATTERN.exec(entry);
  if (!match) return undefined;
  const from = Number(match[1]);
  const to = match[2] === undefined ? from : Number(match[2]);
  for (const port of [from, to]) {
    if (port > MAX_PORT) {
      throw new ParameterError(parameter, raw, `port ${port} in "${entry}" is above ${MAX_PORT}`);
    }
  }
  if (from > to) {
    throw new ParameterError(parameter, raw, `range "${entry}" runs backwards; write it as ${to}-${from}`);
  }
  return { from, to };
}

/**
 * A list of ports and ranges for one protocol (`authorizedTcpPorts`: `443,1020-1025`). Throws a
 * {@link ParameterError} naming the parameter, the value and the entry at fault.
 */
export function parsePortList(raw: string, parameter: string): PortRange[] {
  return mergeRanges(
    splitCsv(raw).map((entry) => {
      const range = parseRange(entry, parameter, raw);
      if (range === undefined) {
        throw new ParameterError(
          parameter,
          raw,
          `"${entry}" is not a port or a range (ports 0-65535, e.g. 443 or 1020-1025)`,
        );
      }
      return range;
    }),
  );
}

const PROTOCOL_PREFIX = /^(tcp|udp)\s*:\s*(.*)$/i;

/**
 * The `blockedPorts` list: ports and ranges, TCP unless prefixed with `udp:` (`22,3389,udp:161,tcp:8000-8100`).
 * Throws a {@link ParameterError} naming the parameter, the value and the entry at fault.
 */
export function parseProtocolPortList(raw: string, parameter: string): PortsByTransport {
  const result: Record<Transport, PortRange[]> = { tcp: [], udp: [] };
  for (const entry of splitCsv(raw)) {
    const prefixed = PROTOCOL_PREFIX.exec(entry);
    const transport = (prefixed?.[1]?.toLowerCase() ?? 'tcp') as Transport;
    const range = parseRange(prefixed?.[2]?.trim() ?? entry, parameter, raw);
    if (range === undefined) {
      throw new ParameterError(
        parameter,
        raw,
        `"${entry}" is not a port or a range (ports 0-65535, TCP unless prefixed: 22, 1024-2048, udp:161)`,
      );
    }
    result[transport].push(range);
  }
  return { tcp: mergeRanges(result.tcp), udp: mergeRanges(result.udp) };
}

/** `tcp 22,3389; udp 161`: a port list as people read it. */
export function describePortsByTransport(ports: PortsByTransport): string {
  const parts = TRANSPORTS.filter((transport) => ports[transport].length > 0).map(
    (transport) => `${transport} ${formatRanges(ports[transport])}`,
  );
  return parts.length > 0 ? parts.join('; ') : 'none';
}
