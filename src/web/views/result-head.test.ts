// The top of a case page where the chain ended in a frame of the page: which document each piece
// of evidence is (the screenshot shows the page around the frame; each document has its DOM).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeCapture } from '../../analyze/analyze.js';
import { html } from '../html.js';
import { sampleCapture } from '../../../test/support/test-capture.js';
import { finalPage, resultHead } from './result-head.js';

test('a final page shown in a frame: its resting page, the frame named in the captions, and a link to its own DOM', () => {
  const report = analyzeCapture(sampleCapture(), null);
  const rested = report.pages.at(-1)!;
  const frameUrl = 'https://shop.example/<signin>';
  rested.frame = { url: frameUrl, title: 'Sign in <now>', dom: 'dom/02-frame.html' };
  report.final = { url: frameUrl, status: 200, title: 'Sign in <now>', frame: rested.url };
  assert.equal(finalPage(report), rested);
  const page = resultHead('case-1', report, { summary: html``, flags: [], integrity: null, options: html`` }).toString();
  assert.match(page, /<a class="dom-link frame-dom-link" href="[^"]*dom\/02-frame\.html" title="https:\/\/shop\.example\/&lt;signin&gt;"/);
  assert.match(page, /in a frame: Sign in &lt;now&gt;/);
  assert.ok(page.includes(`alt="screenshot of the final page ${rested.url}, with https://shop.example/&lt;signin&gt; in a frame"`), page);
  assert.ok(!page.includes('<signin>') && !page.includes('<now>'), 'escaped');
});
