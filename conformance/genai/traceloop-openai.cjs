'use strict';
// A GenAI app instrumented with OpenLLMetry (@traceloop/node-server-sdk,
// which brings @traceloop/instrumentation-openai): the same shell agent as
// openai-otel.cjs, written the way OpenLLMetry apps are: the session id is a
// Traceloop association property (withAssociationProperties), the agent is
// a withAgent entity and the tool a withTool entity. The SDK's span
// processor copies the association properties onto every span it starts as
// traceloop.association.properties.session_id.
//
// Environment: OPENAI_BASE_URL and OPENAI_API_KEY (the openai client's own);
// TRACELOOP_BASE_URL, the OTLP/HTTP endpoint the SDK exports traces to
// (its exporter is OTLP/protobuf; with no TRACELOOP_API_KEY it fetches no
// prompts and needs no Traceloop account); TRACELOOP_TRACE_CONTENT (true by
// default: prompts and completions on the spans); GENAI_MODEL.

const traceloop = require('@traceloop/node-server-sdk');
const shell = require('./shell-tool.cjs');

const AGENT = 'shell-agent';

traceloop.initialize({
  appName: process.env.OTEL_SERVICE_NAME || 'genai-conformance-traceloop-openai',
  // Export each span as it ends, as the SDK's docs advise for short-lived
  // processes.
  disableBatch: true,
});

// Required after initialize, so the instrumentation patches it.
const { OpenAI } = require('openai');

async function chat(client, model, messages) {
  const r = await client.chat.completions.create({
    model,
    messages,
    tools: [{ type: 'function', function: { name: shell.name, description: shell.description, parameters: shell.parameters } }],
  });
  const m = r.choices[0].message;
  return { content: m.content || '', calls: m.tool_calls || [] };
}

async function main() {
  const { prompt, model, sessionId } = shell.settings();
  const client = new OpenAI();
  await traceloop.withAssociationProperties({ [traceloop.AssociationProperty.SESSION_ID]: sessionId }, () =>
    traceloop.withAgent({ name: AGENT }, () =>
      shell.converse(prompt, messages => chat(client, model, messages), call => {
        const { command } = JSON.parse(call.function.arguments);
        return traceloop.withTool({ name: call.function.name }, async ({ command }) => {
          const { output, exitCode } = shell.run(command);
          return `exit status ${exitCode}\n${output}`;
        }, { command });
      })));
}

main()
  .catch(err => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => traceloop.forceFlush());
