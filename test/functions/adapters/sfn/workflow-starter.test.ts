import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { StepFunctionsWorkflowStarter } from '../../../../functions/adapters/sfn/workflow-starter';

const sfn = mockClient(SFNClient);
const stateMachineArn = 'arn:aws-us-gov:states:us-gov-west-1:123456789012:stateMachine:oom-responder';
const starter = new StepFunctionsWorkflowStarter({
  client: new SFNClient({ region: 'us-gov-west-1' }),
  stateMachineArn,
});
const input = {
  incidentId: 'oom-20261125T173050-0123456789abcdef',
  instanceId: null,
  killTime: '',
  pid: '1',
  process: 'x',
  unit: '',
  memcgPath: '',
  processHex: '78',
  kernelTime: '',
  killer: 'kernel',
};

beforeEach(() => sfn.reset());

describe('StepFunctionsWorkflowStarter', () => {
  it('starts an execution named after the incident, with the input as JSON', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });
    expect(await starter.start(input.incidentId, input)).toEqual({
      executionArn: 'arn:x',
      alreadyStarted: false,
    });
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn,
      name: input.incidentId,
      input: JSON.stringify(input),
    });
  });

  it('reads ExecutionAlreadyExists as already started, with the execution ARN in the right partition', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    expect(await starter.start(input.incidentId, input)).toEqual({
      executionArn: `arn:aws-us-gov:states:us-gov-west-1:123456789012:execution:oom-responder:${input.incidentId}`,
      alreadyStarted: true,
    });
  });

  it('lets other failures through for the handler to sort', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(starter.start(input.incidentId, input)).rejects.toThrow('Rate exceeded');
  });
});
