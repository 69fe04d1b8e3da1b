/** The workflow input of one incident, as the detector starts the execution with it. */
export const WORKFLOW_INPUT = {
  incidentId: 'oom-20261125T173050-0123456789abcdef',
  instanceId: 'i-0abc1234def567890',
  killTime: '2026-11-25T17:30:50.077Z',
  pid: '3920',
  process: 'python3',
  unit: 'app.service',
  memcgPath: '/system.slice/app.service',
  processHex: '707974686f6e33',
  kernelTime: '',
  killer: 'kernel',
};

export const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:OomResponderWorkflow';

/** The execution the detector names after its incident. */
export function executionArnOf(incidentId: string): string {
  return `arn:aws:states:us-east-1:123456789012:execution:OomResponderWorkflow:${incidentId}`;
}

export interface StatusChange {
  /** The execution's input, as an object; sent as the JSON string EventBridge carries. */
  input?: Record<string, unknown>;
  /** When the execution started; it stopped 3 hours later, at the execution timeout. */
  startDate?: number;
  /** Fields of `detail` to set as they are (`input: null` when the input was not included). */
  detail?: Record<string, unknown>;
}

/**
 * A "Step Functions Execution Status Change" event as EventBridge delivers it: the shape of the "Execution Timed
 * Out" example in the Step Functions guide ("EventBridge (CloudWatch Events) for Step Functions execution status
 * changes"): input as a JSON string, error and cause null when timed out.
 */
export function executionStatusChange(status: string, change: StatusChange = {}) {
  const input = change.input ?? WORKFLOW_INPUT;
  const executionArn = executionArnOf(String(input.incidentId));
  const startDate = change.startDate ?? 1_795_627_850_077;
  return {
    version: '0',
    id: '315c1398-40ff-a850-213b-158f73e60175',
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '123456789012',
    time: new Date(startDate + 10_800_000 + 1_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    region: 'us-east-1',
    resources: [executionArn],
    detail: {
      executionArn,
      stateMachineArn: STATE_MACHINE_ARN,
      name: input.incidentId,
      status,
      startDate,
      stopDate: startDate + 10_800_000,
      input: JSON.stringify(input),
      inputDetails: { included: true },
      output: null,
      outputDetails: null,
      error: null,
      cause: null,
      ...change.detail,
    },
  };
}
