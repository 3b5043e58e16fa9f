import assert from 'node:assert/strict';
import { test } from 'node:test';
import { customerSiteOf } from './customer-subdomains.js';
import { registrableDomainOf } from './parties-match.js';

test("a customer's site on a service the Public Suffix List lacks is the customer's", () => {
  for (const [host, site] of [
    ['paypal-verify.000webhostapp.com', 'paypal-verify.000webhostapp.com'],
    ['www.promo.weebly.com', 'promo.weebly.com'],
    ['contoso.sharepoint.com', 'contoso.sharepoint.com'],
    ['contoso-my.sharepoint.com', 'contoso-my.sharepoint.com'],
    ['shop.my.salesforce-sites.com', 'shop.my.salesforce-sites.com'],
    ['Offer.MyClickFunnels.com.', 'offer.myclickfunnels.com'],
  ])
    assert.equal(customerSiteOf(host), site, host);
  // The service's own name, and hosts of no such service.
  for (const host of ['weebly.com', 'sharepoint.com', 'site.com', 'www.example.com', 'notweebly.com'])
    assert.equal(customerSiteOf(host), null, host);
});

test('who owns a host: the customer on such a service, the list for the rest, nobody for an address', () => {
  assert.equal(registrableDomainOf('login.paypal-verify.000webhostapp.com'), 'paypal-verify.000webhostapp.com');
  assert.equal(registrableDomainOf('www.weebly.com'), 'www.weebly.com');
  assert.equal(registrableDomainOf('promo-xyz.pages.dev'), 'promo-xyz.pages.dev');
  assert.equal(registrableDomainOf('shop.example.co.uk'), 'example.co.uk');
  assert.equal(registrableDomainOf('192.0.2.7'), null);
});
