import { expect, it } from 'vitest';
import { CodedError, errorMessage, isRetryable } from './index.ts';

class ExampleError extends CodedError<'EXAMPLE_DOWN' | 'EXAMPLE_BAD'> {
  override readonly name = 'ExampleError';
}

it('carries its code, retry flag, name and cause', () => {
  const cause = new Error('socket closed');
  const error = new ExampleError('EXAMPLE_DOWN', 'example is down', { retry: true, cause });
  expect(error).toBeInstanceOf(CodedError);
  expect([error.name, error.code, error.retry, error.cause]).toEqual([
    'ExampleError',
    'EXAMPLE_DOWN',
    true,
    cause,
  ]);
  expect(isRetryable(new ExampleError('EXAMPLE_BAD', 'bad', { retry: false }))).toBe(false);
});

it('reads retry from a driver error that has only `retriable`, and a message from anything', () => {
  expect(isRetryable(Object.assign(new Error('x'), { retriable: true }))).toBe(true);
  expect(isRetryable('text')).toBe(false);
  expect(errorMessage(new Error('boom'))).toBe('boom');
  expect(errorMessage(42)).toBe('42');
});
