import { hashApiToken, randomToken } from './api-token.js';

/**
 * App-portal access tokens (Svix's `app-portal-access`): a bearer token that
 * opens one application's routes, within its capabilities, until it expires
 * or is revoked. Stored as `sha256:<hex>` of the token, as the API token is;
 * 192 random bits, so a plain SHA-256 is enough. The prefix tells the API's
 * auth layer which kind of token it holds before any lookup.
 */
export const PORTAL_TOKEN_PREFIX = 'hkp_';

export const generatePortalToken = (): string => randomToken(PORTAL_TOKEN_PREFIX);

export const hashPortalToken = hashApiToken;

/** Svix's AppPortalCapability values Hookline enforces (ManageTransformations has nothing to manage here). */
export const PORTAL_CAPABILITIES = [
  'ViewBase',
  'ViewEndpointSecret',
  'ManageEndpointSecret',
  'CreateAttempts',
  'ManageEndpoint',
] as const;
export type PortalCapability = (typeof PORTAL_CAPABILITIES)[number];

/** Capabilities that only read: all a read-only token keeps. */
export const READ_CAPABILITIES: readonly PortalCapability[] = ['ViewBase', 'ViewEndpointSecret'];

/** Svix's bounds on `expiry` (seconds): one hour to seven days, seven days by default. */
export const PORTAL_MIN_EXPIRY_S = 3600;
export const PORTAL_MAX_EXPIRY_S = 7 * 86_400;

/**
 * The portal's look, chosen by the operator when issuing the link (Hookline's
 * `portalTheme` on app-portal-access): the same three settings as the
 * portal's query parameters, which override them one by one.
 */
export interface PortalTheme {
  theme?: 'light' | 'dark';
  /** `#RRGGBB`. */
  accent?: string;
  /** An https address with no credentials in it, shown as an image. */
  logo?: string;
}
export const ACCENT_PATTERN = /^#[0-9a-fA-F]{6}$/;
export const LOGO_MAX_LENGTH = 2048;

/** Whether `text` is a logo address the portal may show: https, no user or password. */
export function isSafeLogo(text: string): boolean {
  if (text.length > LOGO_MAX_LENGTH) return false;
  try {
    const url = new URL(text);
    return url.protocol === 'https:' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

/** One stored token, as the auth layer and the session route see it. */
export interface PortalToken {
  tokenHash: string;
  appId: string;
  capabilities: PortalCapability[];
  featureFlags: string[];
  sessionId: string | null;
  theme: PortalTheme | null;
  createdAt: Date;
  expiresAt: Date;
}
