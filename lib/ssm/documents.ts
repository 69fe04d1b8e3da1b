import {
  ADD_SWAP_PARAMETERS,
  COLLECT_DIAGNOSTICS_PARAMETERS,
  type ParameterSpec,
  RESTART_SERVICE_PARAMETERS,
} from '../../functions/core/ssm/parameter-specs';
import { type ScriptName, scriptLines } from './script-source';

/**
 * The three SSM Command documents (schema 2.2, one `aws:runShellScript` step, Linux only) as plain content
 * objects: the construct hands them to `CfnDocument`, tests inspect them. Pure: no CDK import. Every parameter
 * is a String with a strict `allowedPattern` and `interpolationType: ENV_VAR`, so the agent passes it to the
 * script as the environment variable `SSM_<name>` and never pastes it into the script's text.
 */
export interface SsmParameterDefinition {
  type: 'String';
  description: string;
  default?: string;
  allowedPattern: string;
  interpolationType: 'ENV_VAR';
}

export interface RunShellScriptStep {
  action: 'aws:runShellScript';
  name: string;
  precondition: { StringEquals: ['platformType', 'Linux'] };
  inputs: { runCommand: string[]; timeoutSeconds: number };
}

export interface SsmCommandDocument {
  schemaVersion: '2.2';
  description: string;
  parameters: Record<string, SsmParameterDefinition>;
  mainSteps: [RunShellScriptStep];
}

/** SSM's limit on a document's content, which also counts the parameter values sent with it. */
export const MAX_DOCUMENT_BYTES = 64 * 1024;

export function collectDiagnosticsDocument(): SsmCommandDocument {
  return document({
    description:
      'OOM Responder: collect diagnostics after an OOM kill, or before one under memory pressure (mode ' +
      'pressure). Prints a compact machine-readable summary (=== oom-responder summary v1 ===) first, then ' +
      'human-readable sections. Read-only.',
    script: 'collect-diagnostics',
    step: 'collectDiagnostics',
    // The script keeps to about 3 s, plus pressure mode's wait between its two samples (sampleSeconds, at most
    // 60 s); a host still thrashing may be far slower, so 120 s are left beyond the longest wait.
    timeoutSeconds: 180,
    specs: COLLECT_DIAGNOSTICS_PARAMETERS,
    descriptions: {
      killTime:
        'ISO 8601 time of the OOM kill (kernel lines from 5 minutes before it count), or empty for the whole boot.',
      unit: 'The systemd unit the victim ran in, or empty.',
      pid: 'The pid of the killed process, or empty.',
      memcgPath: 'The memory cgroup path of the victim as the kernel printed it (oom_memcg), or empty.',
      processHex:
        'The name (comm) of the killed process as hex of its bytes, or empty: with pid, how the kill is found in the kernel log.',
      kernelTime: 'Seconds since boot as the kernel stamped the kill, or empty.',
      killer:
        '"kernel" (the OOM killer) or "systemd-oomd": which log on the host confirms the kill; empty reads as kernel.',
      mode:
        '"kill" (after an OOM kill) or "pressure" (a memory-pressure warning: no kill to look for; adds the largest ' +
        "processes' smaps_rollup and their growth between two samples); empty reads as kill. PSI is read in both.",
      sampleSeconds:
        'Pressure mode: seconds between the two samples of the largest processes, 0 to 60 (0: one sample, no ' +
        'growth); empty reads as 10. Ignored in kill mode.',
    },
  });
}

export function addSwapDocument(): SsmCommandDocument {
  return document({
    description:
      'OOM Responder: add a swap file when no swap is active, the disk has room, the filesystem supports it and ' +
      'the host is not a Kubernetes node. Idempotent; verifies with swapon --show. Last line: result=...',
    script: 'add-swap',
    step: 'addSwap',
    // dd writes the whole file: 64 GiB at a slow 100 MB/s takes about 11 minutes.
    timeoutSeconds: 1200,
    specs: ADD_SWAP_PARAMETERS,
    descriptions: {
      sizeMiB: 'Size of the swap file in MiB, 64 to 65536.',
      path: 'Absolute path of the swap file (letters, digits, . _ -; no component starting with a dot).',
      maxDiskSharePercent: 'Refuse when the file would take more than this share of the free space, 1 to 90.',
      dryRun: '"true" reports what would be done and changes nothing.',
      drill:
        '"true" for an oom-responder drill: refused whatever else is asked (a drill never changes a host).',
    },
  });
}

export function restartServiceDocument(): SsmCommandDocument {
  return document({
    description:
      'OOM Responder: restart a systemd service after an OOM kill, unless it is already active again. Waits up ' +
      'to 30 s for it to be active and verifies it stays so. Last line: result=...',
    script: 'restart-service',
    step: 'restartService',
    // systemd's own start timeout (90 s by default) bounds the restart, plus the wait and the check after it.
    timeoutSeconds: 300,
    specs: RESTART_SERVICE_PARAMETERS,
    descriptions: {
      unit: 'The service to restart, e.g. myapp.service (checked against the policy allow-list before sending).',
      memcgPath:
        "The killed task's memory cgroup as the kernel printed it, or empty. A unit under a user manager " +
        '(/user.slice/.../user@1000.service/...) is refused: it is never restarted through the system manager.',
      dryRun: '"true" reports what would be done and changes nothing.',
      drill:
        '"true" for an oom-responder drill: refused whatever else is asked (a drill never changes a host).',
    },
  });
}

interface DocumentOptions<K extends string> {
  description: string;
  script: ScriptName;
  step: string;
  timeoutSeconds: number;
  specs: Readonly<Record<K, ParameterSpec>>;
  descriptions: Readonly<Record<K, string>>;
}

function document<K extends string>(options: DocumentOptions<K>): SsmCommandDocument {
  const parameters: Record<string, SsmParameterDefinition> = {};
  for (const name of Object.keys(options.specs) as K[]) {
    const spec = options.specs[name];
    parameters[name] = {
      type: 'String',
      description: options.descriptions[name],
      ...(spec.default === undefined ? {} : { default: spec.default }),
      allowedPattern: spec.pattern,
      interpolationType: 'ENV_VAR',
    };
  }
  return {
    schemaVersion: '2.2',
    description: options.description,
    parameters,
    mainSteps: [
      {
        action: 'aws:runShellScript',
        name: options.step,
        precondition: { StringEquals: ['platformType', 'Linux'] },
        inputs: { runCommand: scriptLines(options.script), timeoutSeconds: options.timeoutSeconds },
      },
    ],
  };
}
