/**
 * A Slack webhook URL is a credential: whoever has it can post to the channel. `secretScrubber` removes one known
 * secret from any text that may be logged or printed: the whole URL, its secret path and query alone (an error
 * may quote just those), and any other Slack webhook URL.
 */
export function secretScrubber(secret: string | null): (text: string) => string {
  const parts: string[] = [];
  if (secret) {
    parts.push(secret);
    try {
      const url = new URL(secret);
      // A short path (`/`, `/x`) is no secret, and hiding it would mangle unrelated text such as cgroup paths.
      if (url.pathname.length >= 8) parts.push(url.pathname);
      if (url.search.length >= 8) parts.push(url.search);
    } catch {
      // Not a URL: the whole string is all there is to hide.
    }
  }
  return (text) =>
    parts
      .reduce((out, part) => out.split(part).join('<slack webhook>'), text)
      .replace(/https:\/\/hooks\.slack\.com\/\S+/g, '<slack webhook>');
}
