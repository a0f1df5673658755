/**
 * The one extension table of the session: what it implements, advertises (EHLO, formatted by
 * smtp-capabilities' `formatEhloReply`) and enforces (MAIL/RCPT parameters parsed by
 * smtp-client-args against the keywords of the last EHLO reply). Built-in definitions come from
 * smtp-capabilities' `BUILTIN_EXTENSIONS`; custom ones from the `registry` option.
 */
import { BUILTIN_EXTENSIONS, ExtensionRegistry, formatEhloReply } from 'smtp-capabilities';
import type { ExtensionDefinition, SessionSettings } from 'smtp-capabilities';
import { SmtpServerError } from './errors.js';

/**
 * One row of the server's extension table: the EHLO keyword, the `extensions` option that turns
 * it on or off (none when other options decide: `starttls`, `auth`, `xclient`, `xforward`) and its
 * default.
 *
 * @example
 * ```ts
 * SERVER_EXTENSIONS.find((e) => e.keyword === 'CHUNKING'); // { keyword: 'CHUNKING', option: 'chunking', default: true }
 * ```
 * @see RFC 5321 §2.2.2
 */
export interface ServerExtensionRow {
  readonly keyword: string;
  readonly option?: keyof ServerExtensions;
  readonly default?: boolean;
}

/**
 * Built-in service extensions, in the order the EHLO reply lists them. This is the one list: the
 * `extensions` option, `DEFAULT_EXTENSIONS`, the EHLO reply and the MAIL/RCPT parameter checks
 * are all derived from it.
 *
 * @example
 * ```ts
 * SERVER_EXTENSIONS.map((e) => e.keyword); // ['PIPELINING', 'SIZE', '8BITMIME', 'CHUNKING', ...]
 * ```
 * @see RFC 5321 §4.1.1.1, RFC 2920, RFC 1870, RFC 6152, RFC 3030, RFC 3207, RFC 4954, RFC 3461, RFC 2034, RFC 6531, RFC 8689, RFC 6710, RFC 2852, RFC 9422
 */
export const SERVER_EXTENSIONS = Object.freeze([
  { keyword: 'PIPELINING', option: 'pipelining', default: true },
  { keyword: 'SIZE', option: 'size', default: true },
  { keyword: '8BITMIME', option: 'eightBitMime', default: true },
  { keyword: 'CHUNKING', option: 'chunking', default: true },
  { keyword: 'BINARYMIME', option: 'binaryMime', default: true },
  { keyword: 'STARTTLS' },
  { keyword: 'AUTH' },
  { keyword: 'DSN', option: 'dsn', default: true },
  { keyword: 'ENHANCEDSTATUSCODES', option: 'enhancedStatusCodes', default: true },
  { keyword: 'SMTPUTF8', option: 'smtpUtf8', default: true },
  { keyword: 'REQUIRETLS', option: 'requireTls', default: true },
  { keyword: 'MT-PRIORITY', option: 'mtPriority', default: true },
  { keyword: 'DELIVERBY', option: 'deliverBy', default: false },
  { keyword: 'LIMITS', option: 'limits', default: true },
  { keyword: 'XCLIENT' },
  { keyword: 'XFORWARD' },
] as const);

/**
 * The `extensions` option: one switch per row of {@link SERVER_EXTENSIONS} that has an `option`
 * (BINARYMIME needs CHUNKING; REQUIRETLS is only advertised on a TLS session; LIMITS advertises
 * `RCPTMAX=<maxRecipients>`).
 *
 * @example
 * ```ts
 * new ServerConnection({ extensions: { chunking: false } });
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export type ServerExtensions = { readonly [K in NonNullable<(typeof SERVER_EXTENSIONS)[number] extends infer R ? (R extends { option: infer O } ? O : never) : never>]: boolean };

/**
 * Default extension switches, from {@link SERVER_EXTENSIONS}: everything on but DELIVERBY.
 *
 * @example
 * ```ts
 * new ServerConnection({ extensions: { ...DEFAULT_EXTENSIONS, dsn: false } });
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export const DEFAULT_EXTENSIONS: ServerExtensions = Object.freeze(
  Object.fromEntries(SERVER_EXTENSIONS.filter((r): r is Extract<(typeof SERVER_EXTENSIONS)[number], { option: string }> => 'option' in r).map((r) => [r.option, r.default])) as unknown as ServerExtensions,
);

/** The keywords of the table: a `registry` cannot redefine them. */
export const NATIVE = new Set<string>(SERVER_EXTENSIONS.map((r) => r.keyword));

