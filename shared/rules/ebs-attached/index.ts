/**
 * `ebs-attached`: no EBS volume is left unattached; optionally, attached volumes are deleted when their
 * instance terminates. A drop-in for the managed rule ec2-volume-inuse-check (AWS Config Developer Guide,
 * "ec2-volume-inuse-check": https://docs.aws.amazon.com/config/latest/developerguide/ec2-volume-inuse-check.html;
 * parameter `deleteOnTermination`, optional boolean), judged from the `AWS::EC2::Volume` item alone.
 */
import { compliant, nonCompliant, notApplicable, type Rule } from '../../core/model.ts';
import { cannotJudge, checkParameterNames, optionalBoolean, quoted } from '../../core/rule-kit.ts';
import { describeAttachment, isGone, readVolume, VOLUME_TYPE } from '../ebs-encrypted/volume.ts';

export interface EbsAttachedParams {
  /** true: every attachment must have deleteOnTermination on; false or absent: not checked. */
  deleteOnTermination: boolean;
}

const PARAMETERS = ['deleteOnTermination'] as const;

export function parseEbsAttachedParameters(raw: Record<string, unknown>): EbsAttachedParams {
  checkParameterNames(raw, PARAMETERS);
  return { deleteOnTermination: optionalBoolean('deleteOnTermination', raw.deleteOnTermination) ?? false };
}

export const ebsAttachedRule: Rule<EbsAttachedParams> = {
  name: 'ebs-attached',
  description:
    'EBS volumes are attached to an instance (none left unattached, paying and holding data); with deleteOnTermination=true, attached volumes are also deleted when their instance terminates.',
  resourceTypes: [VOLUME_TYPE],
  severity: 3,
  parameterDocs: [
    {
      name: 'deleteOnTermination',
      description:
        'true: an attached volume whose attachment has deleteOnTermination off is NON_COMPLIANT (as the managed rule ec2-volume-inuse-check). false or empty: not checked.',
      default: 'false',
    },
  ],
  managedRuleDifferences: [
    'A deleteOnTermination other than true or false is refused as a bad parameter, rather than every volume being marked NON_COMPLIANT.',
    'A volume that is being created (state creating) is NOT_APPLICABLE until it is available; the managed rule does not document it.',
  ],
  parseParameters: (raw) => parseEbsAttachedParameters(raw),
  evaluate(item, params) {
    const reading = readVolume(item);
    if (!reading.ok) return cannotJudge(reading.problem);
    const { volume } = reading;
    if (isGone(volume.state)) return notApplicable(`volume ${volume.id} is ${volume.state}`, 'volume-gone');
    if (volume.state === 'creating') {
      return notApplicable(`volume ${volume.id} is being created`, 'volume-creating');
    }
    if (volume.attachments.length === 0) {
      return nonCompliant([
        {
          code: 'unattached-volume',
          message: `volume ${volume.id} (state ${volume.state}) is not attached to any instance`,
          details: { volumeId: volume.id, state: volume.state },
        },
      ]);
    }
    if (!params.deleteOnTermination) return compliant();
    const kept = [];
    for (const attachment of volume.attachments) {
      if (typeof attachment.deleteOnTermination !== 'boolean') {
        return cannotJudge(
          `volume ${volume.id} attached to ${describeAttachment(attachment)}: deleteOnTermination is ${quoted(attachment.deleteOnTermination)}`,
        );
      }
      if (!attachment.deleteOnTermination) kept.push(attachment);
    }
    if (kept.length === 0) return compliant();
    return nonCompliant(
      kept.map((attachment) => ({
        code: 'kept-on-termination',
        message: `volume ${volume.id} attached to ${describeAttachment(attachment)} is not deleted when the instance terminates (deleteOnTermination is false)`,
        details: { volumeId: volume.id, instanceId: attachment.instanceId },
      })),
    );
  },
};
