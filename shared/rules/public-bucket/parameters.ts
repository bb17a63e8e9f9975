/**
 * The `public-bucket` rule parameters (Config `ruleParameters`, string values) and the
 * `public-bucket-remediate` responder settings (`responders["public-bucket-remediate"]` in the suite file).
 */
import * as z from 'zod';
import { splitCsv } from '../../core/csv.ts';
import { ParameterError, type SuiteSettings } from '../../core/model.ts';
import {
  parseResponderSettings as parseOwnSettings,
  REMEDIATION_MODES,
  type RemediationMode,
  remediationModeSchema,
} from '../../core/responder.ts';
import { BLOCK_SETTINGS, type BlockSetting } from './block.ts';

export const PUBLIC_ACCESS_KINDS = ['read', 'write', 'any'] as const;
export type PublicAccessKind = (typeof PUBLIC_ACCESS_KINDS)[number];

export interface PublicBucketParams {
  /** Buckets allowed to be public, by exact name (the managed rule documents no wildcard). */
  excludedPublicBuckets: readonly string[];
  /** Which public access counts: `read`, `write` or `any` (any grant to the public, even `READ_ACP`). */
  publicAccess: PublicAccessKind;
  /** Account-level Block Public Access settings that must be on; empty turns that check off. */
  accountLevelBlocks: readonly BlockSetting[];
}

export const PARAMETER_NAMES = ['excludedPublicBuckets', 'publicAccess', 'accountLevelBlocks'] as const;

/** Amazon S3 User Guide, "General purpose bucket naming rules". */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function isBucketName(name: string): boolean {
  return BUCKET_NAME.test(name) && !name.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(name);
}

export function parsePublicBucketParameters(raw: Record<string, unknown>): PublicBucketParams {
  for (const name of Object.keys(raw)) {
    if (!(PARAMETER_NAMES as readonly string[]).includes(name)) {
      throw new ParameterError(name, raw[name], `unknown parameter (known: ${PARAMETER_NAMES.join(', ')})`);
    }
  }
  return {
    excludedPublicBuckets: parseExcluded(raw.excludedPublicBuckets),
    publicAccess: parsePublicAccess(raw.publicAccess),
    accountLevelBlocks: parseAccountLevelBlocks(raw.accountLevelBlocks),
  };
}

function text(parameter: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ParameterError(parameter, value, 'expected a string');
  return value.trim() === '' ? undefined : value;
}

function parseExcluded(value: unknown): string[] {
  const csv = text('excludedPublicBuckets', value);
  if (csv === undefined) return [];
  const names = splitCsv(csv);
  const invalid = names.find((name) => !isBucketName(name));
  if (invalid !== undefined) {
    throw new ParameterError(
      'excludedPublicBuckets',
      value,
      `"${invalid}" is not an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens; no wildcards)`,
    );
  }
  return [...new Set(names)];
}

function parsePublicAccess(value: unknown): PublicAccessKind {
  const kind = text('publicAccess', value);
  if (kind === undefined) return 'any';
  const normalised = kind.trim().toLowerCase();
  if (!(PUBLIC_ACCESS_KINDS as readonly string[]).includes(normalised)) {
    throw new ParameterError('publicAccess', value, `expected one of ${PUBLIC_ACCESS_KINDS.join(', ')}`);
  }
  return normalised as PublicAccessKind;
}

function parseAccountLevelBlocks(value: unknown): BlockSetting[] {
  const csv = text('accountLevelBlocks', value);
  if (csv === undefined) return [...BLOCK_SETTINGS];
  const names = splitCsv(csv);
  if (names.length === 1 && names[0]?.toLowerCase() === 'none') return [];
  const settings: BlockSetting[] = [];
  for (const name of names) {
    const setting = BLOCK_SETTINGS.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    if (setting === undefined) {
      throw new ParameterError(
        'accountLevelBlocks',
        value,
        `"${name}" is not a Block Public Access setting (expected ${BLOCK_SETTINGS.join(', ')}, or none)`,
      );
    }
    if (!settings.includes(setting)) settings.push(setting);
  }
  return BLOCK_SETTINGS.filter((setting) => settings.includes(setting));
}

export const RESPONDER_NAME = 'public-bucket-remediate';
export const RESPONDER_MODES = REMEDIATION_MODES;
export type ResponderMode = RemediationMode;

export interface ResponderSettings {
  /**
   * `report` (the default) only notifies; `enforce` turns on the bucket's Block Public Access. Report is
   * the default because blocking breaks a bucket that is public on purpose (a website, a public data set)
   * but not yet listed in `excludedPublicBuckets`; switching to enforce is one line once the list is right.
   */
  mode: ResponderMode;
}

const responderSettingsSchema = z.strictObject({
  mode: remediationModeSchema,
});

/** Reads `responders["public-bucket-remediate"]` from the suite settings; absent means defaults. */
export function parseResponderSettings(settings: SuiteSettings): ResponderSettings {
  return parseOwnSettings<ResponderSettings>(settings, RESPONDER_NAME, responderSettingsSchema);
}
