import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { SsmDocumentKind } from '../../functions/core/ssm/parameter-specs';
import {
  type SendCommandParameters,
  validateAddSwapParameters,
  validateCollectDiagnosticsParameters,
  validateRestartServiceParameters,
} from '../../functions/core/ssm/parameters';
import type { CommandInvocation } from '../../functions/core/workflow/ssm-invocation';
import { addSwapDocument, collectDiagnosticsDocument, restartServiceDocument } from '../../lib/ssm/documents';
import { scriptPath } from '../../lib/ssm/script-source';

/**
 * SSM Run Command for a replay. The state machine sends a document and polls GetCommandInvocation until it ends;
 * locally the same document's script runs on this host, with its parameters only as `SSM_<name>` variables (as
 * the agent passes them with `interpolationType: ENV_VAR`), and its end becomes the record the state machine
 * keeps: `{commandId, polls, invocation}`.
 */

/** The replay's document names; the analysis plans remediations against these. */
export const LOCAL_DOCUMENTS = {
  collectDiagnostics: 'local-collect-diagnostics',
  addSwap: 'local-add-swap',
  restartService: 'local-restart-service',
} as const;

const KINDS: Readonly<Record<string, SsmDocumentKind>> = {
  [LOCAL_DOCUMENTS.collectDiagnostics]: 'collect-diagnostics',
  [LOCAL_DOCUMENTS.addSwap]: 'add-swap',
  [LOCAL_DOCUMENTS.restartService]: 'restart-service',
};

/** GetCommandInvocation returns this much of stdout (the summary comes first for that reason), and of stderr. */
const STDOUT_CHARS = 24_000;
const STDERR_CHARS = 8_000;

/** What the state machine records for a command at `resultPath`. */
export interface CommandRecord {
  commandId: string;
  polls: number;
  /** As GetCommandInvocation returns it (the state keeps the whole response). */
  invocation: CommandInvocation & { [field: string]: unknown };
}

/** SendCommand refused the command (unknown document, a parameter outside its pattern): nothing ran. */
export class SendCommandError extends Error {
  /** The error name as Step Functions reports an SDK error, e.g. `Ssm.InvalidParametersException`. */
  readonly errorName: string;

  constructor(errorName: string, message: string) {
    super(message);
    this.name = 'SendCommandError';
    this.errorName = errorName;
  }
}

export interface CommandRunner {
  /** Send one command and wait for it to end; throws `SendCommandError` when it could not be sent. */
  run(documentName: string, parameters: SendCommandParameters): Promise<CommandRecord>;
}

/**
 * Runs the documents' scripts on this host (`--host-exec`). Parameters are validated first with the documents'
 * own patterns, as SSM's `allowedPattern` would, and the run is bounded by the document's `timeoutSeconds`. The
 * environment is this process's minus any `SSM_` or `OOM_RESPONDER_` variable: only the document's parameters,
 * never a test hook, reach the script.
 */
export class HostScriptRunner implements CommandRunner {
  async run(documentName: string, parameters: SendCommandParameters): Promise<CommandRecord> {
    const kind = documentKind(documentName);
    const values = validated(kind, parameters);
    const env: NodeJS.ProcessEnv = Object.fromEntries(
      Object.entries(process.env).filter(
        ([key]) => !key.startsWith('SSM_') && !key.startsWith('OOM_RESPONDER_'),
      ),
    );
    for (const [name, [value = '']] of Object.entries(values)) env[`SSM_${name}`] = value;
    const ended = await runScript(scriptPath(kind), env, timeoutSecondsOf(kind) * 1000);
    return { commandId: randomUUID(), polls: 1, invocation: invocationOf(ended) };
  }
}

/**
 * Answers collect-diagnostics with a captured real output (a replay without `--host-exec`: nothing runs on any
 * host). Parameters are still validated, so a value SSM would refuse is refused here too.
 */
export class SampleDiagnosticsRunner implements CommandRunner {
  constructor(private readonly samplePath: string) {}

  async run(documentName: string, parameters: SendCommandParameters): Promise<CommandRecord> {
    const kind = documentKind(documentName);
    validated(kind, parameters);
    if (kind !== 'collect-diagnostics') {
      throw new SendCommandError(
        'Ssm.InvalidInstanceIdException',
        'a replay without --host-exec sends nothing to any host',
      );
    }
    const stdout = readFileSync(this.samplePath, 'utf8');
    return {
      commandId: randomUUID(),
      polls: 1,
      invocation: invocationOf({ code: 0, timedOut: false, stdout, stderr: '' }),
    };
  }
}

function documentKind(documentName: string): SsmDocumentKind {
  const kind = KINDS[documentName];
  if (!kind) throw new SendCommandError('Ssm.InvalidDocumentException', `no document ${documentName}`);
  return kind;
}

function validated(kind: SsmDocumentKind, parameters: SendCommandParameters): SendCommandParameters {
  const input = Object.fromEntries(Object.entries(parameters).map(([name, [value]]) => [name, value]));
  const result =
    kind === 'collect-diagnostics'
      ? validateCollectDiagnosticsParameters(input)
      : kind === 'add-swap'
        ? validateAddSwapParameters(input)
        : validateRestartServiceParameters(input);
  if (!result.ok) throw new SendCommandError('Ssm.InvalidParametersException', result.error.message);
  return result.parameters;
}

function timeoutSecondsOf(kind: SsmDocumentKind): number {
  const document =
    kind === 'collect-diagnostics'
      ? collectDiagnosticsDocument()
      : kind === 'add-swap'
        ? addSwapDocument()
        : restartServiceDocument();
  return document.mainSteps[0].inputs.timeoutSeconds;
}

interface ScriptEnd {
  code: number;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/** Run a script with bash (the documents' `#!/bin/bash`), as the agent does, killing it at the timeout. */
function runScript(path: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ScriptEnd> {
  return new Promise((resolve) => {
    const child = spawn('bash', [path], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < STDOUT_CHARS) stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < STDERR_CHARS) stderr += chunk;
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      // The agent reports a command that could not start as a failed invocation, not a send error.
      resolve({ code: 127, timedOut: false, stdout: '', stderr: `could not run bash: ${error.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, timedOut, stdout, stderr });
    });
  });
}

/** The invocation GetCommandInvocation would return for a command that ended so. */
function invocationOf(end: ScriptEnd): CommandRecord['invocation'] {
  const status = end.timedOut ? 'TimedOut' : end.code === 0 ? 'Success' : 'Failed';
  return {
    Status: status,
    StatusDetails: end.timedOut ? 'ExecutionTimedOut' : status,
    ResponseCode: end.timedOut ? -1 : end.code,
    StandardOutputContent: end.stdout.slice(0, STDOUT_CHARS),
    StandardErrorContent: end.stderr.slice(0, STDERR_CHARS),
  };
}
