/**
 * `rds-storage-encrypted`: RDS DB instances have storage encryption on, optionally with a given KMS key. A
 * drop-in for the managed rule rds-storage-encrypted (AWS Config Developer Guide, "rds-storage-encrypted":
 * https://docs.aws.amazon.com/config/latest/developerguide/rds-storage-encrypted.html; parameter `kmsKeyId`,
 * optional, the KMS key ID or ARN), judged from the `AWS::RDS::DBInstance` item (`configuration.storageEncrypted`,
 * `configuration.kmsKeyId`, the key ARN).
 */
import { compliant, nonCompliant, type Rule } from '../../core/model.ts';
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
import { DB_INSTANCE_TYPE, dbInstanceName } from '../rds-not-public/index.ts';

export interface RdsStorageEncryptedParams {
  kmsKeyId?: KmsKeyReference | undefined;
}

export function parseRdsStorageEncryptedParameters(raw: Record<string, unknown>): RdsStorageEncryptedParams {
  checkParameterNames(raw, ['kmsKeyId']);
  return { kmsKeyId: optionalKmsKey('kmsKeyId', raw.kmsKeyId) };
}

export const rdsStorageEncryptedRule: Rule<RdsStorageEncryptedParams> = {
  name: 'rds-storage-encrypted',
  description:
    'RDS DB instances have storage encryption on (storageEncrypted), optionally with the KMS key named by kmsKeyId.',
  resourceTypes: [DB_INSTANCE_TYPE],
  severity: 7,
  parameterDocs: [
    {
      name: 'kmsKeyId',
      description:
        'KMS key ID or ARN the storage must be encrypted with (as the managed rule rds-storage-encrypted). Empty: any key.',
      default: '',
    },
  ],
  managedRuleDifferences: [kmsAliasRefused('kmsKeyId')],
  parseParameters: (raw) => parseRdsStorageEncryptedParameters(raw),
  evaluate(item, params) {
    const name = dbInstanceName(item);
    const encrypted = item.configuration?.storageEncrypted;
    if (typeof encrypted !== 'boolean') {
      return cannotJudge(`DB instance ${name}: configuration.storageEncrypted is ${quoted(encrypted)}`);
    }
    if (!encrypted) {
      return nonCompliant([
        {
          code: 'unencrypted-storage',
          message: `DB instance ${name} does not have storage encryption on (storageEncrypted is false)`,
          details: { dbInstanceIdentifier: name },
        },
      ]);
    }
    if (params.kmsKeyId === undefined) return compliant();
    const keyArn = item.configuration?.kmsKeyId;
    if (typeof keyArn !== 'string' || keyArn === '') {
      return cannotJudge(
        `DB instance ${name}: storage is encrypted but configuration.kmsKeyId is ${quoted(keyArn)}`,
      );
    }
    if (isKmsKey(params.kmsKeyId, keyArn)) return compliant();
    return nonCompliant([
      {
        code: 'other-kms-key',
        message: `DB instance ${name} is encrypted with KMS key ${keyArn}, not kmsKeyId ${describeKmsKey(params.kmsKeyId)}`,
        details: { dbInstanceIdentifier: name, kmsKeyId: keyArn },
      },
    ]);
  },
};
