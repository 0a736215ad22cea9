import { pino, type DestinationStream, type Logger } from 'pino';

/** Fields that must never reach a log line, wherever they sit in a logged object. */
const REDACTED = ['authorization', 'key', 'apiKey', 'secret', 'email', 'phone', 'variables', 'params'];

/** Drizzle puts a failed statement's parameters (e-mails, names…) in its message: keep the SQL only. */
function serializeError(error: unknown) {
  const serialized = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  // Everything from "params:" up to the stack frames: a parameter may itself contain new lines.
  const strip = (text: unknown) => (typeof text === 'string' ? text.replace(/\nparams: [\s\S]*?(?=\n {4}at |$)/, '') : text);
  serialized.message = strip(serialized.message);
  serialized.stack = strip(serialized.stack);
  return serialized;
}

/**
 * The server's structured JSON logger. Request logs never include headers, bodies or variables;
 * the redaction below is a second line of defence for anything logged with an error object.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const paths = REDACTED.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]);
  return pino({ level, redact: { paths, censor: '[redacted]' }, serializers: { err: serializeError } }, destination);
}
