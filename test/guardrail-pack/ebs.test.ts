import { describe, expect, it } from 'vitest';
import { ebsAttachedRule } from '../../shared/rules/ebs-attached/index.ts';
import { ebsEncryptedRule } from '../../shared/rules/ebs-encrypted/index.ts';
import {
  attachment,
  DATA_VOLUME,
  KEY_ARN,
  KEY_ID,
  OTHER_KEY_ARN,
  ROOT_VOLUME,
  volumeApi,
  volumeEvent,
} from '../fixtures/ebs-encrypted/volumes.ts';
import { judgeRaw } from './helpers.ts';

describe('ebs-encrypted', () => {
  it.each([
    ['event', volumeEvent],
    ['API', volumeApi],
  ])('an unencrypted root volume attached to an instance is NON_COMPLIANT (%s form)', (_, form) => {
    expect(judgeRaw(ebsEncryptedRule, form())).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: `volume ${ROOT_VOLUME} attached to i-1234567890abcdef0 as /dev/xvda is not encrypted`,
      codes: ['unencrypted-volume'],
    });
  });

  it('an encrypted attached volume is COMPLIANT; with kmsId, only with that key (id or ARN)', () => {
    const encrypted = volumeEvent({ encrypted: true, kmsKeyId: KEY_ARN });
    expect(judgeRaw(ebsEncryptedRule, encrypted).compliance).toBe('COMPLIANT');
    expect(judgeRaw(ebsEncryptedRule, encrypted, { kmsId: KEY_ID }).compliance).toBe('COMPLIANT');
    expect(judgeRaw(ebsEncryptedRule, encrypted, { kmsId: KEY_ARN }).compliance).toBe('COMPLIANT');
    expect(
      judgeRaw(ebsEncryptedRule, volumeEvent({ encrypted: true, kmsKeyId: OTHER_KEY_ARN }), {
        kmsId: KEY_ID,
      }),
    ).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: `volume ${ROOT_VOLUME} attached to i-1234567890abcdef0 as /dev/xvda is encrypted with KMS key ${OTHER_KEY_ARN}, not kmsId ${KEY_ID}`,
      codes: ['other-kms-key'],
    });
  });

  it('names every instance of a multi-attach volume', () => {
    const item = volumeEvent({
      attachments: [attachment(), attachment({ instanceId: 'i-0598c7d356eba48d7', device: '/dev/sdf' })],
    });
    expect(judgeRaw(ebsEncryptedRule, item).annotation).toBe(
      `volume ${ROOT_VOLUME} attached to i-1234567890abcdef0 as /dev/xvda, i-0598c7d356eba48d7 as /dev/sdf is not encrypted`,
    );
  });

  it.each([
    [
      'available',
      'not-attached',
      `volume ${DATA_VOLUME} is not attached to an instance (state available); ebs-attached reports unattached volumes`,
    ],
    [
      'creating',
      'not-attached',
      `volume ${DATA_VOLUME} is not attached to an instance (state creating); ebs-attached reports unattached volumes`,
    ],
    ['deleted', 'volume-gone', `volume ${DATA_VOLUME} is deleted`],
    ['deleting', 'volume-gone', `volume ${DATA_VOLUME} is deleting`],
  ])(
    'a volume in state %s is NOT_APPLICABLE (the managed rule judges attached volumes)',
    (state, code, annotation) => {
      expect(judgeRaw(ebsEncryptedRule, volumeEvent({ id: DATA_VOLUME, state }))).toEqual({
        compliance: 'NOT_APPLICABLE',
        annotation,
        codes: [code],
      });
    },
  );

  it('a detached attachment does not count as attached', () => {
    const item = volumeEvent({ state: 'available', attachments: [attachment({ state: 'detached' })] });
    expect(judgeRaw(ebsEncryptedRule, item).codes).toEqual(['not-attached']);
  });

  it.each([
    [{ encrypted: 'yes' }, `cannot judge volume ${ROOT_VOLUME}: configuration.encrypted is "yes"`],
    [{ state: 'lost' }, `cannot judge volume ${ROOT_VOLUME}: configuration.state is {"value":"lost"}`],
    [
      { attachments: [{ device: '/dev/sdf' }] },
      `cannot judge volume ${ROOT_VOLUME}: configuration.attachments[0] names no instanceId`,
    ],
    [
      { encrypted: true },
      `cannot judge volume ${ROOT_VOLUME}: it is encrypted but configuration.kmsKeyId is not recorded`,
    ],
  ])('fails closed on an unreadable field: %j', (options, annotation) => {
    expect(judgeRaw(ebsEncryptedRule, volumeEvent(options), { kmsId: KEY_ID })).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation,
      codes: ['cannot-judge'],
    });
  });

  it.each([
    [
      { kmsId: 'alias/ebs' },
      'Invalid rule parameter kmsId="alias/ebs": an alias cannot be matched against the key ARN AWS Config records; give the key id or key ARN',
    ],
    [
      { kmsId: 'my-key' },
      'Invalid rule parameter kmsId="my-key": expected a KMS key id (a UUID or mrk-…) or a key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)',
    ],
    [{ kmsId: 7 }, 'Invalid rule parameter kmsId=7: expected a string'],
    [{ kmsKeyId: KEY_ID }, `Invalid rule parameter kmsKeyId="${KEY_ID}": unknown parameter (known: kmsId)`],
  ])('refuses %j, naming the parameter and the value', (raw, message) => {
    expect(() => ebsEncryptedRule.parseParameters(raw, {})).toThrow(message);
  });

  it('reads a multi-Region key id and a blank kmsId as no key', () => {
    expect(ebsEncryptedRule.parseParameters({ kmsId: 'mrk-1234abcd12ab34cd56ef1234567890ab' }, {})).toEqual({
      kmsId: { kind: 'id', id: 'mrk-1234abcd12ab34cd56ef1234567890ab' },
    });
    expect(ebsEncryptedRule.parseParameters({ kmsId: ' ' }, {})).toEqual({ kmsId: undefined });
  });
});

