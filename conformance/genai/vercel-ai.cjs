'use strict';
// A GenAI app on the Vercel AI SDK (ai + @ai-sdk/openai) with its built-in
// OpenTelemetry spans (experimental_telemetry): the same shell agent as
// openai-otel.cjs, written the way AI SDK apps are: generateText with a tool
// whose execute function runs the command, and a step limit so the SDK sends
// the tool's result back to the model itself. The session id goes in the
// telemetry metadata (ai.telemetry.metadata.sessionId on the spans), as
// tracing backends documented for the AI SDK ask.
//
// The AI SDK only makes spans through the global tracer provider: the app
// registers one exporting OTLP/HTTP JSON. openai.chat() selects the Chat
// Completions API (openai() alone would use the Responses API).
//
// Environment: OPENAI_BASE_URL and OPENAI_API_KEY (read by @ai-sdk/openai),
// OTEL_EXPORTER_OTLP_ENDPOINT, GENAI_MODEL.

const { resourceFromAttributes } = require('@opentelemetry/resources');
const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { generateText, tool, stepCountIs } = require('ai');
const { openai } = require('@ai-sdk/openai');
const { z } = require('zod');
const shell = require('./shell-tool.cjs');

const tracerProvider = new NodeTracerProvider({
  resource: resourceFromAttributes({
    'service.name': process.env.OTEL_SERVICE_NAME || 'genai-conformance-vercel-ai',
    'service.version': '1.0.0',
  }),
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
});
tracerProvider.register();

async function main() {
  const { prompt, model, sessionId } = shell.settings();
  const result = await generateText({
    model: openai.chat(model),
    system: 'You are a shell agent. Use the tool to run commands.',
    prompt,
    tools: {
      [shell.name]: tool({
        description: shell.description,
        inputSchema: z.object({ command: z.string().describe('The command line to run with /bin/sh.') }),
        execute: async ({ command }) => {
          const { output, exitCode } = shell.run(command);
          return `exit status ${exitCode}\n${output}`;
        },
      }),
    },
    stopWhen: stepCountIs(5),
    experimental_telemetry: {
      isEnabled: true,
      functionId: 'shell-agent',
      metadata: { sessionId },
    },
  });
  console.log(result.text);
}

main()
  .catch(err => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => tracerProvider.shutdown());
