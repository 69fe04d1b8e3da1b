import { MASK, type Rule } from './patterns';

/**
 * Tokens that say by their shape who issued them (`ghp_…`, `sk-proj-…`, `hvs.…`), found wherever they stand: a
 * bare argument, an environment value, a JSON field. The prefixes and alphabets are those of secretlint's
 * recommended preset (`@secretlint/secretlint-rule-preset-recommend`, the test suite checks that every rule of
 * it that applies to a command line is matched here) plus providers it does not cover (Stripe webhook secrets,
 * DigitalOcean, PyPI, Replicate, Perplexity, Square, SonarQube, Google OAuth).
 *
 * The preset's own expressions are not run: several of them start anew inside a run of their own body characters
 * (`npm_npm_npm_…`) and rescan up to their bounded length from each start, which recheck reports as polynomial.
 * Each shape here begins only where a run of its body characters begins (the lookbehind holds every character
 * of its prefix and body) and takes the rest of that run, so a match costs one pass over the run and the whole
 * token is hidden even where a provider lengthened its tokens.
 */
interface Shape {
  readonly provider: string;
  /** The token's prefix and body, without the leading boundary. */
  readonly token: string;
  /** Every character the prefix and body can hold, as a character-class body; never `=` (see below). */
  readonly alphabet: string;
  /** What may follow the run: base64 padding. */
  readonly end?: string;
}

const B64URL = 'A-Za-z0-9_-';
const PADDING = '={0,2}';

