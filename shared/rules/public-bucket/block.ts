/**
 * S3 Block Public Access: the four settings, at bucket and account level. S3 applies the most restrictive
 * combination of the two (Amazon S3 User Guide, "Blocking public access to your Amazon S3 storage").
 */
import * as z from 'zod';
import { describeZodError, type PublicAccessBlockFlags } from '../../core/model.ts';
import { decodeJson } from './acl.ts';

export const BLOCK_SETTINGS = [
  'BlockPublicAcls',
  'IgnorePublicAcls',
  'BlockPublicPolicy',
  'RestrictPublicBuckets',
] as const;
export type BlockSetting = (typeof BLOCK_SETTINGS)[number];

export type BlockLevel = 'bucket' | 'account';

const FLAG_OF: Record<BlockSetting, keyof PublicAccessBlockFlags> = {
  BlockPublicAcls: 'blockPublicAcls',
  IgnorePublicAcls: 'ignorePublicAcls',
  BlockPublicPolicy: 'blockPublicPolicy',
  RestrictPublicBuckets: 'restrictPublicBuckets',
};

export const ALL_BLOCKED: PublicAccessBlockFlags = {
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
};

export const NONE_BLOCKED: PublicAccessBlockFlags = {
  blockPublicAcls: false,
  ignorePublicAcls: false,
  blockPublicPolicy: false,
  restrictPublicBuckets: false,
};

export function isOn(flags: PublicAccessBlockFlags | null | undefined, setting: BlockSetting): boolean {
  return flags?.[FLAG_OF[setting]] === true;
}

export function isFullyBlocked(flags: PublicAccessBlockFlags | null | undefined): boolean {
  return BLOCK_SETTINGS.every((setting) => isOn(flags, setting));
}

/** The levels at which a setting is on. */
export function levelsWith(
  setting: BlockSetting,
  bucket: PublicAccessBlockFlags | null | undefined,
  account: PublicAccessBlockFlags | null | undefined,
): BlockLevel[] {
  const levels: BlockLevel[] = [];
  if (isOn(bucket, setting)) levels.push('bucket');
  if (isOn(account, setting)) levels.push('account');
  return levels;
}

/** `IgnorePublicAcls (bucket and account)` */
export function describeSetting(setting: BlockSetting, levels: readonly BlockLevel[]): string {
  return `${setting} (${levels.join(' and ')})`;
}

/** The settings that are on, by name, e.g. `BlockPublicAcls, IgnorePublicAcls`, or `none`. */
export function describeFlags(flags: PublicAccessBlockFlags | null | undefined): string {
  const on = BLOCK_SETTINGS.filter((setting) => isOn(flags, setting));
  return on.length > 0 ? on.join(', ') : 'none';
}

const camelFlags = z.looseObject({
  blockPublicAcls: z.boolean().nullish(),
  ignorePublicAcls: z.boolean().nullish(),
  blockPublicPolicy: z.boolean().nullish(),
  restrictPublicBuckets: z.boolean().nullish(),
});

export type FlagsResult = { ok: true; flags: PublicAccessBlockFlags | null } | { ok: false; error: string };

/**
 * Reads Block Public Access flags as Config records them (`PublicAccessBlockConfiguration` of a bucket, or the
 * `configuration` of an `AWS::S3::AccountPublicAccessBlock`): camel-case booleans, possibly JSON text. Absent
 * means no configuration; an absent flag is off.
 */
export function flagsFromConfig(value: unknown): FlagsResult {
  const document = decodeJson(value);
  if (document === undefined || document === null) return { ok: true, flags: null };
  const parsed = camelFlags.safeParse(document);
  if (!parsed.success) return { ok: false, error: describeZodError(parsed.error) };
  return {
    ok: true,
    flags: {
      blockPublicAcls: parsed.data.blockPublicAcls === true,
      ignorePublicAcls: parsed.data.ignorePublicAcls === true,
      blockPublicPolicy: parsed.data.blockPublicPolicy === true,
      restrictPublicBuckets: parsed.data.restrictPublicBuckets === true,
    },
  };
}

/** From the API's `PublicAccessBlockConfiguration` (`BlockPublicAcls`, …); an absent flag is off. */
export function flagsFromApi(
  configuration: Partial<Record<BlockSetting, boolean | undefined>>,
): PublicAccessBlockFlags {
  return {
    blockPublicAcls: configuration.BlockPublicAcls === true,
    ignorePublicAcls: configuration.IgnorePublicAcls === true,
    blockPublicPolicy: configuration.BlockPublicPolicy === true,
    restrictPublicBuckets: configuration.RestrictPublicBuckets === true,
  };
}
