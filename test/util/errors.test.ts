import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmovoxInputError, errorMessage } from '../../src/util/errors.js';

test('EmovoxInputError names the source and the problem', () => {
  const error = new EmovoxInputError('a.wav', 'empty file');
  assert.equal(error.message, 'a.wav: empty file');
  assert.equal(error.source, 'a.wav');
  assert.equal(error.problem, 'empty file');
  assert.equal(errorMessage(error), 'a.wav: empty file');
  assert.equal(errorMessage('plain'), 'plain');
});
