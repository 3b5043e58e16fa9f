// Hosting networks of IP addresses, offline: autonomous system and country from npm-shipped data,
// special-purpose blocks (loopback, private, ...) labelled.
export { loadNetworkData, SPECIAL_ONLY, type NetworkLookup, type NetworkData } from './network-data.js';
export { parseAddress, specialNetwork } from './special-addresses.js';
