import { kiteChecksum } from './kite-checksum';

describe(kiteChecksum.name, () => {
  it('is the SHA-256 hex of api_key + request_token + api_secret, as sha256sum computes it', () => {
    // printf %s 'kitekey0123abcdreqtok-XYZsecret+with:odd%chars' | sha256sum
    const sut = kiteChecksum('kitekey0123abcd', 'reqtok-XYZ', 'secret+with:odd%chars');
    expect(sut).toBe('6c0686ce73240c470785c5e4da31aff4a3faca9325ea03732bf0e1a04503b4b5');
  });
});
