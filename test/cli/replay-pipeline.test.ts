import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ReplayTarget } from '../../cli/replay/detect-ports';
import { replayFeed } from '../../cli/replay/feed';
import { type CommandRecord, type CommandRunner, SendCommandError } from '../../cli/replay/local-ssm';
import { runReplayPipeline } from '../../cli/replay/pipeline';
import { SAMPLE_DIAGNOSTICS } from '../../cli/replay/samples';
import type { StageLine } from '../../cli/replay/stages';
import { parsePolicy } from '../../functions/core/policy/policy';
import type { SlackMessage } from '../../functions/core/render/slack-blocks';
import type { SlackNotifier } from '../../functions/core/respond/notify-ports';
import type { SendCommandParameters } from '../../functions/core/ssm/parameters';
import { KERNEL_CORPUS } from '../support/corpus';

/**
 * The replay's state machine paths, with the SSM runner and Slack faked: what each failure does to the stages,
 * the message and the exit status, as lib/workflow/response-workflow.ts decides them.
 */
const REPORT = readFileSync(`${KERNEL_CORPUS}transports/captured-6.18-rsyslog-imklog-rfc3164.log`, 'utf8');
const NOW = Date.parse('2026-11-25T18:00:00Z');
/** A host's answer that confirms the kill in its own `dmesg -k` (a real capture; see its SOURCES.md). */
const DIAGNOSTICS = readFileSync(
  `${KERNEL_CORPUS}../diagnostics/collect-diagnostics-debian12-cgroup-v1-confirmed.stdout`,
  'utf8',
);
/** The replay's own sample, from a script older than the confirmation: it confirms nothing. */
const SAMPLE = readFileSync(SAMPLE_DIAGNOSTICS, 'utf8');

interface Sent {
  documentName: string;
  parameters: SendCommandParameters;
}

/** A runner answering collect-diagnostics with the sample, and remediations with `remediation`'s output. */
function fakeRunner(
  overrides: { diagnostics?: () => CommandRecord; remediation?: string } = {},
): CommandRunner & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    async run(documentName, parameters) {
      sent.push({ documentName, parameters });
      if (documentName === 'local-collect-diagnostics') {
        if (overrides.diagnostics) return overrides.diagnostics();
        return record('Success', 0, DIAGNOSTICS);
      }
      return record('Success', 0, overrides.remediation ?? '');
    },
  };
}

function record(status: string, code: number, stdout: string, stderr = ''): CommandRecord {
  return {
    commandId: '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
    polls: 1,
    invocation: {
      Status: status,
      StatusDetails: status,
      ResponseCode: code,
      StandardOutputContent: stdout,
      StandardErrorContent: stderr,
    },
  };
}

function printing(): SlackNotifier & { messages: SlackMessage[] } {
  const messages: SlackMessage[] = [];
  return {
    messages,
    post: async (message) => {
      messages.push(message);
      return { ok: true };
    },
  };
}

async function replay(options: {
  runner: CommandRunner;
  slack?: SlackNotifier;
  policy?: unknown;
  apply?: boolean;
  target?: ReplayTarget;
}) {
  const lines: StageLine[] = [];
  const slack = options.slack ?? printing();
  const result = await runReplayPipeline(
    replayFeed([{ name: 'kern.log', text: REPORT }], {
      nowMs: NOW,
      referenceDate: new Date(NOW),
      bootMs: null,
    }),
    {
      target: options.target ?? { kind: 'this-host', hostname: 'vm' },
      runner: options.runner,
      diagnosticsFrom: 'on this host',
      policy: parsePolicy(options.policy ?? {}),
      apply: options.apply ?? false,
      slack,
      now: () => new Date(NOW),
      progress: (line) => lines.push(line),
      warn: () => {},
    },
  );
  const text =
    (slack as { messages?: SlackMessage[] }).messages?.map((m) => JSON.stringify(m)).join('\n') ?? '';
  return { result, lines, text };
}

const stage = (lines: StageLine[], name: string): StageLine | undefined =>
  lines.find((l) => l.stage === name);

