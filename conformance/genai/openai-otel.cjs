'use strict';
// A GenAI app instrumented with the OpenTelemetry contrib instrumentation
// of the openai client (@opentelemetry/instrumentation-openai): a shell
// agent that asks the model, runs the shell command the model asks for, sends
// its output back and prints the answer.
//
// The instrumentation makes one "chat <model>" span per model call (with
// gen_ai.usage.* tokens), the gen_ai.client.* metrics and, per message, log
// events. As apps built on it do, the app makes the agent's own spans: an
// "invoke_agent" span around the conversation carrying gen_ai.conversation.id
// (the session), and an "execute_tool" span per tool call. The chat spans are
// children of invoke_agent and carry no session attribute.
//
// Environment: OPENAI_BASE_URL and OPENAI_API_KEY (the openai client's own),
// OTEL_EXPORTER_OTLP_ENDPOINT (OTLP/HTTP JSON, all three signals),
// OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT, GENAI_MODEL.

const { trace, metrics, SpanKind, SpanStatusCode } = require('@opentelemetry/api');
const { logs } = require('@opentelemetry/api-logs');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics');
const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-http');
const { LoggerProvider, BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-http');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { OpenAIInstrumentation } = require('@opentelemetry/instrumentation-openai');
const shell = require('./shell-tool.cjs');

const AGENT = 'shell-agent';

const resource = resourceFromAttributes({
  'service.name': process.env.OTEL_SERVICE_NAME || 'genai-conformance-openai-otel',
  'service.version': '1.0.0',
});
const tracerProvider = new NodeTracerProvider({
  resource,
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
});
tracerProvider.register();
const meterProvider = new MeterProvider({
  resource,
  readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(), exportIntervalMillis: 1000 })],
});
metrics.setGlobalMeterProvider(meterProvider);
const loggerProvider = new LoggerProvider({
  resource,
  processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter() })],
});
logs.setGlobalLoggerProvider(loggerProvider);
registerInstrumentations({
  instrumentations: [new OpenAIInstrumentation()],
  tracerProvider,
  meterProvider,
  loggerProvider,
});

// Required after the instrumentation is registered, so it is patched.
const { OpenAI } = require('openai');

const tracer = trace.getTracer('genai-conformance-app', '1.0.0');

// chat makes one streamed model call and gathers the answer: its text and
// its tool calls.
async function chat(client, model, messages) {
  const stream = await client.chat.completions.create({
    model,
    messages,
    tools: [{ type: 'function', function: { name: shell.name, description: shell.description, parameters: shell.parameters } }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let content = '';
  const calls = [];
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta;
    if (!delta) {
      continue;
    }
    content += delta.content || '';
    for (const tc of delta.tool_calls || []) {
      if (!calls[tc.index]) {
        calls[tc.index] = { id: tc.id, type: 'function', function: { name: tc.function?.name || '', arguments: '' } };
      }
      calls[tc.index].function.arguments += tc.function?.arguments || '';
    }
  }
  return { content, calls: calls.filter(Boolean) };
}

// runTool runs one tool call inside its execute_tool span.
function runTool(call) {
  return tracer.startActiveSpan(`execute_tool ${call.function.name}`, {
    kind: SpanKind.INTERNAL,
    attributes: {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': call.function.name,
      'gen_ai.tool.call.id': call.id,
      'gen_ai.tool.type': 'function',
      'gen_ai.tool.description': shell.description,
      'gen_ai.tool.call.arguments': call.function.arguments,
    },
  }, span => {
    try {
      const { command } = JSON.parse(call.function.arguments);
      const { output, exitCode } = shell.run(command);
      span.setAttribute('gen_ai.tool.call.result', output);
      if (exitCode !== 0) {
        span.setAttribute('error.type', 'exit_status_' + exitCode);
        span.setStatus({ code: SpanStatusCode.ERROR, message: `exit status ${exitCode}` });
      }
      return `exit status ${exitCode}\n${output}`;
    } finally {
      span.end();
    }
  });
}

async function main() {
  const { prompt, model, sessionId } = shell.settings();
  const client = new OpenAI();
  await tracer.startActiveSpan(`invoke_agent ${AGENT}`, {
    kind: SpanKind.INTERNAL,
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.provider.name': 'openai',
      'gen_ai.agent.name': AGENT,
      'gen_ai.conversation.id': sessionId,
      'gen_ai.request.model': model,
    },
  }, async span => {
    try {
      await shell.converse(prompt, messages => chat(client, model, messages), runTool);
    } catch (err) {
      span.recordException(err);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
      throw err;
    } finally {
      span.end();
    }
  });
}

main()
  .catch(err => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(async () => {
    // Shutting down flushes every pending span, metric and log record.
    await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown(), loggerProvider.shutdown()]);
  });
