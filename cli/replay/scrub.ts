/**
 * A Slack webhook URL is a credential: whoever has it can post to the channel. Everything the replay writes
 * passes through this, so the URL (and its secret path alone, as an error may quote it) never shows.
 */
export function scrubber(secret: string | null): (text: string) => string {
  if (!secret) return (text) => text;
  const parts = [secret];
  try {
    const url = new URL(secret);
    // A short path (`/`, `/x`) is no secret, and hiding it would mangle unrelated text such as cgroup paths.
    if (url.pathname.length >= 8) parts.push(url.pathname);
    if (url.search.length >= 8) parts.push(url.search);
  } catch {
    // Not a URL: the whole string is all there is to hide.
  }
  return (text) => parts.reduce((out, part) => out.split(part).join('<slack webhook>'), text);
}
