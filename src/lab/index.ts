// Public face of the lab.
export {
  startLab,
  requestMatches,
  type Lab,
  type LabOptions,
  type LabRequestRecord,
  type LabScenario,
  type ScenarioOutcome,
} from './lab.js';
export { redirectBody } from './exchange.js';
export { runLabCommand, labTraceArgs, shellQuote } from './command.js';
export { dnsRecordsFor, startDnsServer, type LabDnsRecords, type LabDnsServer } from './dns-server.js';
export { DOWNLOAD_BODY, DOWNLOAD_FILENAME, DOWNLOAD_SHA256, DOWNLOAD_SIZE } from './download.js';
export { BAD_CERT_HOSTS, LAB_CA_NAME } from './tls.js';
export { HOSTS, WRONG_HOST_CERT_NAME, isLabHost, baseDomainOf } from './hosts.js';
export { labRequest, walkChain, BROWSER_HEADERS, type LabResponse, type WalkResult } from './lab-client.js';
export { ADVERTISER_TITLE, landingUrl } from './scenarios/common.js';
export { SEED_URL, SEED_CONTACT_URL, SEED_CONTACT_TITLE, SEED_LANDING_TITLE, SEED_IDS } from './scenarios/seed.js';
export { FIVE_HOP_URLS, chain25Urls } from './scenarios/chains.js';
export { labMailbox } from './mailbox.js';
export {
  SINGLE_USE_URL,
  SINGLE_USE_PREFIX,
  SINGLE_USE_SLOW_PREFIX,
  DOWNLOAD_URL,
  CNAME_ESP_URL,
  TIME_LIMIT_SECONDS,
} from './scenarios/links.js';
export {
  CLOAKED_DESTINATION,
  CLOAKED_TITLE,
  CLOAKING_URL,
  DECOY_TITLE,
  DIALOG_MESSAGE,
  HANG_URL,
  RESET_URL,
  XSS_URL,
  XSS_STRICT_URL,
  XSS_TITLE_RAW,
  XSS_HEADERS,
} from './scenarios/hostile.js';
export { REDIRECT_SCRIPT_URL, REDIRECT_SCRIPT_LINE, PRIZE_URL } from './scenarios/mechanisms.js';
export { cloakerUrl, SPLIT_DECOY_URL, type CloakerName } from './scenarios/cloakers.js';
export { probeUrl, type ProbeName } from './scenarios/cloak-probes.js';
export { humanGateUrl, HUMAN_DECOY_TITLE, type HumanGateName } from './scenarios/human-gates.js';
export { tellsUrl } from './scenarios/stealth-tells.js';
export { antibotTells, kitUrl, BENIGN_URL, BENIGN_TITLE, type KitName } from './scenarios/cloak-kits.js';
