-- Tenants' SIP trunks and the phone numbers they bring in (issue 15, ADR 0042).
-- A trunk's password is sealed (internal/secretbox, purpose "phone-trunk-password",
-- the trunk's id as additional data); it is never stored or answered in clear.
-- accept_from is a JSON array of address prefixes ("203.0.113.0/24").
CREATE TABLE phone_trunks (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    provider        TEXT NOT NULL DEFAULT '',
    transport       TEXT NOT NULL DEFAULT 'udp',
    username        TEXT NOT NULL DEFAULT '',
    password_sealed TEXT NOT NULL DEFAULT '',
    register        BOOLEAN NOT NULL DEFAULT FALSE,
    accept_from     TEXT NOT NULL DEFAULT '[]',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX phone_trunks_tenant ON phone_trunks (tenant_id, created_at);

-- A number belongs to one trunk of one tenant; the dialled number is what
-- tells an INVITE's tenant, so a number is unique across tenants. menu is
-- the keypad menu's JSON (internal/voice/ivr), '' for none; queue_id the
-- queue calls go to without a menu (and the menu's operator);
-- calendar_id the business hours outside which callers reach voicemail.
CREATE TABLE phone_numbers (
    number      TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    trunk_id    TEXT NOT NULL REFERENCES phone_trunks(id) ON DELETE CASCADE,
    queue_id    TEXT NOT NULL DEFAULT '',
    calendar_id TEXT NOT NULL DEFAULT '',
    menu        TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX phone_numbers_trunk ON phone_numbers (tenant_id, trunk_id, position);
