#!/usr/bin/env node
// The CDK app (`npx cdk synth|deploy`): read and validate the configuration, create the stack, check it with cdk-nag.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { InvalidAppConfigError, readAppConfig, responderProps } from '../lib/app-config';
import { InvalidOomResponderPropsError, resolveProps } from '../lib/oom-responder-props';
import { OomResponderStack } from '../lib/oom-responder-stack';

const app = new App();
try {
  const config = readAppConfig(app.node.getAllContext());
  const stackName = config.stackName ?? 'OomResponder';
  const responder = responderProps(config);
  resolveProps(responder, { stackName });
  new OomResponderStack(app, stackName, {
    description: 'OOM Responder: incident response for Linux out-of-memory kills on EC2',
    responder,
    kernelLogGroupNames: config.kernelLogGroups ?? [],
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
} catch (error) {
  if (!(error instanceof InvalidAppConfigError || error instanceof InvalidOomResponderPropsError))
    throw error;
  // One message with every problem, and how to fix each: not a stack trace.
  const { problems } = error;
  console.error(
    `OOM Responder: the configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'}:`,
  );
  for (const problem of problems) console.error(`  - ${problem}`);
  console.error(
    'Set values in oom-responder.config.json or with -c key=value (see the README, "Configuration").',
  );
  process.exit(1);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
