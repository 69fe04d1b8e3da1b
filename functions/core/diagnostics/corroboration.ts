import type { LineOrigin } from '../kernel-log/types';
import type { DiagnosticsSummary, KillConfirmation } from './model';

/**
 * Whether the host itself vouches for a reported kill. Kernel OOM text is easy to forge (`logger -t kernel`,
 * a quote in an application's log), so the line that opened an incident is a claim until the host's own
 * kernel log (or systemd-oomd's own journal entries) holds the same kill: the collect-diagnostics script looks,
 * and its answer is `DiagnosticsSummary.killConfirmation`. Nothing here reads a clock or the network.
 */
export type Corroboration =
  | { confirmed: true; source: NonNullable<KillConfirmation['source']>; line: string | null }
  | { confirmed: false; why: string };

export function corroborationOf(diagnostics: DiagnosticsSummary | null): Corroboration {
  if (!diagnostics)
    return { confirmed: false, why: 'the diagnostics did not run, so the host was not asked' };
  const found = diagnostics.killConfirmation;
  if (!found) return { confirmed: false, why: 'the diagnostics script on the host is too old to look' };
  if (found.status === 'confirmed' && found.source !== null)
    return { confirmed: true, source: found.source, line: found.line };
  if (found.status === 'not-found')
    return { confirmed: false, why: found.detail ?? `${sourceName(found.source)} does not hold it` };
  return { confirmed: false, why: found.detail ?? 'the host could not tell' };
}

/** Where the host found the kill, as the message names it. */
export function sourceName(source: KillConfirmation['source']): string {
  switch (source) {
    case 'dmesg':
      return "the host's kernel log (dmesg -k)";
    case 'journal-kernel':
      return "the host's kernel log (the journal's kernel transport)";
    case 'journal-oomd':
      return "systemd-oomd's own journal entries";
    default:
      return "the host's kernel log";
  }
}

/** Who could have written a line of this origin, for "reported only by ..., which ... can write". */
export function originClaim(origin: LineOrigin): { by: string; writer: string } | null {
  switch (origin) {
    case 'syslog-tag':
      return { by: 'a syslog line tagged "kernel"', writer: 'any local user can write (logger -t kernel)' };
    case 'journal-identifier':
      return {
        by: 'a journal entry that names itself "kernel"',
        writer: 'any local user can write (systemd-cat -t kernel)',
      };
    case 'ring-buffer-user-facility':
      return { by: 'a record written into /dev/kmsg from user space', writer: 'any root process can write' };
    case 'text':
      return {
        by: 'a line with no log transport around it',
        writer: 'any program writing to this log can write',
      };
    default:
      // The kernel's own transports, and systemd-oomd's journal entries: the line itself is not the doubt.
      return null;
  }
}

/**
 * The one line every message carries about it: "Kill confirmed by the host's kernel log (dmesg -k)", or
 * "Kill not confirmed: reported only by a syslog line tagged "kernel", which any local user can write (...)".
 */
export function corroborationLine(origin: LineOrigin, corroboration: Corroboration): string {
  if (corroboration.confirmed) return `Kill confirmed by ${sourceName(corroboration.source)}`;
  const claim = originClaim(origin);
  if (claim)
    return `Kill not confirmed: reported only by ${claim.by}, which ${claim.writer}; ${corroboration.why}`;
  return `Kill not confirmed by the host's kernel log: ${corroboration.why}`;
}
