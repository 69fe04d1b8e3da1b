import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { OomResponderStack } from '../lib/oom-responder-stack';

const RUNS = 7;

/** Each pipeline function's environment, as the stack sets it (values are samples: only their shape is read). */
const ENVIRONMENT: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  INCIDENT_TABLE_NAME: 'oom-incidents',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:oom',
  TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:oom',
  DIAGNOSTICS_BUCKET: 'oom-diagnostics',
};

/** The goals of issue 17: module load of the bundled function on Node 24. */
const GOALS: Record<string, { ms: number; rssMb: number | null }> = {
  detect: { ms: 120, rssMb: 100 },
  analyze: { ms: 100, rssMb: null },
  notify: { ms: 100, rssMb: null },
};

/** Run in a fresh process: how long `require` of the file takes, and the process's RSS after it. */
const PROBE = `const t = process.hrtime.bigint(); require(process.argv[1]);
const ms = Number(process.hrtime.bigint() - t) / 1e6;
process.stdout.write(JSON.stringify({ ms, rssMb: process.memoryUsage().rss / 1048576 }));`;

interface Load {
  ms: number;
  rssMb: number;
}

/**
 * Cold start of the synthesized bundles: the stack is synthesized with its real bundling (local esbuild, as `cdk
 * deploy` does), then each function's `index.js` is loaded in a fresh Node.js process, best of 7. The floor, in the
 * same processes, is loading an empty module: Node's own start-up cost, which Lambda pays too but no code of ours
 * can change. Run on this Node and, when npx can fetch it, on Node 24 (Lambda's runtime).
 */
export async function benchBundleLoad(dir: string): Promise<void> {
  const bundles = synthesizedBundles(dir);
  const empty = join(dir, 'empty.js');
  writeFileSync(empty, '');
  for (const node of nodes()) {
    console.log(
      `bundled functions, module load on Node.js ${node.version} (best of ${RUNS} fresh processes):`,
    );
    const floor = bestLoad(node.path, empty);
    console.log(
      `  floor (an empty module):  ${floor.ms.toFixed(1).padStart(6)} ms, RSS ${floor.rssMb.toFixed(0)} MB`,
    );
    for (const [name, file] of Object.entries(bundles)) {
      const load = bestLoad(node.path, file);
      const goal = GOALS[name];
      const goals = goal
        ? ` (goal on Node 24: <= ${goal.ms} ms${goal.rssMb === null ? '' : `, <= ${goal.rssMb} MB`})`
        : '';
      const size = (statSync(file).size / 1024 / 1024).toFixed(2);
      console.log(
        `  ${`${name} (${size} MiB):`.padEnd(25)} ${load.ms.toFixed(1).padStart(6)} ms, RSS ${load.rssMb.toFixed(0)} MB; ` +
          `+${(load.rssMb - floor.rssMb).toFixed(0)} MB over the floor${goals}`,
      );
    }
  }
}

/** The stack synthesized with bundling on: each pipeline function's `index.js`, by its construct id (`Detect`...). */
function synthesizedBundles(dir: string): Record<string, string> {
  const app = new App({ outdir: join(dir, 'cdk.out') });
  const stack = new OomResponderStack(app, 'OomResponderBench', {
    env: { account: '123456789012', region: 'us-east-1' },
  });
  const assembly = app.synth();
  const template = JSON.parse(readFileSync(join(assembly.directory, stack.templateFile), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties?: { Code?: { S3Key?: string } } }>;
  };
  const bundles: Record<string, string> = {};
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    // The code's S3 key is the asset's hash: `<hash>.zip`, staged as `asset.<hash>/`.
    const key = resource.Properties?.Code?.S3Key;
    if (resource.Type !== 'AWS::Lambda::Function' || typeof key !== 'string') continue;
    const assetPath = `asset.${key.replace(/\.zip$/, '')}`;
    const name = Object.keys(GOALS).find((entry) =>
      new RegExp(`${entry[0]?.toUpperCase()}${entry.slice(1)}Function`).test(logicalId),
    );
    if (name) bundles[name] = join(assembly.directory, assetPath, 'index.js');
  }
  for (const name of Object.keys(GOALS)) {
    if (!bundles[name]) throw new Error(`bench: no synthesized bundle found for ${name}`);
  }
  return bundles;
}

function bestLoad(node: string, file: string): Load {
  let best: Load = { ms: Number.POSITIVE_INFINITY, rssMb: Number.POSITIVE_INFINITY };
  for (let i = 0; i < RUNS; i++) {
    const out = execFileSync(node, ['-e', PROBE, file], {
      encoding: 'utf8',
      env: { ...process.env, ...ENVIRONMENT },
    });
    const load = JSON.parse(out) as Load;
    if (load.ms < best.ms) best = { ms: load.ms, rssMb: Math.min(best.rssMb, load.rssMb) };
    else best = { ...best, rssMb: Math.min(best.rssMb, load.rssMb) };
  }
  return best;
}

/** This Node, and Node 24 through npx when this is not it and npx can fetch it. */
function nodes(): { version: string; path: string }[] {
  const list = [{ version: process.version, path: process.execPath }];
  if (process.versions.node.startsWith('24.')) return list;
  try {
    const path = execFileSync('npx', ['-y', 'node@24', '-p', 'process.execPath'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
    list.push({ version, path });
  } catch {
    console.log('  (Node 24 not available through npx: measured on this Node only)');
  }
  return list;
}
