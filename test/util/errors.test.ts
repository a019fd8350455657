import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmovoxError, EmovoxInputError, EmovoxParameterError, errorMessage } from '../../src/util/errors.js';

test('EmovoxInputError names the source and the problem', () => {
  const error = new EmovoxInputError('a.wav', 'empty file');
  assert.equal(error.message, 'a.wav: empty file');
  assert.equal(error.source, 'a.wav');
  assert.equal(error.problem, 'empty file');
  assert.equal(errorMessage(error), 'a.wav: empty file');
  assert.equal(errorMessage('plain'), 'plain');
});

test('every emovox error has one root; a parameter error is an input error', () => {
  const parameter = new EmovoxParameterError('nMfcc', 'must be >= 1, got 0');
  assert.ok(parameter instanceof EmovoxParameterError);
  assert.ok(parameter instanceof EmovoxInputError);
  assert.ok(parameter instanceof EmovoxError);
  assert.equal(parameter.name, 'EmovoxParameterError');
  assert.equal(parameter.message, 'nMfcc: must be >= 1, got 0');
  assert.ok(new EmovoxInputError('a.wav', 'x') instanceof EmovoxError);
  assert.ok(!(new EmovoxInputError('a.wav', 'x') instanceof EmovoxParameterError));
});
