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
    // The path of a Slack webhook URL is the credential: whoever has it can post to the channel.
    name: 'slack webhook url',
    pattern:
      /(https?:\/\/hooks\.slack(?:-gov)?\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9_/-]*(?:\[REDACTED\])?/gi,
    replace: (_match, prefix) => `${prefix}${MASK}`,
  },
  {
    name: 'credentials in a url',
    pattern: /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/)[^\s/?#@]{1,512}@/g,
    replace: (_match, scheme) => `${scheme}${MASK}@`,
  },
  {
    name: 'authorization header',
    pattern:
      /(?<![\w-])((?:proxy-)?authorization["']?\s{0,3}[:=]\s{0,3}["']?)((?:bearer|basic|digest|token|negotiate)\s{1,5})?[^\s"',;]+/gi,
    replace: (_match, header, scheme) => `${header}${scheme ?? ''}${MASK}`,
  },
  {
    name: 'bearer token',
    pattern: /(?<![\w-])(bearer\s{1,5})[A-Za-z0-9._~+/=-]{8,}/gi,
    replace: (_match, scheme) => `${scheme}${MASK}`,
  },
  {
    // Prefixed tokens of well-known services; the lookbehind covers the body's characters so a run of
    // `glpat-glpat-...` has one start, not one per repetition.
    name: 'service token',
    pattern:
      /(?<![A-Za-z0-9_-])(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|xapp-[A-Za-z0-9-]{10,}|[sr]k_live_[A-Za-z0-9]{16,}|AIza[A-Za-z0-9_-]{35})/g,
    replace: () => MASK,
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
    name: 'curl -u user:password',
    pattern: /(?<=^|\s)(-u|--user)(\s{1,3}|=)([^\s:]{1,256}):[^\s]+/g,
    replace: (_match, flag, sep, user) => `${flag}${sep}${user}:${MASK}`,
  },
];

/** Tools whose `-pSECRET` (no space) is a password; for other tools `-p` is a port, a pid, a path... */
export const MYSQL_LIKE =
  /(?<![\w.-])(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mysqlpump|mysqlsh|mysqlbinlog|mariadb|mariadb-dump|mariadb-admin)(?![\w.-])/;
export const ATTACHED_P = /(?<=\s)-p[^\s]+/g;
/** `sshpass -p SECRET` and `sshpass -pSECRET`. */
export const SSHPASS = /(?<![\w.-])sshpass(?![\w.-])/;
export const SSHPASS_P = /(?<=\s)-p(\s{0,3})[^\s-][^\s]*/g;

/**
 * A name and its separator: `NAME=`, `NAME: `, `"NAME": `, or `--NAME ` (space form, flags only). The value is
 * read separately (`SECRET_VALUE`, sticky) and only for secret names, so a value that is itself `X_TOKEN=...`
 * (as in `--env=DB_PASSWORD=...`) is still scanned as a name of its own.
 */
export const NAME_AND_SEPARATOR =
  /(?<![\w.-])(["']?)((?:--?)?[A-Za-z_][\w.-]{0,127})\1(\s{0,3}[:=]\s{0,3}|\s{1,3}(?=[^\s-]))/g;
export const SECRET_VALUE =
  /(?!(?:bearer|basic|digest|negotiate)\s)(?:"[^"\n]{0,4096}"|'[^'\n]{0,4096}'|["']?[^\s"'&,;]+["']?)/iy;
