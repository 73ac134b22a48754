'use strict';
// The one tool of the conformance apps, which runs a shell command in the
// working directory and returns what it printed, and the agent loop around
// it. Shared by the apps so that each instrumentation sees the same tool
// and the same conversation.

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

// converse is the shell agent: a system turn and the prompt, then up to
// five model turns; chat(messages) asks the model and resolves to
// { content, calls }, runTool(call) answers one tool call (or resolves to
// the answer). It prints the model's answer and resolves to it.
async function converse(prompt, chat, runTool) {
  const messages = [
    { role: 'system', content: 'You are a shell agent. Use the tool to run commands.' },
    { role: 'user', content: prompt },
  ];
  for (let turn = 0; turn < 5; turn++) {
    const { content, calls } = await chat(messages);
    if (calls.length === 0) {
      console.log(content);
      return content;
    }
    messages.push({ role: 'assistant', content: content || null, tool_calls: calls });
    for (const call of calls) {
      messages.push({ role: 'tool', tool_call_id: call.id, content: await runTool(call) });
    }
  }
  throw new Error('no answer after 5 turns');
}

module.exports = { name, description, parameters, run, settings, converse };
