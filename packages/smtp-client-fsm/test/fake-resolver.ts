// Injected resolvers for deliver() tests: the DNS answers (and Node's resolver errors) a test
// needs, without a DNS server.
import type { MxResolver } from '../src/node/index.js';

/** A resolver error as Node's gives it: a code, and a text naming the query. */
export function dnsError(code: string, query: string, name: string): Error {
  return Object.assign(new Error(`${query} ${code} ${name}`), { code, hostname: name });
}

/** The answer to one query: records, or the code of the error it fails with. */
export type Answer = string[] | { exchange: string; priority: number }[] | string;

/** A resolver answering per `type name` (`MX d.test`, `A mx.d.test`, `AAAA ...`): records or an error code; anything absent is ENODATA. */
export function tableResolver(table: Record<string, Answer>): MxResolver {
  const ask = (type: string, query: string) => (name: string): Promise<unknown> => {
    const a = table[`${type} ${name}`] ?? 'ENODATA';
    return typeof a === 'string' ? Promise.reject(dnsError(a, query, name)) : Promise.resolve(a);
  };
  return { resolveMx: ask('MX', 'queryMx'), resolve4: ask('A', 'queryA'), resolve6: ask('AAAA', 'queryAaaa') } as unknown as MxResolver;
}

/**
 * A resolver for domains whose exchangers are `mxN.<domain>` at the N-th address of `mx[domain]`
 * (preferences 10, 20, 30...); other names have no A record (ENOTFOUND) and none has AAAA (ENODATA).
 */
export function exchangerResolver(mx: Record<string, readonly string[]>): MxResolver {
  return {
    resolveMx: (d: string) => Promise.resolve((mx[d] ?? []).map((_, i) => ({ exchange: `mx${i + 1}.${d}`, priority: 10 * (i + 1) }))),
    resolve4: (h: string) => {
      const d = h.slice(h.indexOf('.') + 1);
      const ip = mx[d]?.[Number(h.slice(2, h.indexOf('.'))) - 1];
      return ip ? Promise.resolve([ip]) : Promise.reject(dnsError('ENOTFOUND', 'queryA', h));
    },
    resolve6: (h: string) => Promise.reject(dnsError('ENODATA', 'queryAaaa', h)),
  } as unknown as MxResolver;
}
