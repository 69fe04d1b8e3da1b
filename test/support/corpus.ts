import { readdirSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { feedParser } from '../../cli/io/feed-parser';
import { KernelLogParser, type Kill } from '../../functions/core/kernel-log';

export const KERNEL_CORPUS = fileURLToPath(new URL('../fixtures/kernel/', import.meta.url));

/** The reference date year-less fixture times are read against; fixed so results do not depend on today. */
export const CORPUS_REFERENCE_DATE = new Date('2026-11-25T23:59:59Z');

export interface CorpusSample {
  theme: string;
  name: string;
  logPath: string;
  expected: Record<string, unknown>[];
}

/** Every `<theme>/<name>.log` with its hand-written `<name>.expected.json`. */
export function corpusSamples(): CorpusSample[] {
  const samples: CorpusSample[] = [];
  for (const theme of readdirSync(KERNEL_CORPUS, { withFileTypes: true })) {
    if (!theme.isDirectory()) continue;
    const dir = `${KERNEL_CORPUS}${theme.name}/`;
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith('.log')) continue;
      const name = file.slice(0, -4);
      const expected = JSON.parse(readFileSync(`${dir}${name}.expected.json`, 'utf8')) as Record<
        string,
        unknown
      >[];
      samples.push({ theme: theme.name, name, logPath: `${dir}${file}`, expected });
    }
  }
  return samples;
}

/** Parse a file the way `oom-responder parse FILE` does. */
export async function parseFile(path: string): Promise<Kill[]> {
  const parser = new KernelLogParser({ referenceDate: CORPUS_REFERENCE_DATE });
  const kills: Kill[] = [];
  await feedParser(Readable.from([readFileSync(path)]), parser, (batch) => {
    kills.push(...batch);
  });
  kills.push(...parser.end());
  return kills;
}

/** The slice of a kill an expected object speaks about, with `taskCount` and `topTask` derived from `tasks`. */
export function comparable(kill: Kill, expected: Record<string, unknown>): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const key of Object.keys(expected)) {
    if (key === 'taskCount') view[key] = kill.tasks.length;
    else if (key === 'topTask') {
      const top = kill.tasks[0];
      const wanted = expected[key] as Record<string, unknown> | null;
      view[key] =
        top && wanted
          ? Object.fromEntries(Object.keys(wanted).map((k) => [k, top[k as keyof typeof top]]))
          : (top ?? null);
    } else view[key] = (kill as unknown as Record<string, unknown>)[key];
  }
  return view;
}
