import { describe, expect, it } from 'vitest';
import { pemCertificateBlocks } from './pem.js';

const cert = (label: string, body: string): string => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;

describe('pemCertificateBlocks', () => {
  it('finds each certificate block whole, in order, passing over keys and text around them', () => {
    const text = `issuer notes\n${cert('CERTIFICATE', 'AAAA')}${cert('PRIVATE KEY', 'BBBB')}${cert('TRUSTED CERTIFICATE', 'CCCC')}trailer`;
    expect(pemCertificateBlocks(text)).toEqual([
      { label: 'CERTIFICATE', pem: cert('CERTIFICATE', 'AAAA').trimEnd() },
      { label: 'TRUSTED CERTIFICATE', pem: cert('TRUSTED CERTIFICATE', 'CCCC').trimEnd() },
    ]);
  });

  it('none in empty text, junk or keys only; a block without its END line runs to the end of the text', () => {
    expect(pemCertificateBlocks('')).toEqual([]);
    expect(pemCertificateBlocks('not a pem at all')).toEqual([]);
    expect(pemCertificateBlocks(cert('EC PRIVATE KEY', 'x'))).toEqual([]);
    expect(pemCertificateBlocks('-----BEGIN CERTIFICATE-----\nAAAA')).toEqual([{ label: 'CERTIFICATE', pem: '-----BEGIN CERTIFICATE-----\nAAAA' }]);
    expect(pemCertificateBlocks('-----BEGIN ')).toEqual([]);
  });
});