const SHAPES: readonly Shape[] = [
  { provider: 'GitHub', token: 'gh[pousr]_[A-Za-z0-9_]{30,}', alphabet: 'A-Za-z0-9_' },
  { provider: 'GitHub fine-grained', token: 'github_pat_[A-Za-z0-9_]{30,}', alphabet: 'A-Za-z0-9_' },
  {
    provider: 'GitLab',
    token: 'gl(?:pat|dt|rt|ptt|oas|cbt|imt|agent|ft|soat)-[A-Za-z0-9_-]{20,}',
    alphabet: B64URL,
  },
  { provider: 'Slack', token: '(?:xox[abposre]|xapp)-[A-Za-z0-9-]{10,}', alphabet: 'A-Za-z0-9_.-' },
  { provider: 'Slack refresh', token: 'xoxe\\.xox[bp]-[A-Za-z0-9-]{10,}', alphabet: 'A-Za-z0-9_.-' },
  { provider: 'Stripe', token: '(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}', alphabet: 'A-Za-z0-9_' },
  { provider: 'Stripe webhook', token: 'whsec_[A-Za-z0-9]{24,}', alphabet: 'A-Za-z0-9_' },
  { provider: 'Google API key', token: 'AIza[A-Za-z0-9_-]{30,}', alphabet: B64URL },
  { provider: 'Google OAuth client secret', token: 'GOCSPX-[A-Za-z0-9_-]{20,}', alphabet: B64URL },
  { provider: 'Google OAuth access token', token: 'ya29\\.[A-Za-z0-9_.-]{20,}', alphabet: 'A-Za-z0-9_.-' },
  {
    provider: 'OpenAI, Anthropic',
    token: 'sk-(?:proj|svcacct|admin|ant)-[A-Za-z0-9_-]{20,}',
    alphabet: B64URL,
  },
  // OpenAI's legacy keys and DeepSeek's: `sk-` and one run of letters and digits, no dash.
  { provider: 'OpenAI legacy, DeepSeek', token: 'sk-[A-Za-z0-9]{32,}', alphabet: B64URL },
  { provider: 'Hugging Face', token: 'hf_[A-Za-z0-9]{30,}', alphabet: 'A-Za-z0-9_' },
  { provider: 'Groq', token: 'gsk_[A-Za-z0-9]{40,}', alphabet: 'A-Za-z0-9_' },
  { provider: 'Replicate', token: 'r8_[A-Za-z0-9]{30,}', alphabet: 'A-Za-z0-9_' },
  { provider: 'Perplexity', token: 'pplx-[A-Za-z0-9]{40,}', alphabet: 'A-Za-z0-9-' },
  { provider: 'SendGrid', token: 'SG\\.[A-Za-z0-9_.-]{40,}', alphabet: 'A-Za-z0-9_.-' },
  { provider: 'HashiCorp Vault', token: 'hv[sbr]\\.[A-Za-z0-9_-]{20,}', alphabet: 'A-Za-z0-9_.-' },
  { provider: 'DigitalOcean', token: 'do[por]_v1_[a-f0-9]{40,}', alphabet: 'A-Za-z0-9_' },
  { provider: 'npm', token: 'npm_[A-Za-z0-9]{30,}', alphabet: 'A-Za-z0-9_' },
  { provider: 'PyPI', token: 'pypi-[A-Za-z0-9_-]{50,}', alphabet: B64URL },
  { provider: 'Docker Hub', token: 'dckr_(?:pat|oat)_[A-Za-z0-9_-]{20,}', alphabet: B64URL },
  { provider: 'Shopify', token: 'shp(?:at|ca|pa|ss)_[A-Za-z0-9]{32,}', alphabet: 'A-Za-z0-9_' },
  { provider: 'Square', token: '(?:sq0(?:atp|csp)-|EAAA)[A-Za-z0-9_-]{40,}', alphabet: B64URL },
  { provider: 'Grafana', token: '(?:glc|glsa)_[A-Za-z0-9_+/]{32,}', alphabet: 'A-Za-z0-9_+/', end: PADDING },
  { provider: 'Linear', token: 'lin_api_[A-Za-z0-9_]{32,}', alphabet: 'A-Za-z0-9_' },
  { provider: 'Notion', token: 'ntn_[0-9]{11}[A-Za-z0-9]{35,}', alphabet: 'A-Za-z0-9_' },
  { provider: '1Password', token: 'ops_ey[A-Za-z0-9+/]{50,}', alphabet: 'A-Za-z0-9_+/', end: PADDING },
  { provider: 'Vercel', token: 'vc[pikar]_[A-Za-z0-9]{20,}', alphabet: 'A-Za-z0-9_' },
  { provider: 'Databricks', token: 'dapi[a-f0-9]{32,}(?:-[0-9])?', alphabet: 'A-Za-z0-9-' },
  { provider: 'Figma', token: 'figd_[A-Za-z0-9_-]{40,}', alphabet: B64URL },
  { provider: 'Cloudflare', token: '(?:cfk|cfut|cfat)_[A-Za-z0-9]{40,}', alphabet: 'A-Za-z0-9_' },
  { provider: 'Tailscale', token: 'tskey-[a-z]{2,20}-[A-Za-z0-9_-]{16,}', alphabet: B64URL },
  { provider: 'SonarQube', token: 'sq[pua]_[a-f0-9]{40,}', alphabet: 'A-Za-z0-9_' },
  { provider: 'Sentry', token: 'sntr[ysu]_[A-Za-z0-9_+/]{30,}', alphabet: 'A-Za-z0-9_+/', end: PADDING },
  { provider: 'New Relic', token: 'NR(?:AK|II|JS)-[A-Za-z0-9]{20,}', alphabet: 'A-Za-z0-9-' },
  { provider: 'Postman', token: 'PMAK-[A-Za-z0-9-]{50,}', alphabet: 'A-Za-z0-9-' },
  // The API token ends in `=` and an 8-character checksum.
  {
    provider: 'Atlassian',
    token: 'ATATT3[A-Za-z0-9_-]{50,}',
    alphabet: B64URL,
    end: '(?:=[A-Za-z0-9]{1,16})?',
  },
  { provider: 'Mailgun', token: 'key-[a-f0-9]{32}', alphabet: 'A-Za-z0-9-' },
];

/**
 * One rule per provider shape: the token, from the start of its run of characters to the end of it. `=` is kept
 * out of every alphabet, so a token may start right after one (`OP_TOKEN=ops_…`) while no run of a body crosses
 * one: a later start can never lie inside an earlier match.
 */
export const KNOWN_SECRET_RULES: readonly Rule[] = SHAPES.map(({ provider, token, alphabet, end }) => ({
  name: `${provider} token`,
  pattern: new RegExp(`(?<![${alphabet}])${token}[${alphabet}]*${end ?? ''}`, 'g'),
  replace: () => MASK,
}));
