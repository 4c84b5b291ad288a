// Link proof methods are a list the app is wired with (server/src/modules.ts), not a process-global registry.
import { describe, expect, it } from 'vitest';
import { KeyRing } from '../../platform/signing';
import type { DbOrTx } from '../../platform/db/types';
import { linkProofMethods, personalQrProof, verifyLinkProof, type LinkProofMethod } from './links';

const ctx = { keys: KeyRing.inMemory(), now: new Date('2021-08-10T00:00:00Z'), path: 'body.proof' };
const noDb = {} as DbOrTx; // refused before any read

describe('link proof methods', () => {
  it('a method the app was not wired with is refused, naming the field, whatever another list holds', async () => {
    const other: LinkProofMethod = { method: 'sms_code', designate: () => '00000000-0000-4000-8000-000000000001' };
    const withOther = linkProofMethods([personalQrProof, other]);
    const plain = linkProofMethods([personalQrProof]);
    expect(withOther.has('sms_code')).toBe(true);
    await expect(verifyLinkProof(noDb, plain, { method: 'sms_code' } as never, ctx)).rejects.toMatchObject({ statusCode: 400, details: [{ path: 'body.proof.method' }] });
  });

  it('a method listed twice is a wiring error', () => {
    expect(() => linkProofMethods([personalQrProof, personalQrProof])).toThrow(/listed twice/);
  });

  it('the personal QR proof refuses a forged card as such (not as an unknown method)', () =>
     expect(verifyLinkProof(noDb, linkProofMethods([personalQrProof]), { method: 'personal_qr', token: 'forged' } as never, ctx)).rejects.toMatchObject({ code: 'PERSON_QR_INVALID' }));
});
