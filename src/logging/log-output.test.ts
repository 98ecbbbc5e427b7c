import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogOutput, prettyLine } from './log-output.ts';
import { createRedactor } from './redact.ts';

const line = `${JSON.stringify({
  level: 30,
  time: Date.parse('2026-01-01T12:00:00.123Z'),
  pid: 1,
  hostname: 'h',
  reqId: 'r-1',
  msg: 'request completed',
  res: { statusCode: 200 },
  url: 'https://u:pw@example.com/',
})}\n`;

test('JSON output is the line with secrets redacted', () => {
  const written: string[] = [];
  const out = createLogOutput({
    format: 'json',
    redact: createRedactor(),
    write: (t) => written.push(t),
  });
  out.write(line);
  const entry = JSON.parse(written[0] ?? '');
  assert.equal(entry.msg, 'request completed');
  assert.equal(entry.url, 'https://[redacted]@example.com/');
});

test('pretty output is one readable line, redacted too', () => {
  const written: string[] = [];
  const out = createLogOutput({
    format: 'pretty',
    redact: createRedactor(),
    write: (t) => written.push(t),
    colour: false,
  });
  out.write(line);
  assert.equal(
    written[0],
    '12:00:00.123 INFO  [r-1] request completed res={"statusCode":200} url=https://[redacted]@example.com/\n',
  );
});

test('an error shows its stack under the line; a line that is not JSON passes through', () => {
  const withError = JSON.stringify({
    level: 50,
    time: 0,
    msg: 'boom',
    err: { stack: 'Error: x\n    at y' },
  });
  assert.equal(prettyLine(withError, false), '00:00:00.000 ERROR boom\n  Error: x\n      at y\n');
  assert.equal(prettyLine('plain text\n', false), 'plain text\n');
});
