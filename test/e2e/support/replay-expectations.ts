import { readFileSync } from 'node:fs';
import { formatKiB, rssAtKillKb } from '../../../functions/core/format/bytes';
import { type Kill, parseKernelLog } from '../../../functions/core/kernel-log';
import type { SlackMessage } from '../../../functions/core/render/slack-blocks';

/** The message as Slack would show it: every text of every block, entities decoded. */
export function messageText(message: SlackMessage): string {
  const texts: string[] = [message.text];
  for (const block of message.blocks) {
    if (block.type === 'header') texts.push(block.text.text);
    if (block.type === 'section') {
      if (block.text) texts.push(block.text.text);
      for (const field of block.fields ?? []) texts.push(field.text);
    }
    if (block.type === 'context') for (const element of block.elements) texts.push(element.text);
  }
  return texts.join('\n').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** What a message must say about one kill: `comm (pid N)` and its RSS at the kill as the renderer writes it. */
export function killMentions(kill: Kill): { who: string; rss: string | null } {
  const rss = rssAtKillKb(kill);
  return { who: `${kill.process} (pid ${kill.pid})`, rss: rss === null ? null : formatKiB(rss) };
}

export function killsIn(path: string): Kill[] {
  return parseKernelLog(readFileSync(path, 'utf8'), { referenceDate: new Date() });
}

/** This host's memory, as /proc/meminfo says now (KiB). */
export function hostMemoryKb(): { totalKb: number; availableKb: number } {
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  const field = (name: string): number =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(meminfo)?.[1]);
  return { totalKb: field('MemTotal'), availableKb: field('MemAvailable') };
}

/** `total 23.5 GiB · available 22 GiB (93%)` from a message, back in KiB; null when the message has none. */
export function memoryFactsIn(text: string): { totalKb: number; availableKb: number } | null {
  const match =
    /Memory at diagnosis(?: \([^)]*\))?:\* total ([\d.]+) (KiB|MiB|GiB|TiB) · available ([\d.]+) (KiB|MiB|GiB|TiB)/.exec(
      text,
    );
  if (!match) return null;
  const kib = (value: string | undefined, unit: string | undefined): number =>
    Number(value) * 1024 ** ['KiB', 'MiB', 'GiB', 'TiB'].indexOf(unit ?? 'KiB');
  return { totalKb: kib(match[1], match[2]), availableKb: kib(match[3], match[4]) };
}

/**
 * Whether a message's memory facts are this host's: total RAM as the renderer rounds it (one decimal under 10,
 * none above: within 5%), and available RAM within a tenth of total (it moves while tests run).
 */
export function matchesHostMemory(text: string): boolean {
  const facts = memoryFactsIn(text);
  if (!facts) return false;
  const host = hostMemoryKb();
  return (
    Math.abs(facts.totalKb - host.totalKb) <= host.totalKb * 0.05 &&
    Math.abs(facts.availableKb - host.availableKb) <= host.totalKb * 0.1
  );
}
