/**
 * IPv4 and IPv6 CIDR blocks, parsed to a canonical network (host bits cleared, IPv6 in RFC 5952 form), so that
 * `2001:DB8::/32` and `2001:db8:0::/32` are the same peer and `0.0.0.0/0` / `::/0` are recognised as the world.
 */

export interface Cidr {
  family: 4 | 6;
  prefix: number;
  /** The network in canonical form with its prefix: `10.0.0.0/8`, `2001:db8::/32`. */
  canonical: string;
  /** True when the text had bits set beyond the prefix (`10.0.0.1/8`). */
  hostBitsSet: boolean;
}

const IPV4_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseIpv4(text: string): bigint | undefined {
  const match = IPV4_PATTERN.exec(text);
  if (!match) return undefined;
  let value = 0n;
  for (const octet of match.slice(1)) {
    const number = Number(octet);
    if (number > 255) return undefined;
    value = (value << 8n) | BigInt(number);
  }
  return value;
}

function parseGroups(text: string): bigint[] | undefined {
  if (text === '') return [];
  const groups: bigint[] = [];
  const parts = text.split(':');
  for (const [index, part] of parts.entries()) {
    if (index === parts.length - 1 && part.includes('.')) {
      const ipv4 = parseIpv4(part);
      if (ipv4 === undefined) return undefined;
      groups.push(ipv4 >> 16n, ipv4 & 0xffffn);
      continue;
    }
    if (!/^[0-9a-f]{1,4}$/i.test(part)) return undefined;
    groups.push(BigInt(Number.parseInt(part, 16)));
  }
  return groups;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...Array<bigint>(missing).fill(0n), ...tail];
  return groups.reduce((value, group) => (value << 16n) | group, 0n);
}

function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

/** RFC 5952: lower case, no leading zeros, the longest run of two or more zero groups written `::`. */
function formatIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, index) =>
    Number((value >> BigInt(112 - 16 * index)) & 0xffffn),
  );
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > bestLength) {
      bestStart = start;
      bestLength = length;
    }
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

function toCidr(family: 4 | 6, address: bigint, prefix: number): Cidr {
  const width = family === 4 ? 32n : 128n;
  const hostBits = width - BigInt(prefix);
  const network = (address >> hostBits) << hostBits;
  const text = family === 4 ? formatIpv4(network) : formatIpv6(network);
  return { family, prefix, canonical: `${text}/${prefix}`, hostBitsSet: network !== address };
}

/** Parses `a.b.c.d/n` or an IPv6 `addr/n`; undefined when the text is neither. */
export function parseCidr(text: string): Cidr | undefined {
  const match = /^([^/\s]+)\/(\d{1,3})$/.exec(text.trim());
  if (!match) return undefined;
  const [, address = '', prefixText = ''] = match;
  const prefix = Number(prefixText);
  if (address.includes(':')) {
    const value = parseIpv6(address);
    return value === undefined || prefix > 128 ? undefined : toCidr(6, value, prefix);
  }
  const value = parseIpv4(address);
  return value === undefined || prefix > 32 ? undefined : toCidr(4, value, prefix);
}

/** `0.0.0.0/0` or `::/0` (any network with a zero-length prefix): every address of its family. */
export function isWorld(cidr: Cidr): boolean {
  return cidr.prefix === 0;
}
