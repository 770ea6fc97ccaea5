import { OPERATOR_SESSION_TTL_S, SIGN_IN_CODE_TTL_S } from '../../core/operator-session.js';
import {
  LOGO_MAX_LENGTH,
  PORTAL_CAPABILITIES,
  PORTAL_MAX_EXPIRY_S,
  PORTAL_MIN_EXPIRY_S,
} from '../../core/portal-token.js';
import { ACCEPTED_CAPABILITIES } from '../routes/auth.js';
import type { Operation } from './operation.js';
import { array, bool, dateTime, hookline, int, nullable, object, ref, type Schema, str } from './schema.js';

const CAPABILITY = str({ enum: [...PORTAL_CAPABILITIES] });

const PORTAL_THEME = object({
  theme: nullable(str({ enum: ['light', 'dark'] })),
  accent: nullable(str({ pattern: '^#[0-9a-fA-F]{6}$', examples: ['#0f766e'] })),
  logo: nullable(
    str({
      format: 'uri',
      maxLength: LOGO_MAX_LENGTH,
      description: 'An https URL without credentials, shown as an image beside the application’s name',
    }),
  ),
});

export const authSchemas: Record<string, Schema> = {
  AppPortalAccessIn: object({
    application: nullable({
      ...ref('ApplicationIn'),
      description: 'Creates the application (uid: the path’s app_id) when the path names none yet',
    }),
    capabilities: nullable(
      array(str({ enum: [...ACCEPTED_CAPABILITIES] }), {
        maxItems: 16,
        description:
          'Absent or null: all. ViewBase is always granted; ManageTransformations is accepted and opens nothing',
      }),
    ),
    expiry: nullable(
      int({
        minimum: PORTAL_MIN_EXPIRY_S,
        maximum: PORTAL_MAX_EXPIRY_S,
        description: 'Seconds the token is valid (default: 7 days)',
      }),
    ),
    featureFlags: nullable(
      array(str({ minLength: 1, maxLength: 256 }), {
        maxItems: 64,
        description: 'Event types behind these flags are shown to the token',
      }),
    ),
    readOnly: nullable(bool({ description: 'Keep only ViewBase and ViewEndpointSecret' })),
    sessionId: nullable(
      str({ minLength: 1, maxLength: 256, description: 'Lets expire-all revoke this session’s tokens' }),
    ),
    portalTheme: hookline(
      nullable(PORTAL_THEME),
      'The portal’s look for this link; the portal’s query parameters of the same names override each setting',
    ),
  }),
  AppPortalAccessOut: object(
    {
      url: str({
        format: 'uri',
        description:
          '`<public URL>/portal#key=<token>`: the token in the fragment, which browsers never send',
      }),
      token: str({ examples: ['hkp_2yZwUhtgs1Ai8T9SgZlXuxygN3j'] }),
    },
    ['url', 'token'],
  ),
  ApplicationTokenExpireIn: object({
    expiry: nullable(
      int({ minimum: 0, maximum: 86_400, description: 'Revoke after this many seconds (default 0: now)' }),
    ),
    sessionIds: nullable(
      array(str({ minLength: 1, maxLength: 256 }), {
        maxItems: 1000,
        description: 'Only these sessions’ tokens; absent, null or empty: every token of the app',
      }),
    ),
  }),
  DashboardSignInOut: object(
    {
      url: str({
        format: 'uri',
        description: '`<public URL>/#code=<code>`: the code in the fragment, which browsers never send',
      }),
      code: str({ examples: ['hkc_4QmXb0pJt7eN1s9cVwYzA2kLr5uH8gFd'] }),
      expiresAt: dateTime({
        description: `When the code stops working (${SIGN_IN_CODE_TTL_S} s after issue)`,
      }),
    },
    ['url', 'code', 'expiresAt'],
  ),
  DashboardSignInExchangeIn: object(
    { code: str({ minLength: 1, maxLength: 256, description: 'The code of the sign-in link' }) },
    ['code'],
  ),
  DashboardSessionOut: object(
    {
      token: str({
        examples: ['hko_Zp3Lw8sQe1Rt6Yu0Ik9Oj2Hg5Fd7Sa4X'],
        description: 'An operator session token: the API token’s rights, until it expires or logs out',
      }),
      expiresAt: dateTime({ description: `${OPERATOR_SESSION_TTL_S / 3600} h after the exchange` }),
    },
    ['token', 'expiresAt'],
  ),
  AuthSessionOut: {
    oneOf: [
      object(
        {
          kind: str({ enum: ['operator'] }),
          expiresAt: dateTime({ description: 'Only for a dashboard session token: when it ends' }),
        },
        ['kind'],
      ),
      object(
        {
          kind: str({ enum: ['app-portal'] }),
          appId: str(),
          appUid: nullable(str()),
          appName: str(),
          capabilities: array(CAPABILITY),
          readOnly: bool({ description: 'True when the token holds only reading capabilities' }),
          featureFlags: array(str()),
          sessionId: nullable(str()),
          theme: nullable({ ...PORTAL_THEME, description: 'The `portalTheme` the link was issued with' }),
          expiresAt: dateTime(),
        },
        [
          'kind',
          'appId',
          'appUid',
          'appName',
          'capabilities',
          'readOnly',
          'featureFlags',
          'sessionId',
          'theme',
          'expiresAt',
        ],
      ),
    ],
    description: 'The operator’s API token, or an app-portal token with its application and capabilities',
  },
};

