/**
 * The certificate blocks of PEM text, for the checks of client CAs (the server's `tls.ca`, the
 * CLI's `--tls-client-ca`): Node takes text without a certificate as no CA at all (and then
 * trusts its default CAs), and OpenSSL stops loading at a block that does not parse, so both
 * look at each block themselves.
 */

/** One PEM block whose label ends in `CERTIFICATE` (`CERTIFICATE`, `TRUSTED CERTIFICATE`, ...). */
export interface PemCertificateBlock {
  readonly label: string;
  /** From its BEGIN line through its END line (to the end of the text when it has none). */
  readonly pem: string;
}

/**
 * The certificate blocks of `text`, in order; other blocks (keys, parameters) are passed over.
 * One pass of `indexOf`: linear in the text.
 *
 * @example
 * ```ts
 * pemCertificateBlocks(caFileText).length; // 0: no certificate in it
 * ```
 * @see RFC 7468 §2
 */
export function pemCertificateBlocks(text: string): PemCertificateBlock[] {
  const out: PemCertificateBlock[] = [];
  for (let at = text.indexOf('-----BEGIN '); at >= 0; at = text.indexOf('-----BEGIN ', at + 1)) {
    const labelEnd = text.indexOf('-----', at + 11);
    const label = labelEnd < 0 ? '' : text.slice(at + 11, labelEnd);
    if (!label.endsWith('CERTIFICATE')) continue;
    const endLine = `-----END ${label}-----`;
    const end = text.indexOf(endLine, labelEnd);
    out.push({ label, pem: text.slice(at, end < 0 ? undefined : end + endLine.length) });
  }
  return out;
}
