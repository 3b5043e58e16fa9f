import type { CaptureIdentity } from '../model.js';

export type Device = 'desktop' | 'mobile';

/**
 * A browser identity that does not announce automation: the real Chromium major version, a
 * platform that matches navigator.platform, no "HeadlessChrome".
 */
export function defaultIdentity(device: Device, chromiumVersion: string, userAgent?: string): CaptureIdentity {
  const major = chromiumVersion.split('.')[0] || '130';
  const desktopUa = `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`;
  const mobileUa = `Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Mobile Safari/537.36`;
  return {
    userAgent: userAgent ?? (device === 'mobile' ? mobileUa : desktopUa),
    device,
    viewport: device === 'mobile' ? { width: 412, height: 915 } : { width: 1366, height: 768 },
    locale: 'en-US',
    timezone: 'America/New_York',
    acceptLanguage: 'en-US,en;q=0.9',
    webgl:
      device === 'mobile'
        ? { vendor: 'Qualcomm', renderer: 'Adreno (TM) 640' }
        : { vendor: 'Google Inc. (Intel)', renderer: 'ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)' },
  };
}

export interface UserAgentMetadata {
  brands: { brand: string; version: string }[];
  fullVersionList: { brand: string; version: string }[];
  fullVersion: string;
  platform: string;
  platformVersion: string;
  architecture: string;
  model: string;
  mobile: boolean;
  bitness: string;
  wow64: boolean;
}

/**
 * The client hints (Sec-CH-UA, navigator.userAgentData) a desktop Chromium of this version sends:
 * the headless shell would add a "HeadlessChrome" brand. The GREASE brand follows Chromium's own
 * rule (user_agent_utils.cc), seeded with the major version.
 */
export function userAgentMetadata(device: Device, chromiumVersion: string): UserAgentMetadata {
  const major = Number(chromiumVersion.split('.')[0]) || 130;
  const greaseChars = [' ', '(', ':', '-', '.', '/', ')', ';', '=', '?', '_'];
  const grease = {
    brand: `Not${greaseChars[major % greaseChars.length]}A${greaseChars[(major + 1) % greaseChars.length]}Brand`,
    version: ['8', '99', '24'][major % 3],
  };
  const orders = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];
  const order = orders[major % 6];
  // Positions: GREASE at order[0], Chromium at order[1]; a branded build's own name (absent here) at order[2].
  const slots: ({ brand: string; full: string; short: string } | null)[] = [null, null, null];
  slots[order[0]] = { brand: grease.brand, short: grease.version, full: `${grease.version}.0.0.0` };
  slots[order[1]] = { brand: 'Chromium', short: String(major), full: chromiumVersion };
  const present = slots.filter((s): s is NonNullable<typeof s> => s !== null);
  const mobile = device === 'mobile';
  return {
    brands: present.map((s) => ({ brand: s.brand, version: s.short })),
    fullVersionList: present.map((s) => ({ brand: s.brand, version: s.full })),
    fullVersion: chromiumVersion,
    platform: mobile ? 'Android' : 'Linux',
    platformVersion: mobile ? '10.0.0' : '',
    architecture: mobile ? '' : 'x86',
    model: mobile ? 'K' : '',
    mobile,
    bitness: mobile ? '' : '64',
    wow64: false,
  };
}
