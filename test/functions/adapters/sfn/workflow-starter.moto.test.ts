import {
  CreateStateMachineCommand,
  ListExecutionsCommand,
  SFNClient,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  executionArnFor,
  StepFunctionsWorkflowStarter,
} from '../../../../functions/adapters/sfn/workflow-starter';
import type { WorkflowInput } from '../../../../functions/core/detect/ports';
import { skipped } from '../../../support/aws-tools';
import { type MotoServer, moto, startMoto } from '../../../support/moto-server';

const input: WorkflowInput = {
  incidentId: 'oom-20261125T173050-0123456789abcdef',
  instanceId: 'i-0123456789abcdef0',
  killTime: '2026-11-25T17:30:50.000Z',
  pid: '3359',
  process: '(sd-pam)',
  unit: '',
  memcgPath: '/process_api/oomtest1',
  processHex: '2873642d70616d29',
  kernelTime: '5071.123456',
  killer: 'kernel',
};

// Real SDK client over real HTTP to moto server's Step Functions. StartExecution of a Standard workflow, per the
// API Reference (`name`): the same name and input while the execution is open succeeds with the first answer;
// a different input while open, or any input once it closed, fails with ExecutionAlreadyExists. moto server
// implements the same rules (executions stay RUNNING there: it does not run the definition).
describe.skipIf(!moto.path)(`StepFunctionsWorkflowStarter on moto server${skipped(moto)}`, () => {
  let server: MotoServer;
  let client: SFNClient;
  let stateMachineArn: string;
  let starter: StepFunctionsWorkflowStarter;

  beforeAll(async () => {
    server = await startMoto();
    client = new SFNClient(server.clientConfig);
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });
  beforeEach(async () => {
    await server.reset();
    const created = await client.send(
      new CreateStateMachineCommand({
        name: 'oom-responder',
        roleArn: 'arn:aws:iam::123456789012:role/oom-responder-workflow',
        definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
      }),
    );
    stateMachineArn = created.stateMachineArn ?? '';
    starter = new StepFunctionsWorkflowStarter({ client, stateMachineArn });
  });

  async function executions(): Promise<string[]> {
    const listed = await client.send(new ListExecutionsCommand({ stateMachineArn }));
    return (listed.executions ?? []).map((e) => e.executionArn ?? '');
  }

  it('starts one execution named after the incident, at the ARN the adapter derives', async () => {
    const started = await starter.start(input.incidentId, input);
    expect(started).toEqual({
      executionArn: executionArnFor(stateMachineArn, input.incidentId),
      alreadyStarted: false,
    });
    expect(await executions()).toEqual([started.executionArn]);
  });

  it('starts nothing new when the same incident is started again with the same input', async () => {
    const first = await starter.start(input.incidentId, input);
    const again = await starter.start(input.incidentId, input);
    // StartExecution answers the repeat as it answered the first call, so the adapter cannot tell it apart.
    expect(again.executionArn).toBe(first.executionArn);
    expect(await executions()).toEqual([first.executionArn]);
  });

  it('reads ExecutionAlreadyExists (another input) as already started, with the running execution’s ARN', async () => {
    const first = await starter.start(input.incidentId, input);
    const again = await starter.start(input.incidentId, { ...input, pid: '3360' });
    expect(again).toEqual({ executionArn: first.executionArn, alreadyStarted: true });
    expect(await executions()).toEqual([first.executionArn]);
  });

  it('reads ExecutionAlreadyExists for a closed execution as already started too', async () => {
    const first = await starter.start(input.incidentId, input);
    await client.send(new StopExecutionCommand({ executionArn: first.executionArn }));
    expect(await starter.start(input.incidentId, input)).toEqual({
      executionArn: first.executionArn,
      alreadyStarted: true,
    });
  });

  it('lets a missing state machine through for the handler to sort', async () => {
    const missing = new StepFunctionsWorkflowStarter({
      client,
      stateMachineArn: stateMachineArn.replace(':oom-responder', ':missing'),
    });
    await expect(missing.start(input.incidentId, input)).rejects.toMatchObject({
      name: 'StateMachineDoesNotExist',
    });
  });
});
