/**
 * The kernel's kill phrase at the start of a message, and the test for a message that quotes it further in: the
 * first look `classifyKernelMessage` takes at every message, read in place rather than with patterns.
 */

/**
 * How every victim and selection line of every era opens (mm/oom_kill.c): the kernel prints the phrase first,
 * `^(?:(?:Memory cgroup )?[Oo]ut of [Mm]emory(?: \([a-z_]{1,40}\))?: )?[Kk]ill(?:ed)? process `. Text that holds
 * it further in is another program quoting the kernel (an access log, a JSON field, a Lambda log line, an
 * application's message), not the kernel. Returns where `[Kk]ill` starts when the pattern matches, else -1. Spelt
 * out by hand, as most lines the detector reads open with it and the pattern cost more than the rest of their
 * parsing; `fast-paths.property.test.ts` holds the two to the same answers.
 */
export function killPhraseAt(body: string): number {
  let at = 0;
  if (body.startsWith('Memory cgroup ')) {
    at = outOfMemoryEnd(body, 14);
    if (at < 0) return -1;
  } else if ((body.charCodeAt(0) | 32) === 111 /* o */) {
    at = outOfMemoryEnd(body, 0);
    if (at < 0) return -1;
  }
  if ((body.charCodeAt(at) | 32) !== 107 /* k */ || !body.startsWith('ill', at + 1)) return -1;
  let rest = at + 4;
  if (body.startsWith('ed', rest)) rest += 2;
  return body.startsWith(' process ', rest) ? at : -1;
}

/**
 * The index after `[Oo]ut of [Mm]emory(?: \([a-z_]{1,40}\))?: ` at `at`, or -1. Only `O` and `M` may be either
 * case: the pattern's other letters are exact.
 */
function outOfMemoryEnd(body: string, at: number): number {
  const o = body.charCodeAt(at);
  const m = body.charCodeAt(at + 7);
  if ((o !== 79 && o !== 111) || (m !== 77 && m !== 109)) return -1;
  if (!body.startsWith('ut of ', at + 1) || !body.startsWith('emory', at + 8)) return -1;
  let end = at + 13;
  if (body.charCodeAt(end) === 32 && body.charCodeAt(end + 1) === 40 /* ( */) {
    let close = end + 2;
    while (close < end + 42 && isLowerOrUnderscore(body.charCodeAt(close))) close++;
    if (close === end + 2 || body.charCodeAt(close) !== 41 /* ) */) return -1;
    end = close + 1;
  }
  return body.charCodeAt(end) === 58 /* : */ && body.charCodeAt(end + 1) === 32 ? end + 2 : -1;
}

function isLowerOrUnderscore(c: number): boolean {
  return (c >= 97 && c <= 122) || c === 95;
}

/** Whether `body` holds `ll process ` or `lled process ` anywhere: text that quotes a kill phrase. */
export function mentionsKillPhrase(body: string): boolean {
  // One search for the word both share, then a look back, rather than two searches of the whole line.
  for (let at = body.indexOf(' process ', 2); at >= 0; at = body.indexOf(' process ', at + 1)) {
    const before = body.charCodeAt(at - 1);
    if (before === 108 /* l */ && body.charCodeAt(at - 2) === 108) return true;
    if (before === 100 /* d */ && at >= 4 && body.startsWith('lle', at - 4)) return true;
  }
  return false;
}
