/**
 * IPv4 and IPv6 CIDR blocks: checked with zod's `cidrv4` / `cidrv6` formats (strict: no leading zeros, no zone
 * ids, prefix within the family's width), then canonicalised and combined with cidr-tools (union and
 * difference over both families). cidr-tools because it does set arithmetic (ipaddr.js only parses and
 * matches); version 12 because 13 needs ip-bigint@10, which the registry does not have. Its own parser is
 * lenient (it reads `999.1.1.1` and `1:2:3:4:5:6:7:8:9`), so nothing reaches it unchecked.
 */
import { excludeCidr, normalizeCidr, parseCidr as parseNetwork } from 'cidr-tools';
import * as z from 'zod';

export type IpFamily = 4 | 6;
export const IP_FAMILIES: readonly IpFamily[] = [4, 6];

export interface Cidr {
  family: IpFamily;
  prefix: number;
  /** The network in canonical form with its prefix: `10.0.0.0/8`, `2001:db8::/32`. */
  canonical: string;
  /** True when the text had bits set beyond the prefix (`10.0.0.1/8`). */
  hostBitsSet: boolean;
}

/** Every address of a family: `0.0.0.0/0`, `::/0`. */
export const WORLD: Readonly<Record<IpFamily, string>> = { 4: '0.0.0.0/0', 6: '::/0' };
const FAMILY_WIDTH: Readonly<Record<IpFamily, number>> = { 4: 32, 6: 128 };

const ipv4Cidr = z.cidrv4();
const ipv6Cidr = z.cidrv6();
const ipv4Address = z.ipv4();
const ipv6Address = z.ipv6();

/**
 * Texts already parsed: a group's rules, and an inventory's groups, repeat the same few blocks, each parsed
 * several times a rule (validity, comparison keys, world-open checks). Bounded: cleared when it fills.
 */
const parsedCidrs = new Map<string, Readonly<Cidr> | undefined>();
const PARSED_CIDRS_LIMIT = 4096;
/** Longer than any CIDR with some blanks around it (an IPv6 one is at most 43 characters): never kept. */
const REMEMBERED_TEXT_LENGTH = 64;

/** Parses `a.b.c.d/n` or an IPv6 `addr/n` (surrounding blanks ignored); undefined when the text is neither. */
export function parseCidr(text: string): Readonly<Cidr> | undefined {
  if (parsedCidrs.has(text)) return parsedCidrs.get(text);
  const cidr = parseCidrText(text);
  if (text.length > REMEMBERED_TEXT_LENGTH) return cidr;
  if (parsedCidrs.size >= PARSED_CIDRS_LIMIT) parsedCidrs.clear();
  parsedCidrs.set(text, cidr);
  return cidr;
}

function parseCidrText(text: string): Readonly<Cidr> | undefined {
  const trimmed = text.trim();
  const family = ipv4Cidr.safeParse(trimmed).success
    ? 4
    : ipv6Cidr.safeParse(trimmed).success
      ? 6
      : undefined;
  if (family === undefined) return undefined;
  const [address = ''] = trimmed.split('/');
  const network = parseNetwork(trimmed);
  return Object.freeze({
    family,
    prefix: Number(network.prefix),
    canonical: normalizeCidr(trimmed),
    hostBitsSet: parseNetwork(address).start !== network.start,
  });
}

/** A CIDR block, or a bare address taken as a single host (`/32`, `/128`), as IAM's `aws:SourceIp` reads it. */
export function parseAddressOrCidr(text: string): Cidr | undefined {
  const trimmed = text.trim();
  if (trimmed.includes('/')) return parseCidr(trimmed);
  if (ipv4Address.safeParse(trimmed).success) return parseCidr(`${trimmed}/${FAMILY_WIDTH[4]}`);
  if (ipv6Address.safeParse(trimmed).success) return parseCidr(`${trimmed}/${FAMILY_WIDTH[6]}`);
  return undefined;
}

/** True when the blocks (canonical, one family) together hold every address of that family. */
export function coversFamily(canonical: readonly string[], family: IpFamily): boolean {
  return canonical.length > 0 && excludeCidr(WORLD[family], [...canonical]).length === 0;
}

/** True when `block` holds an address outside the union of `union` (all canonical, one family). */
export function addsToUnion(union: readonly string[], block: string): boolean {
  return union.length === 0 || excludeCidr(block, [...union]).length > 0;
}
