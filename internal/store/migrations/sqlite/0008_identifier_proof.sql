-- Identifier proof: how and when each identifier was proven, and claims —
-- addresses typed into a form without proof, kept apart so that identity
-- resolution (which reads persona_identifiers alone) never finds them.

ALTER TABLE persona_identifiers ADD COLUMN verified_by TEXT NOT NULL DEFAULT '';
ALTER TABLE persona_identifiers ADD COLUMN verified_at BIGINT;

-- What earlier versions marked verified was a signed widget user id.
UPDATE persona_identifiers SET verified_by = 'widget_signed_user', verified_at = created_at
    WHERE verified AND kind = 'external';
-- Addresses that mail or texts came from were proven the channel's way; the
-- rest (a pre-chat email, say) stay unproven, and the first proven contact
-- from them takes them over.
UPDATE persona_identifiers SET verified = TRUE, verified_by = 'mail_from_mailbox', verified_at = created_at
    WHERE NOT verified AND kind = 'email' AND EXISTS (SELECT 1 FROM conversations c JOIN messages m
        ON m.tenant_id = c.tenant_id AND m.conversation_id = c.id
        WHERE c.tenant_id = persona_identifiers.tenant_id AND c.persona_id = persona_identifiers.persona_id
        AND m.channel = 'email' AND m.direction = 'in' AND m.author_id = persona_identifiers.persona_id);
UPDATE persona_identifiers SET verified = TRUE, verified_by = 'sms_from_number', verified_at = created_at
    WHERE NOT verified AND kind = 'phone' AND EXISTS (SELECT 1 FROM conversations c JOIN messages m
        ON m.tenant_id = c.tenant_id AND m.conversation_id = c.id
        WHERE c.tenant_id = persona_identifiers.tenant_id AND c.persona_id = persona_identifiers.persona_id
        AND m.channel = 'sms' AND m.direction = 'in' AND m.author_id = persona_identifiers.persona_id);

-- A claim is the customer's word only: several personas may claim the same
-- address, and none is found by it.
CREATE TABLE persona_claims (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    persona_id TEXT NOT NULL REFERENCES personas(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    value      TEXT NOT NULL,
    method     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, persona_id, kind, value)
);
