import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostedSiteOf } from './hosted-site.js';

test('a site on a host shared by many customers is named by the path that tells it apart', () => {
  const cases: [string, string | null][] = [
    ['https://storage.googleapis.com/promo-bucket/index.html', 'storage.googleapis.com/promo-bucket'],
    [
      'https://firebasestorage.googleapis.com/v0/b/offer-1.appspot.com/o/a.html?alt=media',
      'firebasestorage.googleapis.com/v0/b/offer-1.appspot.com',
    ],
    ['https://s3.amazonaws.com/my-offers/win.html', 's3.amazonaws.com/my-offers'],
    ['https://s3.eu-west-1.amazonaws.com/my-offers/win.html', 's3.eu-west-1.amazonaws.com/my-offers'],
    ['https://s3-us-west-2.amazonaws.com/my-offers/', 's3-us-west-2.amazonaws.com/my-offers'],
    ['https://sites.google.com/view/prize-claim-2026/home', 'sites.google.com/view/prize-claim-2026'],
    ['https://docs.google.com/forms/d/e/1FAIpQLSexample/viewform?usp=sf_link', 'docs.google.com/forms/d/e/1FAIpQLSexample'],
    ['https://drive.google.com/file/d/1AbC/view', 'drive.google.com/file/d/1AbC'],
    ['https://Storage.GoogleAPIs.com./promo-bucket/x', 'storage.googleapis.com/promo-bucket'],
    // The host's own pages, other hosts and what is no web page are not such sites.
    ['https://storage.googleapis.com/', null],
    ['https://sites.google.com/new', null],
    ['https://docs.google.com/', null],
    ['https://www.google.com/forms/d/e/x', null],
    ['https://bucket.s3.amazonaws.com/x.html', null],
    ['mailto:a@example.com', null],
    ['not a url', null],
  ];
  for (const [url, site] of cases) assert.equal(hostedSiteOf(url), site, url);
});
