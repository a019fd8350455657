import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { freshDistSkip } from '../helpers/build.js';
import { repoRoot } from '../helpers/data.js';

// Plain Node on the built package: the report renderers live behind the 'emovox/report' subpath
// (they load vega and the native resvg module, which the root entry point does not).
const probe = `
import { classificationMetrics } from 'emovox';
import { confusionPng, reportHtml, classificationReportText } from 'emovox/report';
const m = classificationMetrics([0, 1, 1, 0], [0, 1, 0, 0], ['calm', 'angry']);
const png = await confusionPng(m);
const html = await reportHtml({ title: 't', folds: [{ name: 'test', metrics: m }] });
console.log(JSON.stringify({ png: png.length > 1000, html: html.startsWith('<!DOCTYPE html>'), text: classificationReportText(m).includes('accuracy') }));
`;

test("'emovox/report' renders from the built package", { skip: freshDistSkip() }, () => {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout.trim()), { png: true, html: true, text: true });
});