const tag = 'Authentication';

export const authOperations: Operation[] = [
  {
    method: 'POST',
    path: '/api/v1/auth/app-portal-access/{app_id}',
    operationId: 'v1.authentication.app-portal-access',
    tag,
    summary: 'Issue an app-portal token for one application, and its portal URL',
    description: 'Operator token only. The token opens that application’s routes within its capabilities.',
    body: { schema: 'AppPortalAccessIn', optional: true },
    responses: { 200: 'AppPortalAccessOut' },
  },
  {
    method: 'POST',
    path: '/api/v1/auth/app/{app_id}/expire-all',
    operationId: 'v1.authentication.expire-all',
    tag,
    summary: 'Revoke the application’s app-portal tokens',
    body: { schema: 'ApplicationTokenExpireIn', optional: true },
    responses: { 204: null },
  },
  {
    method: 'POST',
    path: '/api/v1/auth/logout',
    operationId: 'v1.authentication.logout',
    tag,
    summary: 'Revoke the app-portal token that makes this request',
    description:
      'An app-portal token or a dashboard session token. With the operator’s API token: 400 (it is set by configuration, not by a login).',
    responses: { 204: null },
  },
  {
    method: 'GET',
    path: '/api/v1/auth/session',
    operationId: 'hookline.authentication.session',
    tag,
    summary: 'Who the presented token is',
    description: 'The portal page reads its application and capabilities here.',
    hookline: true,
    responses: { 200: 'AuthSessionOut' },
  },
  {
    method: 'POST',
    path: '/api/v1/auth/dashboard-sign-in',
    operationId: 'hookline.authentication.dashboard-sign-in',
    tag,
    summary: 'Issue a one-time sign-in link to the operator dashboard',
    description: `Operator only (what \`hookline dashboard\` calls). The code works once, within ${SIGN_IN_CODE_TTL_S} s; the link carries it instead of the API token.`,
    hookline: true,
    responses: { 200: 'DashboardSignInOut' },
  },
  {
    method: 'POST',
    path: '/api/v1/auth/dashboard-sign-in/exchange',
    operationId: 'hookline.authentication.dashboard-sign-in-exchange',
    tag,
    summary: 'Trade a sign-in code for an operator session token',
    description:
      'No bearer token: the code is the credential. 401 `sign_in_code_invalid` when the code is unknown, used or expired. ' +
      '`POST /api/v1/auth/logout` with the session token revokes it.',
    hookline: true,
    public: true,
    moreErrors: ['401', '422'],
    body: { schema: 'DashboardSignInExchangeIn' },
    responses: { 200: 'DashboardSessionOut' },
  },
];
