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
  // openssl's `-passin pass:...` / `-passout pass:...`.
  'passin',
  'passout',
  'secret',
  'secrets',
  'token',
  'apikey',
  'credential',
  'credentials',
  'creds',
  'authorization',
  'signature',
  'privatekey',
  'secretkey',
  'accesskey',
  'sessionkey',
  'cookie',
]);

/** Words that only name a secret as a name's last word: `--auth`, `STRIPE_KEY`, `http.auth`, SAS `sig=`. */
const SECRET_LAST_WORDS = new Set(['auth', 'key', 'pat', 'dsn', 'sig']);

/**
 * Last words that make the value something other than the secret itself: a file or a path holding it
 * (`--vault-password-file`), a way to read it (`--password-stdin`, a flag that takes no value), its name or id
 * (`SharedAccessKeyName`, `--key-id`), or a count (`--max-num-batched-tokens`).
 */
const NOT_SECRET_LAST_WORDS = new Set([
  'file',
  'files',
  'path',
  'dir',
  'stdin',
  'env',
  'name',
  'id',
  'url',
  'type',
  'format',
  'length',
  'size',
  'count',
  'tokens',
  'command',
]);

/** Words that contain a secret fragment but name no secret: an LLM's `--tokenizer` is a model path. */
const NOT_SECRET_WORDS = new Set(['tokenizer', 'tokenizers', 'tokens']);

/** Substrings that mark a secret wherever they occur in one word: `PGPASSWORD`, `mysqlpwd`, `dbsecret`. */
const SECRET_FRAGMENTS = ['password', 'passwd', 'secret', 'token', 'apikey'];

export function isSecretName(name: string): boolean {
  const words = name
    .replace(/^-+/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s_.\-:]+/)
    .filter((word) => word.length > 0);
  const last = words[words.length - 1];
  if (last === undefined || NOT_SECRET_LAST_WORDS.has(last)) return false;
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (NOT_SECRET_WORDS.has(word)) continue;
    if (SECRET_WORDS.has(word)) return true;
    if (SECRET_FRAGMENTS.some((fragment) => word.includes(fragment))) return true;
    // redis' `requirepass` / `masterauth`, `sshpass`, `dbpass`: one word ending in a secret word.
    if (word.endsWith('pass') || (i === words.length - 1 && word.endsWith('auth'))) return true;
    const pair = `${word}${words[i + 1] ?? ''}`;
    if (i + 1 < words.length && SECRET_WORDS.has(pair)) return true;
  }
  return SECRET_LAST_WORDS.has(last);
}