/** Attributes offered with XCLIENT (Postfix). */
export const XCLIENT_ATTRS: readonly string[] = ['NAME', 'ADDR', 'PORT', 'PROTO', 'HELO', 'LOGIN', 'DESTADDR', 'DESTPORT'];
/** Attributes offered with XFORWARD (Postfix). */
export const XFORWARD_ATTRS: readonly string[] = ['NAME', 'ADDR', 'PORT', 'PROTO', 'HELO', 'IDENT', 'SOURCE'];

/** What the session table needs to know of the options. */
export interface ExtensionConfig {
  readonly ext: ServerExtensions;
  readonly starttls: boolean;
  readonly xclient: boolean;
  readonly xforward: boolean;
  readonly registry: ExtensionRegistry | readonly ExtensionDefinition[] | undefined;
}

const NO_REGISTRY = {};
const NO_DEFINITIONS: readonly ExtensionDefinition[] = Object.freeze([]);

interface Built {
  /** The custom definitions it was built from (a registry that changed since is built again). */
  readonly custom: readonly ExtensionDefinition[];
  readonly hidden: string;
  readonly registry: ExtensionRegistry;
}

/** Registries already built, per `registry` option and switches: sessions with the same options share one (never mutated). */
const registries = new WeakMap<object, Map<string, Built>>();

/** The custom definitions of the `registry` option, and the keywords it hides (registered but not advertised). */
function customDefinitions(registry: ExtensionConfig['registry']): { custom: readonly ExtensionDefinition[]; hidden: string } {
  if (registry === undefined) return { custom: NO_DEFINITIONS, hidden: '' };
  if (Array.isArray(registry)) return { custom: registry as readonly ExtensionDefinition[], hidden: '' };
  const r = registry as ExtensionRegistry;
  return { custom: r.definitions(), hidden: r.hidden().join(' ') };
}