describe('ebs-attached', () => {
  it.each([
    ['event', volumeEvent],
    ['API', volumeApi],
  ])('an available volume is NON_COMPLIANT (%s form)', (_, form) => {
    expect(judgeRaw(ebsAttachedRule, form({ id: DATA_VOLUME, state: 'available' }))).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: `volume ${DATA_VOLUME} (state available) is not attached to any instance`,
      codes: ['unattached-volume'],
    });
  });

  it('an attached volume is COMPLIANT', () => {
    expect(judgeRaw(ebsAttachedRule, volumeEvent()).compliance).toBe('COMPLIANT');
  });

  it('a volume in error with no attachment is NON_COMPLIANT', () => {
    expect(judgeRaw(ebsAttachedRule, volumeEvent({ id: DATA_VOLUME, state: 'error' })).annotation).toBe(
      `volume ${DATA_VOLUME} (state error) is not attached to any instance`,
    );
  });

  it.each([
    ['creating', 'volume-creating', `volume ${DATA_VOLUME} is being created`],
    ['deleting', 'volume-gone', `volume ${DATA_VOLUME} is deleting`],
    ['deleted', 'volume-gone', `volume ${DATA_VOLUME} is deleted`],
  ])('a volume in state %s is NOT_APPLICABLE', (state, code, annotation) => {
    expect(judgeRaw(ebsAttachedRule, volumeEvent({ id: DATA_VOLUME, state }))).toEqual({
      compliance: 'NOT_APPLICABLE',
      annotation,
      codes: [code],
    });
  });

  it('with deleteOnTermination=true, an attachment kept on termination is NON_COMPLIANT', () => {
    const item = volumeEvent({
      id: DATA_VOLUME,
      attachments: [attachment({ volumeId: DATA_VOLUME, device: '/dev/sdf', deleteOnTermination: false })],
    });
    expect(judgeRaw(ebsAttachedRule, item).compliance).toBe('COMPLIANT');
    expect(judgeRaw(ebsAttachedRule, item, { deleteOnTermination: 'TRUE' })).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: `volume ${DATA_VOLUME} attached to i-1234567890abcdef0 as /dev/sdf is not deleted when the instance terminates (deleteOnTermination is false)`,
      codes: ['kept-on-termination'],
    });
    expect(judgeRaw(ebsAttachedRule, volumeEvent(), { deleteOnTermination: 'true' }).compliance).toBe(
      'COMPLIANT',
    );
  });

  it('fails closed when deleteOnTermination is not recorded and the parameter asks for it', () => {
    const item = volumeEvent({ attachments: [attachment({ deleteOnTermination: null })] });
    expect(judgeRaw(ebsAttachedRule, item, { deleteOnTermination: 'true' })).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: `cannot judge volume ${ROOT_VOLUME} attached to i-1234567890abcdef0 as /dev/xvda: deleteOnTermination is null`,
      codes: ['cannot-judge'],
    });
  });

  it('fails closed on a volume without a configuration', () => {
    expect(judgeRaw(ebsAttachedRule, { ...volumeEvent(), configuration: null })).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: 'cannot judge the volume: its configuration is empty',
      codes: ['cannot-judge'],
    });
  });

  it.each([
    [
      { deleteOnTermination: 'yes' },
      'Invalid rule parameter deleteOnTermination="yes": expected true or false',
    ],
    [{ kmsId: 'x' }, 'Invalid rule parameter kmsId="x": unknown parameter (known: deleteOnTermination)'],
  ])('refuses %j, naming the parameter and the value', (raw, message) => {
    expect(() => ebsAttachedRule.parseParameters(raw, {})).toThrow(message);
  });

  it('defaults deleteOnTermination to false', () => {
    expect(ebsAttachedRule.parseParameters({}, {})).toEqual({ deleteOnTermination: false });
    expect(ebsAttachedRule.parseParameters({ deleteOnTermination: 'False' }, {})).toEqual({
      deleteOnTermination: false,
    });
  });
});
