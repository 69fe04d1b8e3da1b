/**
 * Whether a flag, variable or field name names a secret (`--db-password`, `AWS_SECRET_ACCESS_KEY`, `apiKey`,
 * `X-Amz-Security-Token`). The name is split into words (separators and camelCase), so `PGPASSWORD` and
 * `client_secret` match while `--key-file-format` does not end in a secret word. Over-matching costs a hidden
 * value in a notification; under-matching leaks a credential to a chat channel, so the list leans wide.
 */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'pass',
  'secret',
  'secrets',
  'token',
  'tokens',
  'apikey',
  'credential',
  'credentials',
  'authorization',
  'signature',
  'privatekey',
  'secretkey',
  'accesskey',
  'sessionkey',
  'cookie',
]);

/** Words that only name a secret as a name's last word: `--auth`, `STRIPE_KEY`, `http.auth`. */
const SECRET_LAST_WORDS = new Set(['auth', 'key', 'pat', 'dsn']);

/** Substrings that mark a secret wherever they occur in one word: `PGPASSWORD`, `mysqlpwd`, `dbsecret`. */
const SECRET_FRAGMENTS = ['password', 'passwd', 'secret', 'token', 'apikey'];

export function isSecretName(name: string): boolean {
  const words = name
    .replace(/^-+/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s_.\-:]+/)
    .filter((word) => word.length > 0);
  if (words.length === 0) return false;
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (SECRET_WORDS.has(word)) return true;
    if (SECRET_FRAGMENTS.some((fragment) => word.includes(fragment))) return true;
    // redis' `requirepass` / `masterauth`, `sshpass`, `dbpass`: one word ending in a secret word.
    if (word.endsWith('pass') || (i === words.length - 1 && word.endsWith('auth'))) return true;
    const pair = `${word}${words[i + 1] ?? ''}`;
    if (i + 1 < words.length && SECRET_WORDS.has(pair)) return true;
  }
  return SECRET_LAST_WORDS.has(words[words.length - 1] ?? '');
}
