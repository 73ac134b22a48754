'use strict';
// The one tool of the conformance apps: it runs a shell command in the
// working directory and returns what it printed. Shared by the apps so that
// each instrumentation sees the same tool.

const { spawnSync } = require('node:child_process');

const name = 'run_shell_command';
const description = 'Runs a shell command in the working directory and returns its output.';

// parameters is the tool's JSON schema, as the Chat Completions API takes it.
const parameters = {
  type: 'object',
  properties: { command: { type: 'string', description: 'The command line to run with /bin/sh.' } },
  required: ['command'],
  additionalProperties: false,
};

// run runs command with /bin/sh and returns its combined output and exit
// status (a failing command is a result the model gets to see, not a throw).
function run(command) {
  const r = spawnSync('/bin/sh', ['-c', command], { encoding: 'utf8', timeout: 30000 });
  const output = (r.stdout || '') + (r.stderr || '');
  const exitCode = r.status === null ? 1 : r.status;
  return { output, exitCode };
}

// settings reads the settings every app takes from its environment.
function settings() {
  const prompt = process.argv[2];
  if (!prompt) {
    throw new Error('usage: node <app> PROMPT');
  }
  return {
    prompt,
    model: process.env.GENAI_MODEL || 'gpt-4o-mini',
    // The conversation id an app keeps for its user's session.
    sessionId: process.env.GENAI_SESSION_ID || require('node:crypto').randomUUID(),
  };
}

module.exports = { name, description, parameters, run, settings };
