import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Provenance } from '../../functions/core/incident/provenance';
import { write } from '../io/output';
import { causeContainedOom, containedOomSupport } from '../local/contained-oom';
import type { CommandIo } from '../main';
import type { ReplayInput } from '../replay/feed';
import { runReplay } from '../replay/run';
import { SAMPLE_KERNEL_REPORT } from '../replay/samples';
import { EXIT_OK } from '../usage-error';
import { policyOption, webhookOption } from './replay';

export const DEMO_HELP = `Usage: oom-responder demo [options]

Watch the whole pipeline work on this machine, no AWS account needed. As root on Linux with a
memory cgroup controller, it causes a real OOM kill contained in a small child memory cgroup of
its own (96 MiB; never host-wide), reads the kernel's report from /dev/kmsg, and replays it with
--host-exec: diagnostics run on this host, the default policy plans nothing (diagnose and
notify only), and the Slack message is printed. Elsewhere it replays a bundled real report
(samples/kernel/captured-6.18-dev-kmsg.log) and says so.

Options:
  --slack-webhook URL  post the message to this Slack incoming webhook instead of printing it
                       (also read from OOM_RESPONDER_SLACK_WEBHOOK); never printed
  --json               print the message's Slack payload (JSON) instead of its layout: stdout
                       is then JSON only, the summary goes to stderr
  --sample             replay the bundled real report even where a real kill could be caused
  -h, --help           show this help

Exit status: as for 'oom-responder replay' (0, or 1 when a stage failed). See docs/replay.md.`;

/** The victim's name: what the message will say was killed. */
const DEMO_COMM = 'oom-demo';
const DEMO_LIMIT_MIB = 96;

export async function demoCommand(args: string[], io: CommandIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      'slack-webhook': { type: 'string' },
      json: { type: 'boolean', default: false },
      sample: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    await write(io.stdout, `${DEMO_HELP}\n`);
    return EXIT_OK;
  }
  const webhookUrl = webhookOption(values['slack-webhook'] ?? process.env.OOM_RESPONDER_SLACK_WEBHOOK);
  const say = (text: string): Promise<void> => write(io.stderr, `oom-responder demo: ${text}\n`);
  const real = values.sample ? null : await realOom(say);
  const settings = {
    apply: false,
    policy: await policyOption(undefined, false),
    webhookUrl,
    pretty: !values.json,
    command: 'oom-responder demo',
  };
  if (real) {
    return runReplay(
      [real.input],
      {
        ...settings,
        hostExec: true,
        ownKernelClock: true,
        source: real.source,
        provenance: {
          kind: 'demo',
          detail: `A demo: oom-responder demo caused this kill on purpose, in a ${DEMO_LIMIT_MIB} MiB memory cgroup of its own on this host (removed again); nothing here needs action.`,
        },
      },
      io,
    );
  }
  // The scripts need Linux (/proc) and bash: where both are there, this host still answers the diagnostics.
  const hostExec = process.platform === 'linux' && spawnSync('bash', ['-c', 'exit 0']).status === 0;
  await say(
    `replaying a bundled real report${values.sample ? ' (--sample)' : ' instead'}: ${SAMPLE_KERNEL_REPORT} (python3 killed in a 32 MiB cgroup on the project's CI host)${
      hostExec ? ', with this host answering the diagnostics (--host-exec)' : ', with captured diagnostics'
    }`,
  );
  const input = { name: SAMPLE_KERNEL_REPORT, text: readFileSync(SAMPLE_KERNEL_REPORT, 'utf8') };
  return runReplay(
    [input],
    {
      ...settings,
      hostExec,
      ownKernelClock: false,
      source: 'a bundled real kernel report (not from this host)',
      provenance: sampleDemo(hostExec),
    },
    io,
  );
}

/** What a demo of the bundled report says it was built from: the kill is never this host's. */
function sampleDemo(hostExec: boolean): Provenance {
  const report =
    "a bundled kernel report of another host (python3 killed in a 32 MiB cgroup on the project's CI host)";
  return {
    kind: 'demo',
    detail: hostExec
      ? `A demo: built from ${report}, with this host's diagnostics: the kill below did not happen here.`
      : `A demo: built from ${report} and a captured sample of another host's diagnostics: the kill, processes, memory and state below are not this host's.`,
  };
}

/** Cause the contained OOM kill, or say why it cannot be done here and return null. */
async function realOom(
  say: (text: string) => Promise<void>,
): Promise<{ input: ReplayInput; source: string } | null> {
  const support = containedOomSupport();
  if (!support.supported) {
    await say(`cannot cause a real OOM kill here: ${support.reason}`);
    return null;
  }
  const started = performance.now();
  try {
    const oom = await causeContainedOom({ comm: DEMO_COMM, limitMiB: DEMO_LIMIT_MIB });
    const ms = Math.round(performance.now() - started);
    await say(
      `caused a real OOM kill: pid ${oom.pid} (${oom.comm}) outgrew its ${oom.limitMiB} MiB child memory cgroup (cgroup v${support.version}, removed again); ${oom.kernelRecords.length} kernel records read from /dev/kmsg (${ms} ms)`,
    );
    return {
      input: { name: '/dev/kmsg', text: `${oom.kernelRecords.join('\n')}\n` },
      source: `the kernel's report of the demo's own kill (pid ${oom.pid}, from /dev/kmsg)`,
    };
  } catch (error) {
    await say(`could not cause a real OOM kill here: ${(error as Error).message}`);
    return null;
  }
}
