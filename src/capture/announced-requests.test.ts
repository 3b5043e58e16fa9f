import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AnnouncedRequests } from './announced-requests.js';

test('a request announced by the browser is taken once, by method and URL as sent', () => {
  const announced = new AnnouncedRequests();
  announced.announce('r1', 'GET', 'https://a.test/p?q=1#frag');
  assert.equal(announced.take('POST', 'https://a.test/p?q=1'), false);
  assert.equal(announced.take('GET', 'https://a.test/p?q=1'), true);
  assert.equal(announced.take('GET', 'https://a.test/p?q=1'), false, 'one announcement, one request');
});

test('the same URL announced twice is taken twice, and no more', () => {
  const announced = new AnnouncedRequests();
  announced.announce('r1', 'GET', 'http://a.test/loop');
  announced.announce('r2', 'get', 'http://a.test/loop');
  assert.equal(announced.take('GET', 'http://a.test/loop'), true);
  assert.equal(announced.take('GET', 'http://a.test/loop'), true);
  assert.equal(announced.take('GET', 'http://a.test/loop'), false);
});

test('a request that ended, or went on to its next hop, without reaching the proxy is no longer expected', () => {
  const announced = new AnnouncedRequests();
  announced.announce('r1', 'GET', 'http://a.test/cached');
  announced.forget('r1');
  assert.equal(announced.take('GET', 'http://a.test/cached'), false);
  // A redirect Chromium answered itself (a cached 301, an HSTS upgrade): the same request id, the next URL.
  announced.announce('r2', 'GET', 'http://b.test/');
  announced.announce('r2', 'GET', 'https://b.test/');
  assert.equal(announced.take('GET', 'http://b.test/'), false);
  assert.equal(announced.take('GET', 'https://b.test/'), true);
  announced.forget('r2');
});

test('only http and https requests are expected at the proxy', () => {
  const announced = new AnnouncedRequests();
  announced.announce('r1', 'GET', 'data:text/html,hi');
  announced.announce('r2', 'GET', 'blob:https://a.test/0b7c');
  assert.equal(announced.take('GET', 'data:text/html,hi'), false);
});

test('a tunnel to an origin with an announced request still to come is taken for that request', () => {
  const announced = new AnnouncedRequests();
  announced.announce('r1', 'GET', 'https://a.test/x');
  assert.equal(announced.awaitsOrigin('https://a.test'), true);
  assert.equal(announced.awaitsOrigin('https://a.test:8443'), false);
  assert.equal(announced.awaitsOrigin('http://a.test'), false);
  assert.equal(announced.take('GET', 'https://a.test/x'), true);
  assert.equal(announced.awaitsOrigin('https://a.test'), false);
  announced.announce('r2', 'GET', 'https://b.test:8443/');
  announced.forget('r2');
  assert.equal(announced.awaitsOrigin('https://b.test:8443'), false);
});
