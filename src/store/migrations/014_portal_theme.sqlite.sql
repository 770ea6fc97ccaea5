-- The portal's look, set when a link is issued (its pair: 014_portal_theme.pg.sql).
--
-- `portalTheme` on app-portal-access ({theme, accent, logo}, each optional and
-- checked by the API) is kept with the token as JSON, so the portal page
-- reads it from GET /api/v1/auth/session. NULL: none was given.
ALTER TABLE app_portal_tokens ADD COLUMN theme TEXT;
