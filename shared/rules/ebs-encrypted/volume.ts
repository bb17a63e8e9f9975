/**
 * Reading an `AWS::EC2::Volume` configuration item. Config records the EC2 `Volume` shape in camel case
 * (awslabs/aws-config-resource-schema, `AWS::EC2::Volume.properties.json`): `volumeId`, `encrypted`,
 * `kmsKeyId` (the key ARN), `state` (an object `{"value": "in-use"}` in Config's items, a plain string in
 * the EC2 API), and `attachments[]` of `{instanceId, device, state, deleteOnTermination, attachTime}`.
 */
import type { ConfigurationItem } from '../../core/model.ts';
import { quoted } from '../../core/rule-kit.ts';

export const VOLUME_TYPE = 'AWS::EC2::Volume';

/** EC2 API Reference, `Volume.State`. */
export const VOLUME_STATES = ['creating', 'available', 'in-use', 'deleting', 'deleted', 'error'] as const;
export type VolumeState = (typeof VOLUME_STATES)[number];

export interface VolumeAttachment {
  instanceId: string;
  device?: string | undefined;
  /** `attaching`, `attached`, `detaching`, `detached` or `busy` (EC2 API Reference, `VolumeAttachment`). */
  state?: string | undefined;
  /** As recorded: a boolean, or anything else when the item is malformed. */
  deleteOnTermination: unknown;
}

export interface Volume {
  id: string;
  state: VolumeState;
  /** As recorded: a boolean, or anything else when the item is malformed. */
  encrypted: unknown;
  kmsKeyId?: string | undefined;
  /** Attachments that hold the volume (every state but `detached`). */
  attachments: VolumeAttachment[];
}

export type VolumeReading = { ok: true; volume: Volume } | { ok: false; problem: string };

export function readVolume(item: ConfigurationItem): VolumeReading {
  const configuration = item.configuration;
  if (configuration === null) return { ok: false, problem: 'the volume: its configuration is empty' };
  const id = typeof configuration.volumeId === 'string' ? configuration.volumeId : item.resourceId;
  const rawState = configuration.state;
  const state =
    typeof rawState === 'object' && rawState !== null ? (rawState as { value?: unknown }).value : rawState;
  if (!(VOLUME_STATES as readonly unknown[]).includes(state)) {
    return { ok: false, problem: `volume ${id}: configuration.state is ${quoted(rawState)}` };
  }
  const rawAttachments = configuration.attachments ?? [];
  if (!Array.isArray(rawAttachments)) {
    return { ok: false, problem: `volume ${id}: configuration.attachments is not a list` };
  }
  const attachments: VolumeAttachment[] = [];
  for (const [index, raw] of rawAttachments.entries()) {
    const attachment = raw as Record<string, unknown> | null;
    if (typeof attachment !== 'object' || attachment === null || typeof attachment.instanceId !== 'string') {
      return {
        ok: false,
        problem: `volume ${id}: configuration.attachments[${index}] names no instanceId`,
      };
    }
    const attachmentState = typeof attachment.state === 'string' ? attachment.state : undefined;
    if (attachmentState === 'detached') continue;
    attachments.push({
      instanceId: attachment.instanceId,
      device: typeof attachment.device === 'string' ? attachment.device : undefined,
      state: attachmentState,
      deleteOnTermination: attachment.deleteOnTermination,
    });
  }
  return {
    ok: true,
    volume: {
      id,
      state: state as VolumeState,
      encrypted: configuration.encrypted,
      kmsKeyId: typeof configuration.kmsKeyId === 'string' ? configuration.kmsKeyId : undefined,
      attachments,
    },
  };
}

/** `i-0123 as /dev/xvda`: where a volume is attached, for findings. */
export function describeAttachment(attachment: VolumeAttachment): string {
  return attachment.device === undefined
    ? attachment.instanceId
    : `${attachment.instanceId} as ${attachment.device}`;
}

export function isGone(state: VolumeState): boolean {
  return state === 'deleting' || state === 'deleted';
}