describe('the replayed response workflow', () => {
  it('runs collect-diagnostics with the parameters the state machine sends, from the workflow input', async () => {
    const runner = fakeRunner();
    const { result, lines } = await replay({ runner });

    expect(result.failures).toEqual([]);
    expect(runner.sent).toEqual([
      {
        documentName: 'local-collect-diagnostics',
        parameters: {
          killTime: ['2026-11-25T17:30:50.000Z'],
          unit: [''],
          pid: ['3920'],
          memcgPath: ['/process_api/33723c71e567280d3434846a9d47d879/transports-oom'],
          processHex: [Buffer.from('python3').toString('hex')],
          // The kernel's own stamp of its kill line, which the host compares with its ring buffer.
          kernelTime: [/\[ *([\d.]+)\] Memory cgroup out of memory: Killed process 3920/.exec(REPORT)?.[1]],
          killer: ['kernel'],
        },
      },
    ]);
    expect(lines.map((line) => `${line.stage}:${line.failed}`)).toEqual([
      'detect:false',
      'diagnostics:false',
      'analyze:false',
      'remediate:false',
      'notify:false',
    ]);
  });

  it('records a failed diagnostics command as a failed stage and still analyzes and notifies', async () => {
    const runner = fakeRunner({
      diagnostics: () =>
        record('Failed', 2, 'result=refused reason=invalid-parameter parameter=pid', 'refused: pid'),
    });
    const { result, lines, text } = await replay({ runner });

    expect(stage(lines, 'diagnostics')).toMatchObject({ failed: true });
    expect(stage(lines, 'diagnostics')?.text).toMatch(/^failed: the command ended Failed with exit status 2/);
    expect(result.failures).toEqual([
      {
        stage: 'diagnostics',
        incident: '1/1',
        detail: expect.stringMatching(/^failed: the command ended Failed/),
      },
    ]);
    expect(stage(lines, 'notify')).toMatchObject({ failed: false });
    expect(text).toContain('Diagnostics failed: the command ended Failed with exit status 2');
  });

  it('routes a command SSM would refuse to the analysis as its send error', async () => {
    const runner = fakeRunner({
      diagnostics: () => {
        throw new SendCommandError('Ssm.InvalidParametersException', 'pid: "x" does not match');
      },
    });
    const { result, text } = await replay({ runner });

    expect(result.failures.map((f) => f.stage)).toEqual(['diagnostics']);
    expect(text).toContain(
      'SendCommand failed: Ssm.InvalidParametersException (pid: \\"x\\" does not match)',
    );
  });

  it('fails the notify stage when Slack does not take the message, after SNS has it', async () => {
    const slack: SlackNotifier = {
      post: async () => ({ ok: false, retryable: false, detail: 'Slack answered 404 no_service' }),
    };
    const { result, lines } = await replay({ runner: fakeRunner(), slack });

    expect(stage(lines, 'notify')).toMatchObject({ failed: true });
    expect(result.failures).toEqual([
      {
        stage: 'notify',
        incident: '1/1',
        detail: 'Slack did not take the message: Slack answered 404 no_service',
      },
    ]);
    expect(result.sns).toHaveLength(1);
    expect(result.incidents[0]?.notification?.slack).toEqual({
      status: 'failed',
      detail: 'Slack answered 404 no_service',
    });
  });

  it('runs a planned add-swap as a dry run unless --apply, whatever the policy says', async () => {
    const runner = fakeRunner({
      remediation:
        'add-swap: dry run: all checks passed; nothing was changed\nresult=dry-run reason=none path=/swapfile.oom-responder sizeMiB=2048 verification=none\n',
    });
    // The command makes the policy a dry run; this checks the second guard, at the document's parameters.
    const { result, lines, text } = await replay({ runner, policy: { addSwap: { enabled: true } } });

    expect(result.failures).toEqual([]);
    expect(runner.sent[1]).toEqual({
      documentName: 'local-add-swap',
      parameters: {
        sizeMiB: ['2048'],
        path: ['/swapfile.oom-responder'],
        maxDiskSharePercent: ['25'],
        dryRun: ['true'],
        // Every remediation step says whether it is a drill's (the document refuses one).
        drill: ['false'],
      },
    });
    expect(stage(lines, 'remediate')?.text).toBe(
      'add-swap: dry-run, exit 0: dry run: all checks passed; nothing was changed',
    );
    expect(text).toContain('*Add swap* (dry run): dry run: all checks passed; nothing was changed');
  });

  it('sends the planned parameters as they are with --apply', async () => {
    const runner = fakeRunner({
      remediation:
        'add-swap: added a 2048 MiB swap file\nresult=done reason=none path=/swapfile.oom-responder sizeMiB=2048 verification=swapon-show-lists-path\n',
    });
    const { lines } = await replay({ runner, policy: { addSwap: { enabled: true } }, apply: true });

    expect(runner.sent[1]?.parameters.dryRun).toEqual(['false']);
    expect(stage(lines, 'remediate')?.text).toMatch(/^add-swap: done, exit 0/);
  });

  it('fails the remediate stage for a remediation that failed, but not for one the script refused', async () => {
    const failed = await replay({
      runner: fakeRunner({
        remediation:
          'add-swap: mkswap failed\nresult=failed reason=mkswap-failed path=/s sizeMiB=64 verification=none\n',
      }),
      policy: { addSwap: { enabled: true } },
    });
    expect(failed.result.failures.map((f) => f.stage)).toEqual(['remediate']);

    const refused = await replay({
      runner: fakeRunner({
        remediation:
          'add-swap: refused: swap is already active\nresult=refused reason=swap-active path=/s sizeMiB=64 verification=none\n',
      }),
      policy: { addSwap: { enabled: true } },
    });
    expect(refused.result.failures).toEqual([]);
    expect(refused.text).toContain('*Add swap* (refused)');
  });

  it('reports the plan without running it when nothing may run on a host (no --host-exec)', async () => {
    const runner = fakeRunner();
    const { lines, text } = await replay({
      runner,
      policy: { addSwap: { enabled: true } },
      target: { kind: 'sample' },
    });

    expect(runner.sent.map((s) => s.documentName)).toEqual(['local-collect-diagnostics']);
    expect(stage(lines, 'remediate')?.text).toBe(
      'not run: without --host-exec nothing runs on any host (planned: add-swap)',
    );
    expect(text).toContain('*Add swap* (planned, no result): planned: add a 2.0 GiB swap file');
  });

  it('plans no host change on diagnostics that do not confirm the kill, and the message says so', async () => {
    const runner = fakeRunner({ diagnostics: () => record('Success', 0, SAMPLE) });
    const { lines, text } = await replay({ runner, policy: { addSwap: { enabled: true } }, apply: true });

    expect(runner.sent.map((s) => s.documentName)).toEqual(['local-collect-diagnostics']);
    expect(stage(lines, 'remediate')?.text).toMatch(
      /^nothing planned \(add-swap: not sent: the kill is not confirmed/,
    );
    expect(text).toContain("not sent: the kill is not confirmed by the host's kernel log");
  });
});