function sameDefinitions(a: readonly ExtensionDefinition[], b: readonly ExtensionDefinition[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The session's registry: the enabled rows of {@link SERVER_EXTENSIONS} (with smtp-capabilities'
 * definitions), then the custom definitions of `registry` in their order (those it hides are
 * registered unadvertised). Built once per `registry` option, its current definitions and set of
 * switches, then shared by the sessions.
 */
export function buildRegistry(c: ExtensionConfig): ExtensionRegistry {
  let key = `${c.starttls ? 1 : 0}${c.xclient ? 1 : 0}${c.xforward ? 1 : 0}`;
  for (const row of SERVER_EXTENSIONS) if ('option' in row) key += c.ext[row.option] ? '1' : '0';
  const owner = c.registry ?? NO_REGISTRY;
  const { custom, hidden } = customDefinitions(c.registry);
  let byKey = registries.get(owner);
  if (byKey === undefined) registries.set(owner, (byKey = new Map<string, Built>()));
  const built = byKey.get(key);
  if (built !== undefined && built.hidden === hidden && sameDefinitions(built.custom, custom)) return built.registry;
  const registry = makeRegistry(c, custom, new Set(hidden === '' ? [] : hidden.split(' ')));
  if (byKey.size < 64 || built !== undefined) byKey.set(key, { custom: Array.isArray(custom) ? custom.slice() : custom, hidden, registry });
  return registry;
}

function makeRegistry(c: ExtensionConfig, custom: readonly ExtensionDefinition[], hidden: ReadonlySet<string>): ExtensionRegistry {
  const defs: ExtensionDefinition[] = [];
  for (const row of SERVER_EXTENSIONS) {
    if ('option' in row && !c.ext[row.option]) continue;
    if (row.keyword === 'BINARYMIME' && !c.ext.chunking) continue;
    if (row.keyword === 'STARTTLS' && !c.starttls) continue;
    if (row.keyword === 'XCLIENT' && !c.xclient) continue;
    if (row.keyword === 'XFORWARD' && !c.xforward) continue;
    const def = BUILTIN_EXTENSIONS.find((d) => d.keyword === row.keyword)!;
    // BINARYMIME is opt-in in smtp-capabilities; here its switch decides
    defs.push(row.keyword === 'BINARYMIME' ? { ...def, advertise: true } : def);
  }
  const fixed: ExtensionDefinition[] = [];
  for (const def of custom) {
    const keyword = String(def?.keyword).toUpperCase();
    if (NATIVE.has(keyword)) continue;
    const own = ownDefinition(def, hidden.has(keyword));
    defs.push(own);
    if (typeof own?.advertise !== 'function') fixed.push(own);
  }
  try {
    const registry = new ExtensionRegistry(defs);
    // a fixed advertisement (a list, a string) is checked once, here: one that no EHLO reply can
    // carry would otherwise fail every EHLO of every session (421 4.3.0), or, past a reply line's
    // 512 octets, be cut into lines a client reads as keywords
    if (fixed.length > 0) formatEhloReply({ domain: 'localhost', keywords: new ExtensionRegistry(fixed).advertiseEntries({}) });
    return registry;
  } catch (e) {
    throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `registry: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * A custom definition as the session table keeps it: hidden, or with its `advertise` list copied
 * (frozen), so that changing the caller's list afterwards changes no session built from it (verbs
 * and parameters are copied by `ExtensionRegistry` itself; an `advertise` function is the
 * application's, called at EHLO time). Made when the table is built, once per registry object and
 * switches: sessions share it, nothing is copied per session.
 */
function ownDefinition(def: ExtensionDefinition, hidden: boolean): ExtensionDefinition {
  if (hidden) return { ...def, advertise: false };
  const advertise: unknown = (def as { advertise?: unknown } | null | undefined)?.advertise;
  return Array.isArray(advertise) ? { ...def, advertise: Object.freeze(advertise.slice() as string[]) } : def;
}

/**
 * Session facts the advertisement depends on.
 */
export interface AdvertiseFacts {
  readonly secure: boolean;
  readonly authenticated: boolean;
  readonly trusted: boolean;
  readonly mechanisms: readonly string[];
  readonly allowInsecureAuth: boolean;
  readonly maxMessageSize: number;
  readonly maxRecipients: number;
  readonly enable: readonly string[] | undefined;
}

/** What an EHLO reply advertises for some session facts: the entries, their keywords, and the formatted keyword lines. */
export interface Advertisement {
  readonly keywords: readonly string[];
  readonly lines: readonly string[];
}

const advertisements = new WeakMap<ExtensionRegistry, Map<string, Advertisement>>();

/**
 * The EHLO advertisement for these session facts, from the session registry: keywords (what
 * MAIL/RCPT parameters are checked against) and keyword lines formatted by smtp-capabilities'
 * `formatEhloReply`. Cached per registry and facts (a few variants per server), whatever the
 * server's name.
 */
export function advertisement(registry: ExtensionRegistry, f: AdvertiseFacts): Advertisement {
  const key = `${f.secure ? 1 : 0}${f.authenticated ? 1 : 0}${f.trusted ? 1 : 0}${f.allowInsecureAuth ? 1 : 0} ${String(f.maxMessageSize)} ${String(f.maxRecipients)} ${f.mechanisms.join(',')} ${f.enable?.join(',') ?? ''}`;
  let byKey = advertisements.get(registry);
  if (byKey === undefined) advertisements.set(registry, (byKey = new Map<string, Advertisement>()));
  let a = byKey.get(key);
  if (a === undefined) {
    const entries = advertised(registry, f);
    // the keyword lines only: the first line (the server's name, which may hold U-labels the
    // formatter does not take) is written by the session. Each line within a reply line's 512
    // octets (RFC 5321 §4.5.3.1.5): a longer one would be cut into lines a client reads as keywords
    a = Object.freeze({ keywords: Object.freeze(entries.map((e) => e.keyword)), lines: Object.freeze(formatEhloReply({ domain: 'localhost', keywords: entries }).slice(1)) });
    if (byKey.size < 64) byKey.set(key, a);
  }
  return a;
}

/** The EHLO keyword entries for these session facts, from the session registry. */
function advertised(registry: ExtensionRegistry, f: AdvertiseFacts): { keyword: string; params: readonly string[] }[] {
  const settings: SessionSettings = {
    tls: f.secure,
    startTls: true,
    authenticated: f.authenticated,
    authMechanisms: f.mechanisms,
    authBeforeTls: f.allowInsecureAuth,
    maxSize: f.maxMessageSize === Infinity ? 0 : f.maxMessageSize,
    requireTls: true,
    mtPriority: 'MIXER',
    deliverBy: 0,
    ...(Number.isSafeInteger(f.maxRecipients) ? { limits: { rcptMax: f.maxRecipients } } : {}),
    ...(f.trusted ? { xclient: XCLIENT_ATTRS, xforward: XFORWARD_ATTRS } : {}),
    ...(f.enable ? { enable: f.enable } : {}),
  };
  return registry.advertiseEntries(settings);
}
