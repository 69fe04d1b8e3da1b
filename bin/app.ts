#!/usr/bin/env node
// The CDK app (`npx cdk synth|deploy`): read and validate the configuration, create the stack, check it with cdk-nag.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { type AppConfig, InvalidAppConfigError, readAppConfig, responderProps } from '../lib/app-config';
import { InvalidOomResponderPropsError, resolveProps } from '../lib/oom-responder-props';
import { OomResponderStack } from '../lib/oom-responder-stack';

const app = new App();
const problems: string[] = [];
let config: AppConfig = {};
try {
  config = readAppConfig(app.node.getAllContext());
  resolveProps(responderProps(config));
} catch (error) {
  if (!(error instanceof InvalidAppConfigError || error instanceof InvalidOomResponderPropsError))
    throw error;
  problems.push(...error.problems);
}
if (problems.length > 0) {
  // One message with every problem, and how to fix each: not a stack trace.
  console.error(
    `OOM Responder: the configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'}:`,
  );
  for (const problem of problems) console.error(`  - ${problem}`);
  console.error(
    'Set values in oom-responder.config.json or with -c key=value (see the README, "Configuration").',
  );
  process.exit(1);
}

new OomResponderStack(app, config.stackName ?? 'OomResponder', {
  description: 'OOM Responder: incident response for Linux out-of-memory kills on EC2',
  responder: responderProps(config),
  kernelLogGroupNames: config.kernelLogGroups ?? [],
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
