/**
 * The shapes of secrets found in command lines, environment dumps, URLs and headers. Every pattern runs in linear
 * time on any input: each one either starts with a literal, or starts only where a run of its leading characters
 * begins (the negative lookbehind), and every other repetition is bounded or ends the pattern, so a 1 MB hostile
 * string costs a bounded amount of work per character, never a rescan per start position.
 */
export const MASK = '[REDACTED]';

export interface Rule {
  name: string;
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}

export const RULES: readonly Rule[] = [
  {
    name: 'private key block',
    pattern:
      /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----[A-Za-z0-9+/=\s]*(?:\[REDACTED\])?(?:-----END [A-Z0-9 ]{0,40}PRIVATE KEY-----)?/g,
    replace: () => `-----BEGIN PRIVATE KEY----- ${MASK}`,
  },
  {
    name: 'credentials in a url',
    pattern: /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/)[^\s/?#@]{1,512}@/g,
    replace: (_match, scheme) => `${scheme}${MASK}@`,
  },
  {
    name: 'authorization header',
    // Any scheme word: `Bearer`, `Basic`, and also Opsgenie's `GenieKey`, AWS's `AWS4-HMAC-SHA256 Credential=...`.
    pattern:
      /(?<![\w-])((?:proxy-)?authorization["']?\s{0,3}[:=]\s{0,3}["']?)([A-Za-z][\w-]{0,31}\s{1,5})?[^\s"',;]+/gi,
    replace: (_match, header, scheme) => `${header}${scheme ?? ''}${MASK}`,
  },
  {
    name: 'bearer token',
    pattern: /(?<![\w-])(bearer\s{1,5})[A-Za-z0-9._~+/=-]{8,}/gi,
    replace: (_match, scheme) => `${scheme}${MASK}`,
  },
  {
    name: 'aws access key id',
    pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
    replace: () => MASK,
  },
  {
    name: 'json web token',
    pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.ey[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
    replace: () => MASK,
  },
  {
    // Azure Functions' `?code=<function key>` and OAuth authorization codes; only in a query, so systemd's
    // `code=killed` stays.
    name: 'code in a url query',
    pattern: /([?&]code=)[^\s&#"']+/g,
    replace: (_match, prefix) => `${prefix}${MASK}`,
  },
  {
    name: 'curl -u user:password',
    pattern: /(?<=^|\s)(-u|--user)(\s{1,3}|=)([^\s:]{1,256}):[^\s]+/g,
    replace: (_match, flag, sep, user) => `${flag}${sep}${user}:${MASK}`,
  },
];

/**
 * A name and its separator: `NAME=`, `NAME: `, `"NAME": `, or `--NAME ` (space form, flags only). The value is
 * read separately (`SECRET_VALUE`, sticky) and only for secret names, so a value that is itself `X_TOKEN=...`
 * (as in `--env=DB_PASSWORD=...`) is still scanned as a name of its own.
 */
export const NAME_AND_SEPARATOR =
  /(?<![\w.-])(["']?)((?:--?)?[A-Za-z_][\w.-]{0,127})\1(\s{0,3}[:=]\s{0,3}|\s{1,3}(?=[^\s-]))/g;
export const SECRET_VALUE =
  /(?!(?:bearer|basic|digest|negotiate)\s)(?:"[^"\n]{0,4096}"|'[^'\n]{0,4096}'|["']?[^\s"'&,;]+["']?)/iy;
