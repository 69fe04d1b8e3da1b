import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../../functions/core/analysis';
import { adviceText } from '../../../../functions/core/analysis/advice';
import { formatKiB } from '../../../../functions/core/format/bytes';
import { newIncident } from '../../../../functions/core/incident/build';
import type { ResponseOutcome } from '../../../../functions/core/incident/outcome';
import { DEFAULT_POLICY } from '../../../../functions/core/policy/policy';
import { validateSlackMessage } from '../../../../functions/core/render/block-kit-limits';
import { renderPlainText } from '../../../../functions/core/render/plain-text';
import { renderSlackMessage } from '../../../../functions/core/render/slack';
import { corpusSamples, parseFile } from '../../../support/corpus';
import { INSTANCE, NOW } from '../analysis/incidents';

/** The kernel's own lines, read here with small regexes of this test's own, not with the parser. */
function printed(text: string) {
  const limits = [...text.matchAll(/\bmemory: usage (\d+)kB, limit (\d+)kB/g)].map((m) => ({
    usageKb: Number(m[1]),
    limitKb: Number(m[2]),
  }));
  const rss = new Map<number, number>();
  for (const m of text.matchAll(
    /Killed process (\d+) \([^)]*\)[^\n]*?anon-rss:(\d+)kB, file-rss:(\d+)kB(?:, shmem-rss:(\d+)kB)?/g,
  )) {
    rss.set(Number(m[1]), Number(m[2]) + Number(m[3]) + Number(m[4] ?? 0));
  }
  return { limits, rss };
}

/** A limit as the message must say it: the kernel's unset value (2^53 kB and up) is "no limit". */
const said = (kb: number) => (kb >= 2 ** 40 ? 'no limit' : formatKiB(kb));

/** `MemoryMax=192M`, `--memory 1280m`, `e.g. 256Mi`: a suggested limit in KiB. */
function suggestedKb(text: string): number[] {
  return [...text.matchAll(/(?:MemoryMax=|--memory |e\.g\. )(\d+)(M|G|m|g|Mi|Gi)\b/g)].map(
    (m) => Number(m[1]) * (/^[Gg]/.test(m[2] ?? '') ? 1024 * 1024 : 1024),
  );
}

function outcomeOf(kill: Awaited<ReturnType<typeof parseFile>>[number]): ResponseOutcome {
  const incident = newIncident({
    kill,
    hostKey: 'host',
    instance: INSTANCE,
    source: { logGroup: '/ec2/kernel', logStream: INSTANCE.instanceId, accountId: null, region: 'us-east-1' },
    now: NOW,
  });
  const analysis = analyze({
    incident,
    diagnostics: null,
    policy: DEFAULT_POLICY,
    recentActions: [],
    now: NOW,
  });
  return {
    incident,
    diagnostics: { status: 'skipped', summary: null, detail: 'test', commandId: null, outputS3Uri: null },
    analysis,
    actions: [],
    failure: null,
    context: { partition: 'aws', region: 'us-east-1', accountId: null, executionArn: null },
  };
}

describe('sizes and limits in every message of the real corpus agree with the kernel lines', () => {
  for (const sample of corpusSamples()) {
    it(`${sample.theme}/${sample.name}`, async () => {
      const { limits, rss } = printed(readFileSync(sample.logPath, 'utf8'));
      for (const kill of await parseFile(sample.logPath)) {
        const outcome = outcomeOf(kill);
        const slack = renderSlackMessage(outcome);
        const text = renderPlainText(outcome);
        expect(validateSlackMessage(slack)).toEqual([]);
        const all = `${text}\n${JSON.stringify(slack)}`;
        expect(all).not.toMatch(/\d+ TiB/);
        expect(all).not.toContain('<its unit>');
        if (kill.memoryLimitKb !== null) {
          // The limit the message states is one the kernel printed, in words: a size or "no limit".
          const scope = /Scope: (.*)/.exec(text)?.[1] ?? '';
          const stated =
            /limit ([\d.]+ [KMGT]iB)/.exec(scope)?.[1] ?? (scope.includes('no limit') ? 'no limit' : null);
          expect(limits.map((l) => said(l.limitKb))).toContain(stated);
        }
        const cgroupAdvice = outcome.analysis?.findings.find((f) => f.family === 'cgroup-limit');
        if (cgroupAdvice && kill.pid !== null) {
          // Never below what was used: the usage line (any printed for this limit) or the victim's RSS.
          const usage = limits.filter((l) => l.limitKb === kill.memoryLimitKb).map((l) => l.usageKb);
          const peakKb = Math.max(0, rss.get(kill.pid) ?? 0, ...usage);
          for (const kb of suggestedKb(adviceText(cgroupAdvice.recommendation)))
            expect(kb).toBeGreaterThanOrEqual(peakKb);
        }
      }
    });
  }
});
