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
  };
}
