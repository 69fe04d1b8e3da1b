import { describe, expect, it } from 'vitest';
import type { ResponseOutcome } from '../../../../functions/core/incident/outcome';
import { codeBlock, fitMrkdwn } from '../../../../functions/core/render/mrkdwn';
import { renderQNotification } from '../../../../functions/core/render/q-notification';
import {
  mrkdwnCode,
  mrkdwnText,
  plainText,
  qText,
  reveal,
  snsText,
} from '../../../../functions/core/render/untrusted';
import { bareOutcome, corpusKill, incidentFor } from './scenarios';
import { mrkdwnProblems } from './untrusted-checks';

const BARE = /@(?:channel|here|everyone)\b/i;

async function outcomeWithProcess(process: string): Promise<ResponseOutcome> {
  const kill = await corpusKill('legacy/rhel6-2.6.32-642-global-java-full-syslog.log');
  return bareOutcome(incidentFor({ ...kill, process }));
}

describe('reveal', () => {
  it.each([
    // A right-to-left override makes `exe.txt` read as `txt.exe`: the override is shown, not obeyed.
    ['java\u202etxt.exe', 'java<U+202E>txt.exe'],
    ['\u2066a\u2069 \u200e\u200f\u061c', '<U+2066>a<U+2069> <U+200E><U+200F><U+061C>'],
    ['ja\u200bva\u200c\u200d\u2060\ufeff', 'ja<U+200B>va<U+200C><U+200D><U+2060><U+FEFF>'],
    ['\u0000\u0007\u001b[31m\u007f\u0085\u009b', '<U+0000><U+0007><U+001B>[31m<U+007F><U+0085><U+009B>'],
    ['soft\u00adhyphen \u{e0041}', 'soft<U+00AD>hyphen <U+E0041>'],
    ['a\rb\u2028c', 'a<U+000D>b<U+2028>c'],
    ['lone \ud800 high', 'lone \ufffd high'],
  ])('shows %j as %j', (text, shown) => {
    expect(reveal(text)).toBe(shown);
  });

  it('leaves tab, newline, letters of every script and emoji as they are', () => {
    const text = 'java\tweb-1\nпроцесс 进程 😀 ⚠️';
    expect(reveal(text)).toBe(text);
  });

  it('changes nothing it wrote itself', () => {
    const once = reveal('\u202e\u0000x\ud800');
    expect(reveal(once)).toBe(once);
  });
});

describe('mrkdwnText', () => {
  it.each([
    ['<!channel> wake up', '&lt;!channel&gt; wake up'],
    [
      '<@U123ABC> <#C123|general> <!subteam^S1>',
      '&lt;@U123ABC&gt; &lt;#C123|general&gt; &lt;!subteam^S1&gt;',
    ],
    ['<https://evil.example|click>', '&lt;https://evil.example|click&gt;'],
    ['a & b', 'a &amp; b'],
    [
      '*pwned* _pwned_ ~pwned~ `pwned`',
      '\u2217pwned\u2217 \uff3fpwned\uff3f \u223cpwned\u223c \u02b9pwned\u02b9',
    ],
    ['my_app_worker a*b', 'my_app_worker a*b'],
    ['__init__', '\uff3f\uff3finit\uff3f\uff3f'],
    [':skull: :+1::skin-tone-2:', '\ua789skull: \ua789+1:\ua789skin-tone-2:'],
    ['at 17:00:28', 'at 17:00:28'],
    ['@channel @here @everyone @chan', '\uff20channel \uff20here \uff20everyone @chan'],
    ['> quoted\n  > again', '\uff1e quoted\n  \uff1e again'],
    ['java\u202e', 'java&lt;U+202E&gt;'],
  ])('writes %j as %j', (text, safe) => {
    expect(mrkdwnText(text)).toBe(safe);
  });

  it('is what the Amazon Q payload uses, which Slack shows as mrkdwn', () => {
    expect(qText('<!here> :skull:\u200b')).toBe(mrkdwnText('<!here> :skull:\u200b'));
  });
});

describe('mrkdwnCode', () => {
  it('keeps a command line as it ran, but for backticks, entities, shortcodes and hidden characters', () => {
    expect(mrkdwnCode('python3 -c "x=1" --log_level=*debug* `id` <!here> :skull: \u202e')).toBe(
      'python3 -c "x=1" --log_level=*debug* \u02b9id\u02b9 &lt;!here&gt; \ua789skull: &lt;U+202E&gt;',
    );
  });
});

describe('plainText and snsText', () => {
  it('reveal hidden characters and leave markup alone: nothing parses it there', () => {
    for (const render of [plainText, snsText]) {
      expect(render('<!channel> *x* :skull: \u202ea')).toBe('<!channel> *x* :skull: <U+202E>a');
    }
  });
});

describe('a cut of safe mrkdwn', () => {
  // `@heres` is no mention; cut right after its `e` it would read `@here…`. fast-check found this once, in the Q
  // keywords (a process name cut to 60), and the failure was not reproduced until the cut was placed there.
  const name = `${'x'.repeat(42)}@heres${'z'.repeat(30)}`;
  const maxima = Array.from({ length: 40 }, (_, i) => 30 + i);

  it('never leaves a bare mention where the cut falls (fitMrkdwn, codeBlock)', () => {
    for (const max of maxima) {
      expect(mrkdwnProblems(`fitMrkdwn ${max}`, fitMrkdwn(name, max)), `max ${max}`).toEqual([]);
      expect(BARE.test(codeBlock(name, max + 8)), `codeBlock ${max}`).toBe(false);
    }
  });

  it('keeps the cut within its limit', () => {
    for (const max of maxima) expect(fitMrkdwn(name, max).length).toBeLessThanOrEqual(max);
  });

  it('is where the Q keywords are cut too', async () => {
    const q = renderQNotification(await outcomeWithProcess(name));
    expect(q.content.keywords).toContain(fitMrkdwn(name, 60));
    expect(q.content.keywords.filter((word) => BARE.test(word))).toEqual([]);
  });
});
