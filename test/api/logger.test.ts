import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../api/logger';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger('info', sink), lines };
}

describe('the server log', () => {
  it('keeps a failed statement but not its parameters, even when a parameter spans lines', () => {
    const { logger, lines } = capture();
    const error = new Error('Failed query: update leads set notes = $1 where email = $2\nparams: called back\nsaid no,jane.doe@example.com');
    error.stack = `Error: ${error.message}\n    at update (domain/leads/leads.ts:10:5)`;
    logger.error({ err: error }, 'internal error');
    const entry = JSON.parse(lines.join('')) as { err: { message: string; stack: string } };
    expect(entry.err.message).toBe('Failed query: update leads set notes = $1 where email = $2');
    expect(entry.err.stack).toBe('Error: Failed query: update leads set notes = $1 where email = $2\n    at update (domain/leads/leads.ts:10:5)');
    expect(lines.join('')).not.toMatch(/jane\.doe|said no/);
  });

  it('redacts keys, e-mails and variables wherever they are logged', () => {
    const { logger, lines } = capture();
    logger.info({ request: { authorization: 'Bearer sla_secret', body: { variables: { email: 'a@b.c' } } }, email: 'x@y.z' }, 'request');
    const text = lines.join('');
    expect(text).not.toMatch(/sla_secret|a@b\.c|x@y\.z/);
    expect(text).toContain('[redacted]');
  });
});
