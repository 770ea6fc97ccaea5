import type { Config } from '../config.js';
import { createSender, type Sender } from './sender.js';
import { createAddressGuard } from './ssrf.js';

/** The production sender: keep-alive pool with the SSRF guard in its connect path (see ssrf.ts). */
export function createGuardedSender(
  config: Pick<Config, 'requestTimeoutMs' | 'concurrency' | 'allowPrivateNetworks' | 'allowedCidrs'>,
): Sender {
  const guard = createAddressGuard(config);
  return createSender({
    timeoutMs: config.requestTimeoutMs,
    connections: config.concurrency,
    lookup: guard.lookup,
    checkTarget: guard.checkTarget,
  });
}
