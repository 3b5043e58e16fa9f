// The device metrics a page was given (Emulation.setDeviceMetricsOverride), kept to give them again
// before a touch: Chromium's full build at times scales a phone's touches by its window's device
// scale factor (1) rather than the emulated one (see touch.ts, syncTouchScale).
import type { Protocol } from 'devtools-protocol';
import type { CdpSession } from '../cdp/connection.js';

export type DeviceMetrics = Protocol.Emulation.SetDeviceMetricsOverrideRequest;

/** The metrics to give a page again before its touches, by its CDP session: a phone's in the full build only. */
const touchMetrics = new WeakMap<CdpSession, DeviceMetrics>();

/** Sets a page's device metrics; `again`: they are given again before its first touch of each document. */
export function overrideDeviceMetrics(session: CdpSession, metrics: DeviceMetrics, again: boolean): Promise<unknown> {
  if (again) touchMetrics.set(session, metrics);
  return session.send('Emulation.setDeviceMetricsOverride', metrics);
}

/** Gives a page the device metrics it was given again, if it is to get them before a touch (false: it is not). */
export async function reapplyDeviceMetrics(session: CdpSession): Promise<boolean> {
  const metrics = touchMetrics.get(session);
  if (!metrics) return false;
  await session.send('Emulation.setDeviceMetricsOverride', metrics).catch(() => undefined);
  return true;
}
