import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TreeNode, WaterfallRow } from '../chain-tree.js';
import { imageMap, svgLabel, treeDrawing, waterfallDrawing } from './chain-svg.js';

const HOSTILE = '<script>alert(1)</script>"onload="x\u001b[2J\u202e\ud800&amp;';

function node(hop: number, parent: number | null, depth: number, extra: Partial<TreeNode> = {}): TreeNode {
  return {
    hop,
    parent,
    depth,
    via: hop === 1 ? 'start' : 'http-302',
    edge: hop === 1 ? 'link' : '302',
    url: `http://h${hop}.example/`,
    host: `h${hop}.example`,
    status: 200,
    role: null,
    party: null,
    error: null,
    download: false,
    frames: [],
    thirdParty: [],
    ownRequests: 0,
    ...extra,
  };
}

test('svgLabel: lone surrogates and non-characters replaced (well-formed XML), long text cut', () => {
  assert.equal(svgLabel('a\ud800b\uffff', 10), 'a\ufffdb\ufffd');
  assert.equal(svgLabel('😀😀😀', 10), '😀😀😀', 'pairs are kept');
  assert.equal(svgLabel('abcdefghij', 5), 'abcd…');
});

test('treeDrawing: captured text is escaped text only; control characters shown; boxes link to hops and pivots', () => {
  const drawing = treeDrawing([
    node(1, null, 0, { party: HOSTILE, thirdParty: [{ host: 'cdn.example', requests: 3 }], frames: [HOSTILE] }),
    node(2, 1, 1, { edge: `click “${HOSTILE}”`, url: HOSTILE, host: '', status: null, error: 'reset' }),
  ]);
  const svg = drawing.svg.toString();
  assert.ok(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>'));
  assert.doesNotMatch(svg, /<script|\sonload=|[\u0000-\u0008\u000b\u001b\u202e]|[\ud800-\udfff]/);
  assert.ok(svg.includes('&lt;script&gt;alert(1)&lt;/script&gt;&quot;onload=&quot;x\\x1b[2J\\u202e'));
  assert.ok(svg.includes('&amp;amp;'), 'an entity in captured text stays text');
  assert.deepEqual(
    drawing.areas.map((a) => a.href),
    ['#hop-1', '/cases?domain=cdn.example', '#hop-2'],
  );
  const map = imageMap('tree-map', drawing.areas).toString();
  assert.doesNotMatch(map, /<script|\sonload=/);
  assert.equal((map.match(/<area\s/g) ?? []).length, 3);
});

test('waterfallDrawing: one row and one link per exchange, hostile URLs as text', () => {
  const row = (i: number, url: string): WaterfallRow => ({
    exchange: `x${i}`,
    method: 'GET',
    url,
    status: i === 2 ? null : 200,
    error: i === 2 ? HOSTILE : null,
    hop: i === 1 ? 1 : null,
    start: i * 20,
    total: i === 2 ? null : 30,
    dns: 2,
    connect: 5,
    ttfb: 12,
  });
  const drawing = waterfallDrawing([row(1, 'http://a.example/'), row(2, `http://b.example/${HOSTILE}`)]);
  const svg = drawing.svg.toString();
  assert.doesNotMatch(svg, /<script|\sonload=|[\u001b\u202e]/);
  assert.deepEqual(
    drawing.areas.map((a) => a.href),
    ['#exchange-x1', '#exchange-x2'],
  );
});
