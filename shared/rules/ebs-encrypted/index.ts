/**
 * `ebs-encrypted`: EBS volumes attached to instances are encrypted, optionally with a given KMS key. A
 * drop-in for the managed rule encrypted-volumes (AWS Config Developer Guide, "encrypted-volumes":
 * https://docs.aws.amazon.com/config/latest/developerguide/encrypted-volumes.html; parameter `kmsId`,
 * optional, the ID or ARN of the KMS key), judged from the `AWS::EC2::Volume` configuration item alone.
 */
import { compliant, nonCompliant, notApplicable, type Rule } from '../../core/model.ts';
import {
  cannotJudge,
  checkParameterNames,
  describeKmsKey,
  isKmsKey,
  type KmsKeyReference,
  kmsAliasRefused,
  optionalKmsKey,
  quoted,
} from '../../core/rule-kit.ts';
import { describeAttachment, isGone, readVolume, VOLUME_TYPE } from './volume.ts';

export { describeAttachment, readVolume, VOLUME_TYPE, type Volume, type VolumeAttachment } from './volume.ts';

export interface EbsEncryptedParams {
  /** The key attached volumes must be encrypted with; undefined accepts any key. */
  kmsId?: KmsKeyReference | undefined;
}

const PARAMETERS = ['kmsId'] as const;

export function parseEbsEncryptedParameters(raw: Record<string, unknown>): EbsEncryptedParams {
  checkParameterNames(raw, PARAMETERS);
  return { kmsId: optionalKmsKey('kmsId', raw.kmsId) };
}

export const ebsEncryptedRule: Rule<EbsEncryptedParams> = {
  name: 'ebs-encrypted',
  description:
    'EBS volumes attached to instances are encrypted (root volumes included), optionally with the KMS key named by kmsId.',
  resourceTypes: [VOLUME_TYPE],
  severity: 7,
  parameterDocs: [
    {
      name: 'kmsId',
      description:
        'ID or ARN of the KMS key attached volumes must be encrypted with (as the managed rule encrypted-volumes). Empty: any key.',
      default: '',
    },
  ],
  managedRuleDifferences: [kmsAliasRefused('kmsId')],
  parseParameters: (raw) => parseEbsEncryptedParameters(raw),
  evaluate(item, params) {
    const reading = readVolume(item);
    if (!reading.ok) return cannotJudge(reading.problem);
    const { volume } = reading;
    if (isGone(volume.state)) return notApplicable(`volume ${volume.id} is ${volume.state}`, 'volume-gone');
    const [first] = volume.attachments;
    if (first === undefined) {
      return notApplicable(
        `volume ${volume.id} is not attached to an instance (state ${volume.state}); ebs-attached reports unattached volumes`,
        'not-attached',
      );
    }
    const where = volume.attachments.map(describeAttachment).join(', ');
    if (typeof volume.encrypted !== 'boolean') {
      return cannotJudge(`volume ${volume.id}: configuration.encrypted is ${quoted(volume.encrypted)}`);
    }
    if (!volume.encrypted) {
      return nonCompliant([
        {
          code: 'unencrypted-volume',
          message: `volume ${volume.id} attached to ${where} is not encrypted`,
          details: { volumeId: volume.id, instanceIds: volume.attachments.map((a) => a.instanceId) },
        },
      ]);
    }
    if (params.kmsId === undefined) return compliant();
    if (volume.kmsKeyId === undefined) {
      return cannotJudge(`volume ${volume.id}: it is encrypted but configuration.kmsKeyId is not recorded`);
    }
    if (!isKmsKey(params.kmsId, volume.kmsKeyId)) {
      return nonCompliant([
        {
          code: 'other-kms-key',
          message: `volume ${volume.id} attached to ${where} is encrypted with KMS key ${volume.kmsKeyId}, not kmsId ${describeKmsKey(params.kmsId)}`,
          details: { volumeId: volume.id, kmsKeyId: volume.kmsKeyId },
        },
      ]);
    }
    return compliant();
  },
};
