--
-- PostgreSQL database dump
--


-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: switchboard_upgrade_fixture; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA switchboard_upgrade_fixture;


--
-- Name: river_job_state; Type: TYPE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TYPE switchboard_upgrade_fixture.river_job_state AS ENUM (
    'available',
    'cancelled',
    'completed',
    'discarded',
    'pending',
    'retryable',
    'running',
    'scheduled'
);


--
-- Name: river_job_state_in_bitmask(bit, switchboard_upgrade_fixture.river_job_state); Type: FUNCTION; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE FUNCTION switchboard_upgrade_fixture.river_job_state_in_bitmask(bitmask bit, state switchboard_upgrade_fixture.river_job_state) RETURNS boolean
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT CASE state
        WHEN 'available' THEN get_bit(bitmask, 7)
        WHEN 'cancelled' THEN get_bit(bitmask, 6)
        WHEN 'completed' THEN get_bit(bitmask, 5)
        WHEN 'discarded' THEN get_bit(bitmask, 4)
        WHEN 'pending'   THEN get_bit(bitmask, 3)
        WHEN 'retryable' THEN get_bit(bitmask, 2)
        WHEN 'running'   THEN get_bit(bitmask, 1)
        WHEN 'scheduled' THEN get_bit(bitmask, 0)
        ELSE 0
    END = 1;
$$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: api_keys; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.api_keys (
    id text NOT NULL,
    tenant_id text NOT NULL,
    name text NOT NULL,
    secret_hash text NOT NULL,
    scopes text NOT NULL,
    created_by text NOT NULL,
    created_at bigint NOT NULL,
    last_used_at bigint,
    revoked_at bigint
);


--
-- Name: attachments; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.attachments (
    id text NOT NULL,
    tenant_id text NOT NULL,
    name text NOT NULL,
    content_type text NOT NULL,
    size bigint NOT NULL,
    content_id text DEFAULT ''::text NOT NULL,
    data bytea NOT NULL,
    created_at bigint NOT NULL
);


--
-- Name: audit_log; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.audit_log (
    id text NOT NULL,
    tenant_id text NOT NULL,
    actor_type text NOT NULL,
    actor_id text NOT NULL,
    action text NOT NULL,
    target_type text NOT NULL,
    target_id text NOT NULL,
    detail text DEFAULT '{}'::text NOT NULL,
    remote_addr text DEFAULT ''::text NOT NULL,
    created_at bigint NOT NULL
);


--
-- Name: calendars; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.calendars (
    id text NOT NULL,
    tenant_id text NOT NULL,
    name text NOT NULL,
    config text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: callbacks; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.callbacks (
    id text NOT NULL,
    tenant_id text NOT NULL,
    persona_id text DEFAULT ''::text NOT NULL,
    conversation_id text DEFAULT ''::text NOT NULL,
    queue_id text DEFAULT ''::text NOT NULL,
    phone text NOT NULL,
    time_zone text DEFAULT ''::text NOT NULL,
    not_before bigint NOT NULL,
    not_after bigint DEFAULT 0 NOT NULL,
    state text NOT NULL,
    outcome text DEFAULT ''::text NOT NULL,
    attempts text DEFAULT '[]'::text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: canned_responses; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.canned_responses (
    id text NOT NULL,
    tenant_id text NOT NULL,
    owner_id text DEFAULT ''::text NOT NULL,
    shortcut text NOT NULL,
    title text DEFAULT ''::text NOT NULL,
    body text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: channel_accounts; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.channel_accounts (
    id text NOT NULL,
    tenant_id text NOT NULL,
    channel text NOT NULL,
    address text NOT NULL,
    name text DEFAULT ''::text NOT NULL,
    settings text DEFAULT '{}'::text NOT NULL,
    created_at bigint NOT NULL
);


--
-- Name: consent_records; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.consent_records (
    tenant_id text NOT NULL,
    persona_id text NOT NULL,
    seq bigint NOT NULL,
    scope text NOT NULL,
    granted boolean NOT NULL,
    previous boolean,
    source text NOT NULL,
    actor text NOT NULL,
    note text DEFAULT ''::text NOT NULL,
    note_salt text DEFAULT ''::text NOT NULL,
    note_digest text DEFAULT ''::text NOT NULL,
    at bigint NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL
);


--
-- Name: conversation_mentions; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.conversation_mentions (
    tenant_id text NOT NULL,
    user_id text NOT NULL,
    message_id text NOT NULL,
    conversation_id text NOT NULL,
    created_at bigint NOT NULL
);


--
-- Name: conversation_tags; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.conversation_tags (
    tenant_id text NOT NULL,
    conversation_id text NOT NULL,
    tag text NOT NULL
);


--
-- Name: conversation_threads; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.conversation_threads (
    tenant_id text NOT NULL,
    channel text NOT NULL,
    thread_key text NOT NULL,
    conversation_id text NOT NULL
);


--
-- Name: conversations; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.conversations (
    id text NOT NULL,
    tenant_id text NOT NULL,
    persona_id text NOT NULL,
    subject text DEFAULT ''::text NOT NULL,
    status text NOT NULL,
    priority integer DEFAULT 1 NOT NULL,
    assignee_id text DEFAULT ''::text NOT NULL,
    team text DEFAULT ''::text NOT NULL,
    channel text NOT NULL,
    modalities text DEFAULT ''::text NOT NULL,
    snoozed_until bigint,
    last_message_at bigint,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: events; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.events (
    seq bigint NOT NULL,
    id text NOT NULL,
    tenant_id text NOT NULL,
    type text NOT NULL,
    payload text NOT NULL,
    created_at bigint NOT NULL
);


--
-- Name: events_seq_seq; Type: SEQUENCE; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE switchboard_upgrade_fixture.events ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME switchboard_upgrade_fixture.events_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: idempotency_keys; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.idempotency_keys (
    tenant_id text NOT NULL,
    principal_id text NOT NULL,
    key text NOT NULL,
    method text NOT NULL,
    path text NOT NULL,
    request_hash text NOT NULL,
    status_code integer DEFAULT 0 NOT NULL,
    content_type text DEFAULT ''::text NOT NULL,
    response_body text DEFAULT ''::text NOT NULL,
    created_at bigint NOT NULL
);


--
-- Name: macros; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.macros (
    id text NOT NULL,
    tenant_id text NOT NULL,
    owner_id text DEFAULT ''::text NOT NULL,
    name text NOT NULL,
    actions text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: messages; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.messages (
    id text NOT NULL,
    tenant_id text NOT NULL,
    conversation_id text NOT NULL,
    kind text NOT NULL,
    direction text DEFAULT ''::text NOT NULL,
    channel text DEFAULT ''::text NOT NULL,
    author_type text NOT NULL,
    author_id text DEFAULT ''::text NOT NULL,
    body text DEFAULT ''::text NOT NULL,
    body_html text DEFAULT ''::text NOT NULL,
    attachments text DEFAULT '[]'::text NOT NULL,
    external_id text DEFAULT ''::text NOT NULL,
    status text NOT NULL,
    meta text DEFAULT '{}'::text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    search tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, body)) STORED
);


--
-- Name: notification_types; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.notification_types (
    tenant_id text NOT NULL,
    key text NOT NULL,
    name text NOT NULL,
    category text NOT NULL,
    channels text DEFAULT '[]'::text NOT NULL,
    reply_expected boolean DEFAULT false NOT NULL,
    send_time text DEFAULT ''::text NOT NULL,
    confirm_within_us bigint DEFAULT 0 NOT NULL,
    default_language text DEFAULT ''::text NOT NULL,
    templates text DEFAULT '{}'::text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: notify_deliveries; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.notify_deliveries (
    tenant_id text NOT NULL,
    id text NOT NULL,
    event_id text NOT NULL,
    persona_id text NOT NULL,
    type_key text NOT NULL,
    category text NOT NULL,
    channels text DEFAULT '[]'::text NOT NULL,
    channel_index integer DEFAULT 0 NOT NULL,
    channel text DEFAULT ''::text NOT NULL,
    status text NOT NULL,
    due_at bigint,
    lease_until bigint,
    claimed_from text DEFAULT ''::text NOT NULL,
    expires_at bigint,
    tries integer DEFAULT 0 NOT NULL,
    reasons text DEFAULT '[]'::text NOT NULL,
    broke_quiet boolean DEFAULT false NOT NULL,
    language text DEFAULT ''::text NOT NULL,
    retrieval text DEFAULT ''::text NOT NULL,
    response text DEFAULT ''::text NOT NULL,
    reply_expected boolean DEFAULT false NOT NULL,
    subject text DEFAULT ''::text NOT NULL,
    body text DEFAULT ''::text NOT NULL,
    external_id text DEFAULT ''::text NOT NULL,
    conversation_id text DEFAULT ''::text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: notify_events; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.notify_events (
    tenant_id text NOT NULL,
    id text NOT NULL,
    type_key text NOT NULL,
    data text DEFAULT '{}'::text NOT NULL,
    idempotency_key text DEFAULT ''::text NOT NULL,
    send_at bigint,
    expires_at bigint,
    recipients integer DEFAULT 0 NOT NULL,
    created_at bigint NOT NULL
);


--
-- Name: notify_prefs; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.notify_prefs (
    tenant_id text NOT NULL,
    persona_id text NOT NULL,
    prefs text NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: notify_response_hours; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.notify_response_hours (
    tenant_id text NOT NULL,
    persona_id text NOT NULL,
    hour_of_week integer NOT NULL,
    n integer NOT NULL
);


--
-- Name: notify_settings; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.notify_settings (
    tenant_id text NOT NULL,
    settings text NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: notify_steps; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.notify_steps (
    tenant_id text NOT NULL,
    delivery_id text NOT NULL,
    seq integer NOT NULL,
    at bigint NOT NULL,
    status text NOT NULL,
    channel text DEFAULT ''::text NOT NULL,
    detail text DEFAULT ''::text NOT NULL
);


--
-- Name: persona_identifiers; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.persona_identifiers (
    tenant_id text NOT NULL,
    kind text NOT NULL,
    value text NOT NULL,
    persona_id text NOT NULL,
    verified boolean DEFAULT false NOT NULL,
    created_at bigint NOT NULL
);


--
-- Name: persona_merges; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.persona_merges (
    id text NOT NULL,
    tenant_id text NOT NULL,
    survivor_id text NOT NULL,
    merged_id text NOT NULL,
    moved text NOT NULL,
    actor_id text NOT NULL,
    created_at bigint NOT NULL,
    undone_at bigint
);


--
-- Name: personas; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.personas (
    id text NOT NULL,
    tenant_id text NOT NULL,
    name text DEFAULT ''::text NOT NULL,
    time_zone text DEFAULT ''::text NOT NULL,
    language text DEFAULT ''::text NOT NULL,
    attributes text DEFAULT '{}'::text NOT NULL,
    merged_into text,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: portal_codes; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.portal_codes (
    id text NOT NULL,
    identifier text NOT NULL,
    code_hash text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    expires_at bigint NOT NULL,
    used_at bigint,
    created_at bigint NOT NULL
);


--
-- Name: portal_sessions; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.portal_sessions (
    token_hash text NOT NULL,
    identifier text DEFAULT ''::text NOT NULL,
    tenant_id text DEFAULT ''::text NOT NULL,
    persona_id text DEFAULT ''::text NOT NULL,
    expires_at bigint NOT NULL,
    created_at bigint NOT NULL
);


--
-- Name: presence_states; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.presence_states (
    tenant_id text NOT NULL,
    name text NOT NULL,
    routable boolean DEFAULT false NOT NULL,
    created_at bigint NOT NULL
);


--
-- Name: push_subscriptions; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.push_subscriptions (
    tenant_id text NOT NULL,
    id text NOT NULL,
    persona_id text NOT NULL,
    endpoint text NOT NULL,
    p256dh text NOT NULL,
    auth text NOT NULL,
    user_agent text DEFAULT ''::text NOT NULL,
    created_at bigint NOT NULL
);


--
-- Name: river_job; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.river_job (
    id bigint NOT NULL,
    state switchboard_upgrade_fixture.river_job_state DEFAULT 'available'::switchboard_upgrade_fixture.river_job_state NOT NULL,
    attempt smallint DEFAULT 0 NOT NULL,
    max_attempts smallint DEFAULT 25 NOT NULL,
    attempted_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    finalized_at timestamp with time zone,
    scheduled_at timestamp with time zone DEFAULT now() NOT NULL,
    priority smallint DEFAULT 1 NOT NULL,
    args jsonb NOT NULL,
    attempted_by text[],
    errors jsonb[],
    kind text NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    queue text DEFAULT 'default'::text NOT NULL,
    tags character varying(255)[] DEFAULT '{}'::character varying[] NOT NULL,
    unique_key bytea,
    unique_states bit(8),
    CONSTRAINT finalized_or_finalized_at_null CHECK ((((finalized_at IS NULL) AND (state <> ALL (ARRAY['cancelled'::switchboard_upgrade_fixture.river_job_state, 'completed'::switchboard_upgrade_fixture.river_job_state, 'discarded'::switchboard_upgrade_fixture.river_job_state]))) OR ((finalized_at IS NOT NULL) AND (state = ANY (ARRAY['cancelled'::switchboard_upgrade_fixture.river_job_state, 'completed'::switchboard_upgrade_fixture.river_job_state, 'discarded'::switchboard_upgrade_fixture.river_job_state]))))),
    CONSTRAINT kind_length CHECK (((char_length(kind) > 0) AND (char_length(kind) < 128))),
    CONSTRAINT max_attempts_is_positive CHECK ((max_attempts > 0)),
    CONSTRAINT priority_in_range CHECK (((priority >= 1) AND (priority <= 4))),
    CONSTRAINT queue_length CHECK (((char_length(queue) > 0) AND (char_length(queue) < 128)))
);


--
-- Name: river_job_id_seq; Type: SEQUENCE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE SEQUENCE switchboard_upgrade_fixture.river_job_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: river_job_id_seq; Type: SEQUENCE OWNED BY; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER SEQUENCE switchboard_upgrade_fixture.river_job_id_seq OWNED BY switchboard_upgrade_fixture.river_job.id;


--
-- Name: river_leader; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE UNLOGGED TABLE switchboard_upgrade_fixture.river_leader (
    elected_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    leader_id text NOT NULL,
    name text DEFAULT 'default'::text NOT NULL,
    CONSTRAINT leader_id_length CHECK (((char_length(leader_id) > 0) AND (char_length(leader_id) < 128))),
    CONSTRAINT name_length CHECK ((name = 'default'::text))
);


--
-- Name: river_migration; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.river_migration (
    line text NOT NULL,
    version bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT line_length CHECK (((char_length(line) > 0) AND (char_length(line) < 128))),
    CONSTRAINT version_gte_1 CHECK ((version >= 1))
);


--
-- Name: river_notification; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.river_notification (
    id bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    payload text NOT NULL,
    topic text NOT NULL,
    CONSTRAINT topic_length CHECK (((length(topic) > 0) AND (length(topic) < 128)))
);


--
-- Name: river_notification_id_seq; Type: SEQUENCE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE SEQUENCE switchboard_upgrade_fixture.river_notification_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: river_notification_id_seq; Type: SEQUENCE OWNED BY; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER SEQUENCE switchboard_upgrade_fixture.river_notification_id_seq OWNED BY switchboard_upgrade_fixture.river_notification.id;


--
-- Name: river_queue; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.river_queue (
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    paused_at timestamp with time zone,
    updated_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL
);


--
-- Name: routing_agents; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.routing_agents (
    tenant_id text NOT NULL,
    user_id text NOT NULL,
    config text NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: routing_decisions; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.routing_decisions (
    id text NOT NULL,
    tenant_id text NOT NULL,
    work_id text DEFAULT ''::text NOT NULL,
    conversation_id text DEFAULT ''::text NOT NULL,
    kind text NOT NULL,
    agent_id text DEFAULT ''::text NOT NULL,
    queue_id text DEFAULT ''::text NOT NULL,
    offer_id text DEFAULT ''::text NOT NULL,
    reason text DEFAULT ''::text NOT NULL,
    at bigint NOT NULL
);


--
-- Name: routing_offers; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.routing_offers (
    id text NOT NULL,
    tenant_id text NOT NULL,
    work_id text NOT NULL,
    agent_id text NOT NULL,
    state text NOT NULL,
    reason text DEFAULT ''::text NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    decided_at bigint DEFAULT 0 NOT NULL
);


--
-- Name: routing_queues; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.routing_queues (
    id text NOT NULL,
    tenant_id text NOT NULL,
    name text NOT NULL,
    config text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: routing_work; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.routing_work (
    id text NOT NULL,
    tenant_id text NOT NULL,
    conversation_id text DEFAULT ''::text NOT NULL,
    kind text NOT NULL,
    queue_id text DEFAULT ''::text NOT NULL,
    modality text NOT NULL,
    priority integer DEFAULT 0 NOT NULL,
    state text NOT NULL,
    agent_id text DEFAULT ''::text NOT NULL,
    data text NOT NULL,
    arrived_at bigint NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: schema_migrations; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.schema_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    applied_at bigint NOT NULL
);


--
-- Name: sessions; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.sessions (
    token_hash text NOT NULL,
    tenant_id text NOT NULL,
    user_id text NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    last_seen_at bigint NOT NULL,
    user_agent text DEFAULT ''::text NOT NULL
);


--
-- Name: settings; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.settings (
    key text NOT NULL,
    value text NOT NULL
);


--
-- Name: sla_clocks; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.sla_clocks (
    tenant_id text NOT NULL,
    conversation_id text NOT NULL,
    target text NOT NULL,
    policy_id text DEFAULT ''::text NOT NULL,
    state text NOT NULL,
    breached boolean DEFAULT false NOT NULL,
    started_at bigint NOT NULL,
    warn_at bigint DEFAULT 0 NOT NULL,
    due_at bigint DEFAULT 0 NOT NULL,
    done_at bigint DEFAULT 0 NOT NULL
);


--
-- Name: sla_policies; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.sla_policies (
    id text NOT NULL,
    tenant_id text NOT NULL,
    name text NOT NULL,
    config text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: sms_optouts; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.sms_optouts (
    tenant_id text NOT NULL,
    business_number text NOT NULL,
    customer_number text NOT NULL,
    opted_out boolean NOT NULL,
    keyword text NOT NULL,
    changed_at bigint NOT NULL
);


--
-- Name: tenants; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.tenants (
    id text NOT NULL,
    slug text NOT NULL,
    name text NOT NULL,
    sandbox boolean DEFAULT false NOT NULL,
    created_at bigint NOT NULL
);


--
-- Name: users; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.users (
    id text NOT NULL,
    tenant_id text NOT NULL,
    email text NOT NULL,
    name text NOT NULL,
    role text NOT NULL,
    password_hash text NOT NULL,
    presence text DEFAULT 'offline'::text NOT NULL,
    disabled boolean DEFAULT false NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    presence_since bigint DEFAULT 0 NOT NULL
);


--
-- Name: webhook_attempts; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.webhook_attempts (
    id text NOT NULL,
    tenant_id text NOT NULL,
    delivery_id text NOT NULL,
    attempt integer NOT NULL,
    started_at bigint NOT NULL,
    duration_us bigint NOT NULL,
    status_code integer DEFAULT 0 NOT NULL,
    response_body text DEFAULT ''::text NOT NULL,
    error text DEFAULT ''::text NOT NULL
);


--
-- Name: webhook_deliveries; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.webhook_deliveries (
    id text NOT NULL,
    tenant_id text NOT NULL,
    endpoint_id text NOT NULL,
    event_id text NOT NULL,
    event_type text NOT NULL,
    payload text NOT NULL,
    status text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    last_status_code integer DEFAULT 0 NOT NULL,
    last_error text DEFAULT ''::text NOT NULL,
    next_attempt_at bigint,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: webhook_endpoints; Type: TABLE; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE TABLE switchboard_upgrade_fixture.webhook_endpoints (
    id text NOT NULL,
    tenant_id text NOT NULL,
    url text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    secret text NOT NULL,
    event_types text NOT NULL,
    active boolean DEFAULT true NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: river_job id; Type: DEFAULT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.river_job ALTER COLUMN id SET DEFAULT nextval('switchboard_upgrade_fixture.river_job_id_seq'::regclass);


--
-- Name: river_notification id; Type: DEFAULT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.river_notification ALTER COLUMN id SET DEFAULT nextval('switchboard_upgrade_fixture.river_notification_id_seq'::regclass);


--
-- Data for Name: api_keys; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.api_keys VALUES ('01a24a40-b439-738f-b65e-22ae2449d42f', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'CRM', '316e621c8615ce6fdf3586b2e2b1a131cc61fd42b04dfc629d8458f0d0b2e961', 'conversations:write', '01a24a40-aaa0-7e74-9f73-30f149804831', 1796542084153235, NULL, NULL);


--
-- Data for Name: attachments; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.attachments VALUES ('01a24a40-b364-7b11-8cb3-ef8f3d13fca9', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'statement.pdf', 'application/pdf', 33, '', '\x255044462d312e3420666978747572652073746174656d656e740a2525454f460a', 1796542083931675);


--
-- Data for Name: audit_log; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.audit_log VALUES ('01a24a40-aaa3-7b8a-a824-553d8bbe6b45', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'system', 'setup', 'user.create', 'user', '01a24a40-aaa0-7e74-9f73-30f149804831', '{"email":"admin@northwind.example","role":"admin"}', '', 1796542081696940);
INSERT INTO switchboard_upgrade_fixture.audit_log VALUES ('01a24a40-acdf-7b76-bb8b-c4b9ec709d7a', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'system', 'demo', 'user.create', 'user', '01a24a40-acde-7a58-8921-ed632bd1ce4c', '{"email":"supervisor@northwind.example","role":"supervisor"}', '', 1796542082270638);
INSERT INTO switchboard_upgrade_fixture.audit_log VALUES ('01a24a40-aebd-7d29-bade-c0ddbf306c0b', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'system', 'demo', 'user.create', 'user', '01a24a40-aebc-7ed6-9b40-afa16546bb3b', '{"email":"ana@northwind.example","role":"agent"}', '', 1796542082748950);
INSERT INTO switchboard_upgrade_fixture.audit_log VALUES ('01a24a40-aee3-73e5-9f9f-63cff1197c5b', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'system', 'demo', 'user.create', 'user', '01a24a40-aee2-7707-a395-27ad92638fbc', '{"email":"ben@northwind.example","role":"agent"}', '', 1796542082786454);
INSERT INTO switchboard_upgrade_fixture.audit_log VALUES ('01a24a40-af68-70b1-80d7-0d9803217d1a', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'system', 'demo', 'user.create', 'user', '01a24a40-af67-749c-83f3-df8a76a4db6f', '{"email":"chloe@northwind.example","role":"agent"}', '', 1796542082919296);
INSERT INTO switchboard_upgrade_fixture.audit_log VALUES ('01a24a40-b011-79c3-a96a-210855f0b1b8', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'system', 'demo', 'user.create', 'user', '01a24a40-b010-7d23-a936-65a36c4e5afd', '{"email":"erik@northwind.example","role":"expert"}', '', 1796542083088855);
INSERT INTO switchboard_upgrade_fixture.audit_log VALUES ('01a24a40-b2a1-7788-8b1c-46b5ed28999a', '01a24a40-b1af-75e6-9977-6ab0b80e7420', 'system', 'setup', 'user.create', 'user', '01a24a40-b29d-7064-bae4-72b0707aa7ad', '{"email":"admin@riverside.example","role":"admin"}', '', 1796542083741017);
INSERT INTO switchboard_upgrade_fixture.audit_log VALUES ('01a24a40-b43b-75e1-a769-609ea795b136', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'user', '01a24a40-aaa0-7e74-9f73-30f149804831', 'api_key.create', 'api_key', '01a24a40-b439-738f-b65e-22ae2449d42f', '{"name":"CRM","scopes":["conversations:write"]}', '', 1796542084153235);


--
-- Data for Name: calendars; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.calendars VALUES ('01a24a40-b030-784c-a1f5-ac296b41f075', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'Lisbon office', '{"time_zone":"Europe/Lisbon","hours":{"fri":[["08:00","20:00"]],"mon":[["08:00","20:00"]],"thu":[["08:00","20:00"]],"tue":[["08:00","20:00"]],"wed":[["08:00","20:00"]]},"holidays":[{"date":"2026-12-25","name":"Christmas Day"},{"date":"2027-01-01","name":"New Year''s Day"}]}', 1796542083120541, 1796542083120541);


--
-- Data for Name: callbacks; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--



--
-- Data for Name: canned_responses; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.canned_responses VALUES ('01a24a40-b139-72ac-bae3-c982485f817e', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', '', 'hello', 'Greeting', 'Hi {{customer.first_name}}, this is {{agent.first_name}} from {{tenant.name}}. How can I help?', 1796542083385172, 1796542083385172);
INSERT INTO switchboard_upgrade_fixture.canned_responses VALUES ('01a24a40-b147-734c-b10c-f8a042fcbcf1', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', '', 'card-blocked', 'Card blocked abroad', 'Hi {{customer.first_name}}, I have unblocked your card for use abroad; please try the payment again in a few minutes.', 1796542083399214, 1796542083399214);
INSERT INTO switchboard_upgrade_fixture.canned_responses VALUES ('01a24a40-b14a-729f-9b40-03bded84a1a6', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', '', 'bye', 'Closing', 'Thank you for contacting {{tenant.name}}, {{customer.first_name}}. Have a good day!', 1796542083402169, 1796542083402169);


--
-- Data for Name: channel_accounts; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.channel_accounts VALUES ('01a24a40-b099-725a-a515-da990f12aa52', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'webchat', 'wk_northwind_demo', 'Website chat', '{"allowed_origins":"*","greeting":"Hi! Ask us anything about your accounts and cards.","identity_secret":"northwind-demo-identity-secret","title":"Northwind Bank"}', 1796542083225155);
INSERT INTO switchboard_upgrade_fixture.channel_accounts VALUES ('01a24a40-b0a0-7c3d-8c71-e611e65c6133', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'email', 'support@northwind.example', 'Northwind Support', '{}', 1796542083232810);
INSERT INTO switchboard_upgrade_fixture.channel_accounts VALUES ('01a24a40-b2e0-7f1b-a290-6c70533c80d7', '01a24a40-b1af-75e6-9977-6ab0b80e7420', 'email', 'care@riverside.example', 'Riverside Clinic', '{}', 1796542083808998);


--
-- Data for Name: consent_records; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--



--
-- Data for Name: conversation_mentions; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--



--
-- Data for Name: conversation_tags; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--



--
-- Data for Name: conversation_threads; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.conversation_threads VALUES ('01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'email', '<fixture-1@example.com>', '01a24a40-b364-758f-a406-d4f15317caa8');


--
-- Data for Name: conversations; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.conversations VALUES ('01a24a40-b0d2-756f-8264-92b49cd03d9f', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', '01a24a40-b0af-73ab-91c8-7fb9fd2681fd', 'Card declined abroad', 'open', 1, '', '', 'email', 'email', NULL, 1796542083243449, 1796542083282302, 1796542083243449);
INSERT INTO switchboard_upgrade_fixture.conversations VALUES ('01a24a40-b113-7d0d-b965-3af7a08515d4', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', '01a24a40-b109-7568-8143-7ad2e3ae6572', 'Hi, how long does a transfer to Morocco take?', 'open', 1, '', '', 'webchat', 'webchat', NULL, 1796542083334248, 1796542083347853, 1796542083334248);
INSERT INTO switchboard_upgrade_fixture.conversations VALUES ('01a24a40-b123-7128-9421-340934b876f4', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', '01a24a40-b121-78ec-ae7c-18bbafb70c98', 'Mortgage application 1042: the customer asks when the valuation is booked.', 'open', 1, '', '', 'api', 'api', NULL, 1796542083361353, 1796542083363073, 1796542083361353);
INSERT INTO switchboard_upgrade_fixture.conversations VALUES ('01a24a40-b2ff-7707-8dd5-fd240f77271a', '01a24a40-b1af-75e6-9977-6ab0b80e7420', '01a24a40-b2ef-71b4-ba1e-c3f06e8c0bee', 'Blood test results', 'open', 1, '', '', 'email', 'email', NULL, 1796542083822338, 1796542083839455, 1796542083822338);
INSERT INTO switchboard_upgrade_fixture.conversations VALUES ('01a24a40-b364-758f-a406-d4f15317caa8', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', '01a24a40-b35c-73ee-83c5-2fd26cf71358', 'Statement for November', 'open', 1, '', '', 'email', 'email', NULL, 1796542084048641, 1796542083940359, 1796542084048641);


--
-- Data for Name: events; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.events OVERRIDING SYSTEM VALUE VALUES (1, '01a24a40-aaad-7b9b-bf58-68ed8635d4c7', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'user.created', '{"id":"01a24a40-aaa0-7e74-9f73-30f149804831","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","email":"admin@northwind.example","name":"Nadia Admin","role":"admin","presence":"offline","disabled":false,"created_at":"2026-12-06T07:28:01.696940849Z","updated_at":"2026-12-06T07:28:01.696940849Z"}', 1796542081709762);
INSERT INTO switchboard_upgrade_fixture.events OVERRIDING SYSTEM VALUE VALUES (2, '01a24a40-ace0-7344-b0fa-e812ed92098c', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'user.created', '{"id":"01a24a40-acde-7a58-8921-ed632bd1ce4c","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","email":"supervisor@northwind.example","name":"Sam Supervisor","role":"supervisor","presence":"offline","disabled":false,"created_at":"2026-12-06T07:28:02.270638569Z","updated_at":"2026-12-06T07:28:02.270638569Z"}', 1796542082272215);
INSERT INTO switchboard_upgrade_fixture.events OVERRIDING SYSTEM VALUE VALUES (3, '01a24a40-aebe-7232-b6f4-dddc61009492', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'user.created', '{"id":"01a24a40-aebc-7ed6-9b40-afa16546bb3b","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","email":"ana@northwind.example","name":"Ana Agent","role":"agent","presence":"offline","disabled":false,"created_at":"2026-12-06T07:28:02.748950424Z","updated_at":"2026-12-06T07:28:02.748950424Z"}', 1796542082750144);
INSERT INTO switchboard_upgrade_fixture.events OVERRIDING SYSTEM VALUE VALUES (4, '01a24a40-aee3-788c-80dd-c62e38020585', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'user.created', '{"id":"01a24a40-aee2-7707-a395-27ad92638fbc","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","email":"ben@northwind.example","name":"Ben Agent","role":"agent","presence":"offline","disabled":false,"created_at":"2026-12-06T07:28:02.786454845Z","updated_at":"2026-12-06T07:28:02.786454845Z"}', 1796542082787561);
INSERT INTO switchboard_upgrade_fixture.events OVERRIDING SYSTEM VALUE VALUES (5, '01a24a40-af68-79c6-ab04-d65ca92bce75', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'user.created', '{"id":"01a24a40-af67-749c-83f3-df8a76a4db6f","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","email":"chloe@northwind.example","name":"Chloé Agent","role":"agent","presence":"offline","disabled":false,"created_at":"2026-12-06T07:28:02.91929622Z","updated_at":"2026-12-06T07:28:02.91929622Z"}', 1796542082920641);
INSERT INTO switchboard_upgrade_fixture.events OVERRIDING SYSTEM VALUE VALUES (6, '01a24a40-b01b-758d-88eb-15812ee66a4a', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'user.created', '{"id":"01a24a40-b010-7d23-a936-65a36c4e5afd","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","email":"erik@northwind.example","name":"Erik Expert","role":"expert","presence":"offline","disabled":false,"created_at":"2026-12-06T07:28:03.088855208Z","updated_at":"2026-12-06T07:28:03.088855208Z"}', 1796542083099365);
INSERT INTO switchboard_upgrade_fixture.events OVERRIDING SYSTEM VALUE VALUES (7, '01a24a40-b0f0-7026-9c1e-f2ffcce58d89', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'conversation.created', '{"id":"01a24a40-b0d2-756f-8264-92b49cd03d9f","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","persona_id":"01a24a40-b0af-73ab-91c8-7fb9fd2681fd","subject":"Card declined abroad","status":"open","priority":1,"assignee_id":"","team":"","channel":"email","modalities":["email"],"tags":[],"last_message_at":"2026-12-06T07:28:03.243449055Z","created_at":"2026-12-06T07:28:03.282302455Z","updated_at":"2026-12-06T07:28:03.243449055Z"}', 1796542083312011);
INSERT INTO switchboard_upgrade_fixture.events OVERRIDING SYSTEM VALUE VALUES (8, '01a24a40-b0f0-7f3f-b8f4-2e3ea7045368', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'message.created', '{"message":{"id":"01a24a40-b0da-75ad-a399-f712865dcdb7","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","conversation_id":"01a24a40-b0d2-756f-8264-92b49cd03d9f","kind":"message","direction":"in","channel":"email","author_type":"persona","author_id":"01a24a40-b0af-73ab-91c8-7fb9fd2681fd","body":"Hello, my card was declined twice in Lisbon today. Can you check?","attachments":[],"external_id":"demo-1@example.com","status":"received","created_at":"2026-12-06T07:28:03.243449055Z","updated_at":"2026-12-06T07:28:03.243449055Z"},"conversation":{"id":"01a24a40-b0d2-756f-8264-92b49cd03d9f","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","persona_id":"01a24a40-b0af-73ab-91c8-7fb9fd2681fd","subject":"Card declined abroad","status":"open","priority":1,"assignee_id":"","team":"","channel":"email","modalities":["email"],"tags":[],"last_message_at":"2026-12-06T07:28:03.243449055Z","created_at":"2026-12-06T07:28:03.282302455Z","updated_at":"2026-12-06T07:28:03.243449055Z"}}', 1796542083312999);
INSERT INTO switchboard_upgrade_fixture.events OVERRIDING SYSTEM VALUE VALUES (9, '01a24a40-b115-7928-a005-473586a765ea', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'conversation.created', '{"id":"01a24a40-b113-7d0d-b965-3af7a08515d4","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","persona_id":"01a24a40-b109-7568-8143-7ad2e3ae6572","subject":"Hi, how long does a transfer to Morocco take?","status":"open","priority":1,"assignee_id":"","team":"","channel":"webchat","modalities":["webchat"],"tags":[],"last_message_at":"2026-12-06T07:28:03.33424813Z","created_at":"2026-12-06T07:28:03.347853762Z","updated_at":"2026-12-06T07:28:03.33424813Z"}', 1796542083349600);
INSERT INTO switchboard_upgrade_fixture.events OVERRIDING SYSTEM VALUE VALUES (10, '01a24a40-b116-7245-b8fb-c2c64203d54e', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'message.created', '{"message":{"id":"01a24a40-b114-74a4-96c2-0d60651e8616","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","conversation_id":"01a24a40-b113-7d0d-b965-3af7a08515d4","kind":"message","direction":"in","channel":"webchat","author_type":"persona","author_id":"01a24a40-b109-7568-8143-7ad2e3ae6572","body":"Hi, how long does a transfer to Morocco take?","attachments":[],"status":"received","meta":{"page":{"title":"International transfers","url":"https://northwind.example/transfers"}},"created_at":"2026-12-06T07:28:03.33424813Z","updated_at":"2026-12-06T07:28:03.33424813Z"},"conversation":{"id":"01a24a40-b113-7d0d-b965-3af7a08515d4","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","persona_id":"01a24a40-b109-7568-8143-7ad2e3ae6572","subject":"Hi, how long does a transfer to Morocco take?","status":"open","priority":1,"assignee_id":"","team":"","channel":"webchat","modalities":["webchat"],"tags":[],"last_message_at":"2026-12-06T07:28:03.33424813Z","created_at":"2026-12-06T07:28:03.347853762Z","updated_at":"2026-12-06T07:28:03.33424813Z"}}', 1796542083350149);
INSERT INTO switchboard_upgrade_fixture.events OVERRIDING SYSTEM VALUE VALUES (11, '01a24a40-b129-7bd8-9048-68732b6aea9b', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'conversation.created', '{"id":"01a24a40-b123-7128-9421-340934b876f4","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","persona_id":"01a24a40-b121-78ec-ae7c-18bbafb70c98","subject":"Mortgage application 1042: the customer asks when the valuation is booked.","status":"open","priority":1,"assignee_id":"","team":"","channel":"api","modalities":["api"],"tags":[],"last_message_at":"2026-12-06T07:28:03.361353763Z","created_at":"2026-12-06T07:28:03.363073998Z","updated_at":"2026-12-06T07:28:03.361353763Z"}', 1796542083369777);
INSERT INTO switchboard_upgrade_fixture.events OVERRIDING SYSTEM VALUE VALUES (12, '01a24a40-b12a-73fc-8bdb-8d6d82f3473a', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'message.created', '{"message":{"id":"01a24a40-b123-76c3-92cb-488a49267cfa","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","conversation_id":"01a24a40-b123-7128-9421-340934b876f4","kind":"message","direction":"in","channel":"api","author_type":"persona","author_id":"01a24a40-b121-78ec-ae7c-18bbafb70c98","body":"Mortgage application 1042: the customer asks when the valuation is booked.","attachments":[],"external_id":"crm-note-1042","status":"received","created_at":"2026-12-06T07:28:03.361353763Z","updated_at":"2026-12-06T07:28:03.361353763Z"},"conversation":{"id":"01a24a40-b123-7128-9421-340934b876f4","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","persona_id":"01a24a40-b121-78ec-ae7c-18bbafb70c98","subject":"Mortgage application 1042: the customer asks when the valuation is booked.","status":"open","priority":1,"assignee_id":"","team":"","channel":"api","modalities":["api"],"tags":[],"last_message_at":"2026-12-06T07:28:03.361353763Z","created_at":"2026-12-06T07:28:03.363073998Z","updated_at":"2026-12-06T07:28:03.361353763Z"}}', 1796542083370261);
INSERT INTO switchboard_upgrade_fixture.events OVERRIDING SYSTEM VALUE VALUES (13, '01a24a40-b2ab-7335-aeae-492222e0456b', '01a24a40-b1af-75e6-9977-6ab0b80e7420', 'user.created', '{"id":"01a24a40-b29d-7064-bae4-72b0707aa7ad","tenant_id":"01a24a40-b1af-75e6-9977-6ab0b80e7420","email":"admin@riverside.example","name":"Clinic Admin","role":"admin","presence":"offline","disabled":false,"created_at":"2026-12-06T07:28:03.741017971Z","updated_at":"2026-12-06T07:28:03.741017971Z"}', 1796542083755212);
INSERT INTO switchboard_upgrade_fixture.events OVERRIDING SYSTEM VALUE VALUES (14, '01a24a40-b304-7f06-ae0d-6c3b93dfc4ba', '01a24a40-b1af-75e6-9977-6ab0b80e7420', 'conversation.created', '{"id":"01a24a40-b2ff-7707-8dd5-fd240f77271a","tenant_id":"01a24a40-b1af-75e6-9977-6ab0b80e7420","persona_id":"01a24a40-b2ef-71b4-ba1e-c3f06e8c0bee","subject":"Blood test results","status":"open","priority":1,"assignee_id":"","team":"","channel":"email","modalities":["email"],"tags":[],"last_message_at":"2026-12-06T07:28:03.82233824Z","created_at":"2026-12-06T07:28:03.839455368Z","updated_at":"2026-12-06T07:28:03.82233824Z"}', 1796542083844986);
INSERT INTO switchboard_upgrade_fixture.events OVERRIDING SYSTEM VALUE VALUES (15, '01a24a40-b307-70d9-bc55-3e3a4ff41271', '01a24a40-b1af-75e6-9977-6ab0b80e7420', 'message.created', '{"message":{"id":"01a24a40-b2ff-7d15-abdf-6e0811b02bc0","tenant_id":"01a24a40-b1af-75e6-9977-6ab0b80e7420","conversation_id":"01a24a40-b2ff-7707-8dd5-fd240f77271a","kind":"message","direction":"in","channel":"email","author_type":"persona","author_id":"01a24a40-b2ef-71b4-ba1e-c3f06e8c0bee","body":"Hello, are my blood test results in yet?","attachments":[],"external_id":"demo-clinic-1@example.com","status":"received","created_at":"2026-12-06T07:28:03.82233824Z","updated_at":"2026-12-06T07:28:03.82233824Z"},"conversation":{"id":"01a24a40-b2ff-7707-8dd5-fd240f77271a","tenant_id":"01a24a40-b1af-75e6-9977-6ab0b80e7420","persona_id":"01a24a40-b2ef-71b4-ba1e-c3f06e8c0bee","subject":"Blood test results","status":"open","priority":1,"assignee_id":"","team":"","channel":"email","modalities":["email"],"tags":[],"last_message_at":"2026-12-06T07:28:03.82233824Z","created_at":"2026-12-06T07:28:03.839455368Z","updated_at":"2026-12-06T07:28:03.82233824Z"}}', 1796542083847056);
INSERT INTO switchboard_upgrade_fixture.events OVERRIDING SYSTEM VALUE VALUES (16, '01a24a40-b377-7ba4-a2f9-a136d438dd41', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'conversation.created', '{"id":"01a24a40-b364-758f-a406-d4f15317caa8","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","persona_id":"01a24a40-b35c-73ee-83c5-2fd26cf71358","subject":"Statement for November","status":"open","priority":1,"assignee_id":"","team":"","channel":"email","modalities":["email"],"tags":[],"last_message_at":"2026-12-06T07:28:03.931675828Z","created_at":"2026-12-06T07:28:03.94035927Z","updated_at":"2026-12-06T07:28:03.931675828Z"}', 1796542083959765);
INSERT INTO switchboard_upgrade_fixture.events OVERRIDING SYSTEM VALUE VALUES (17, '01a24a40-b3b9-7200-ac75-e835cadf5874', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'message.created', '{"message":{"id":"01a24a40-b364-7b0c-91ac-00a8e931a9d7","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","conversation_id":"01a24a40-b364-758f-a406-d4f15317caa8","kind":"message","direction":"in","channel":"email","author_type":"persona","author_id":"01a24a40-b35c-73ee-83c5-2fd26cf71358","body":"My payment was declined; the statement is attached.","attachments":[{"id":"01a24a40-b364-7b11-8cb3-ef8f3d13fca9","name":"statement.pdf","content_type":"application/pdf","size":33}],"external_id":"\u003cfixture-1@example.com\u003e","status":"received","created_at":"2026-12-06T07:28:03.931675828Z","updated_at":"2026-12-06T07:28:03.931675828Z"},"conversation":{"id":"01a24a40-b364-758f-a406-d4f15317caa8","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","persona_id":"01a24a40-b35c-73ee-83c5-2fd26cf71358","subject":"Statement for November","status":"open","priority":1,"assignee_id":"","team":"","channel":"email","modalities":["email"],"tags":[],"last_message_at":"2026-12-06T07:28:03.931675828Z","created_at":"2026-12-06T07:28:03.94035927Z","updated_at":"2026-12-06T07:28:03.931675828Z"}}', 1796542084025133);
INSERT INTO switchboard_upgrade_fixture.events OVERRIDING SYSTEM VALUE VALUES (18, '01a24a40-b3e9-794d-9e22-3ff6cdad5865', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'message.created', '{"message":{"id":"01a24a40-b3e5-7ee9-a186-761c88ef423a","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","conversation_id":"01a24a40-b364-758f-a406-d4f15317caa8","kind":"message","direction":"in","channel":"email","author_type":"persona","author_id":"01a24a40-b35c-73ee-83c5-2fd26cf71358","body":"Any news on this?","attachments":[],"external_id":"\u003cfixture-2@example.com\u003e","status":"received","created_at":"2026-12-06T07:28:04.048641599Z","updated_at":"2026-12-06T07:28:04.048641599Z"},"conversation":{"id":"01a24a40-b364-758f-a406-d4f15317caa8","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","persona_id":"01a24a40-b35c-73ee-83c5-2fd26cf71358","subject":"Statement for November","status":"open","priority":1,"assignee_id":"","team":"","channel":"email","modalities":["email"],"tags":[],"last_message_at":"2026-12-06T07:28:04.048641599Z","created_at":"2026-12-06T07:28:03.940359Z","updated_at":"2026-12-06T07:28:04.048641599Z"}}', 1796542084073611);
INSERT INTO switchboard_upgrade_fixture.events OVERRIDING SYSTEM VALUE VALUES (19, '01a24a40-b41d-7405-810f-3891c766471a', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'message.created', '{"message":{"id":"01a24a40-b417-7670-ae8d-6c3e284eb310","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","conversation_id":"01a24a40-b364-758f-a406-d4f15317caa8","kind":"note","channel":"","author_type":"user","author_id":"01a24a40-aaa0-7e74-9f73-30f149804831","body":"Checked the card: blocked by the fraud rule.","attachments":[],"status":"received","meta":{"mentions":[]},"created_at":"2026-12-06T07:28:04.119415439Z","updated_at":"2026-12-06T07:28:04.119415439Z"},"conversation":{"id":"01a24a40-b364-758f-a406-d4f15317caa8","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","persona_id":"01a24a40-b35c-73ee-83c5-2fd26cf71358","subject":"Statement for November","status":"open","priority":1,"assignee_id":"","team":"","channel":"email","modalities":["email"],"tags":[],"last_message_at":"2026-12-06T07:28:04.048641Z","created_at":"2026-12-06T07:28:03.940359Z","updated_at":"2026-12-06T07:28:04.048641Z"}}', 1796542084125265);
INSERT INTO switchboard_upgrade_fixture.events OVERRIDING SYSTEM VALUE VALUES (20, '01a24a40-b445-7898-9157-0a4b45284c8b', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'api_key.created', '{"id":"01a24a40-b439-738f-b65e-22ae2449d42f","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","name":"CRM","scopes":["conversations:write"],"created_by":"01a24a40-aaa0-7e74-9f73-30f149804831","created_at":"2026-12-06T07:28:04.153235005Z"}', 1796542084165565);


--
-- Data for Name: idempotency_keys; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--



--
-- Data for Name: macros; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.macros VALUES ('01a24a40-b154-7124-b50b-1822b7a87ad7', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', '', 'Card unblocked: tell and resolve', '[{"type":"reply","value":"Your card works abroad again. Anything else I can do?"},{"type":"tags_add","value":"cards"},{"type":"status","value":"resolved"}]', 1796542083412073, 1796542083412073);


--
-- Data for Name: messages; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.messages VALUES ('01a24a40-b0da-75ad-a399-f712865dcdb7', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', '01a24a40-b0d2-756f-8264-92b49cd03d9f', 'message', 'in', 'email', 'persona', '01a24a40-b0af-73ab-91c8-7fb9fd2681fd', 'Hello, my card was declined twice in Lisbon today. Can you check?', '', '[]', 'demo-1@example.com', 'received', '{}', 1796542083243449, 1796542083243449, DEFAULT);
INSERT INTO switchboard_upgrade_fixture.messages VALUES ('01a24a40-b114-74a4-96c2-0d60651e8616', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', '01a24a40-b113-7d0d-b965-3af7a08515d4', 'message', 'in', 'webchat', 'persona', '01a24a40-b109-7568-8143-7ad2e3ae6572', 'Hi, how long does a transfer to Morocco take?', '', '[]', '', 'received', '{"page":{"title":"International transfers","url":"https://northwind.example/transfers"}}', 1796542083334248, 1796542083334248, DEFAULT);
INSERT INTO switchboard_upgrade_fixture.messages VALUES ('01a24a40-b123-76c3-92cb-488a49267cfa', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', '01a24a40-b123-7128-9421-340934b876f4', 'message', 'in', 'api', 'persona', '01a24a40-b121-78ec-ae7c-18bbafb70c98', 'Mortgage application 1042: the customer asks when the valuation is booked.', '', '[]', 'crm-note-1042', 'received', '{}', 1796542083361353, 1796542083361353, DEFAULT);
INSERT INTO switchboard_upgrade_fixture.messages VALUES ('01a24a40-b2ff-7d15-abdf-6e0811b02bc0', '01a24a40-b1af-75e6-9977-6ab0b80e7420', '01a24a40-b2ff-7707-8dd5-fd240f77271a', 'message', 'in', 'email', 'persona', '01a24a40-b2ef-71b4-ba1e-c3f06e8c0bee', 'Hello, are my blood test results in yet?', '', '[]', 'demo-clinic-1@example.com', 'received', '{}', 1796542083822338, 1796542083822338, DEFAULT);
INSERT INTO switchboard_upgrade_fixture.messages VALUES ('01a24a40-b364-7b0c-91ac-00a8e931a9d7', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', '01a24a40-b364-758f-a406-d4f15317caa8', 'message', 'in', 'email', 'persona', '01a24a40-b35c-73ee-83c5-2fd26cf71358', 'My payment was declined; the statement is attached.', '', '[{"id":"01a24a40-b364-7b11-8cb3-ef8f3d13fca9","name":"statement.pdf","content_type":"application/pdf","size":33}]', '<fixture-1@example.com>', 'received', '{}', 1796542083931675, 1796542083931675, DEFAULT);
INSERT INTO switchboard_upgrade_fixture.messages VALUES ('01a24a40-b3e5-7ee9-a186-761c88ef423a', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', '01a24a40-b364-758f-a406-d4f15317caa8', 'message', 'in', 'email', 'persona', '01a24a40-b35c-73ee-83c5-2fd26cf71358', 'Any news on this?', '', '[]', '<fixture-2@example.com>', 'received', '{}', 1796542084048641, 1796542084048641, DEFAULT);
INSERT INTO switchboard_upgrade_fixture.messages VALUES ('01a24a40-b417-7670-ae8d-6c3e284eb310', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', '01a24a40-b364-758f-a406-d4f15317caa8', 'note', '', '', 'user', '01a24a40-aaa0-7e74-9f73-30f149804831', 'Checked the card: blocked by the fraud rule.', '', '[]', '', 'received', '{"mentions":[]}', 1796542084119415, 1796542084119415, DEFAULT);


--
-- Data for Name: notification_types; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.notification_types VALUES ('01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'card.blocked', 'Card blocked', 'critical', '["sms","webpush","email"]', true, 'now', 900000000, 'en', '{"en":{"email":{"subject":"We blocked your card ending {{.last4}}","body":"Hello {{.name}},\n\nwe blocked your card ending {{.last4}} after a payment of {{.amount}} at {{.merchant}} that looked unusual.\nWas it you? Reply YES or NO.\n\nDetails: {{.link}}"},"sms":{"short":"Northwind: card ending {{.last4}} blocked after {{.amount}} at {{.merchant}}. Was it you? Reply YES or NO. {{.link}}"},"web":{"subject":"Card ending {{.last4}} blocked","body":"We blocked your card ending {{.last4}} after a payment of {{.amount}} at {{.merchant}}. Was it you?"}}}', 1796542083426865, 1796542083426865);
INSERT INTO switchboard_upgrade_fixture.notification_types VALUES ('01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'statement.ready', 'Statement ready', 'transactional', '["email","webpush"]', false, 'now', 0, 'en', '{"en":{"email":{"subject":"Your {{.month}} statement is ready","body":"Hello {{.name}},\n\nyour statement for {{.month}} is ready: {{.link}}\n\nManage your notifications: {{.preferences_link}}"},"web":{"subject":"{{.month}} statement","body":"Your statement for {{.month}} is ready. Closing balance: {{.balance}}."}}}', 1796542083432724, 1796542083432724);
INSERT INTO switchboard_upgrade_fixture.notification_types VALUES ('01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'offers.savings', 'Savings offers', 'marketing', '["email"]', false, 'best', 0, 'en', '{"en":{"email":{"subject":"{{.rate}} on savings, this month only","body":"Hello {{.name}},\n\nopen a savings account this month and earn {{.rate}}.\n\n{{.link}}\nNo more offers: {{.unsubscribe_link}}"}}}', 1796542083449060, 1796542083449060);
INSERT INTO switchboard_upgrade_fixture.notification_types VALUES ('01a24a40-b1af-75e6-9977-6ab0b80e7420', 'appointment.reminder', 'Appointment reminder', 'transactional', '["sms","email"]', true, 'now', 0, 'en', '{"en":{"email":{"subject":"Your appointment on {{.when}}","body":"Hello {{.name}},\n\nthis is a reminder of your appointment with {{.doctor}} on {{.when}}.\nReply to confirm or to ask for another time.\n\n{{.link}}"},"sms":{"short":"Riverside Clinic: appointment with {{.doctor}} on {{.when}}. Reply YES to confirm. {{.link}}"},"web":{"subject":"Appointment on {{.when}}","body":"Your appointment with {{.doctor}} is on {{.when}}."}}}', 1796542083855195, 1796542083855195);


--
-- Data for Name: notify_deliveries; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.notify_deliveries VALUES ('01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', '01a24a40-b19a-78aa-b188-b1a4c63c88b7', '01a24a40-b18d-7684-bfcc-81de743ee445', '01a24a40-b0af-73ab-91c8-7fb9fd2681fd', 'statement.ready', 'transactional', '["email"]', 0, 'email', 'pending', 1796544000000000, NULL, '', NULL, 0, '["order: the type''s default order","webpush: no address for this customer or not run here","quiet hours 22:00–08:00 Europe/Lisbon: held until 08:00"]', false, 'en', '', '', false, '', '', '', '', 1796542083463243, 1796542083463243);
INSERT INTO switchboard_upgrade_fixture.notify_deliveries VALUES ('01a24a40-b1af-75e6-9977-6ab0b80e7420', '01a24a40-b330-728b-95dc-8483dafdfb47', '01a24a40-b320-7e44-b879-31bf76b09f06', '01a24a40-b2ef-71b4-ba1e-c3f06e8c0bee', 'appointment.reminder', 'transactional', '["email"]', 0, 'email', 'pending', 1796542083868992, NULL, '', NULL, 0, '["order: the type''s default order","sms: no address for this customer or not run here"]', false, 'en', '', 'email', true, '', '', '', '', 1796542083868992, 1796542083868992);


--
-- Data for Name: notify_events; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.notify_events VALUES ('01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', '01a24a40-b18d-7684-bfcc-81de743ee445', 'statement.ready', '{"balance":"€2,310.45","month":"October"}', 'demo-statement-october', NULL, NULL, 1, 1796542083463243);
INSERT INTO switchboard_upgrade_fixture.notify_events VALUES ('01a24a40-b1af-75e6-9977-6ab0b80e7420', '01a24a40-b320-7e44-b879-31bf76b09f06', 'appointment.reminder', '{"doctor":"Dr. Okafor","when":"Tuesday 1 December, 09:30"}', 'demo-reminder-1', NULL, NULL, 1, 1796542083868992);


--
-- Data for Name: notify_prefs; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--



--
-- Data for Name: notify_response_hours; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--



--
-- Data for Name: notify_settings; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.notify_settings VALUES ('01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', '{"defaults":{"quiet_hours":{"from":"22:00","to":"08:00"},"time_zone":"Europe/Lisbon"},"caps":{"marketing":{"max":2,"window":"168h0m0s"}}}', 1796542083424185);


--
-- Data for Name: notify_steps; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--



--
-- Data for Name: persona_identifiers; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.persona_identifiers VALUES ('01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'email', 'zoe.mueller@example.com', '01a24a40-b0af-73ab-91c8-7fb9fd2681fd', false, 1796542083243449);
INSERT INTO switchboard_upgrade_fixture.persona_identifiers VALUES ('01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'widget', 'demo-visitor-1', '01a24a40-b109-7568-8143-7ad2e3ae6572', false, 1796542083334248);
INSERT INTO switchboard_upgrade_fixture.persona_identifiers VALUES ('01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'external', 'crm-1042', '01a24a40-b121-78ec-ae7c-18bbafb70c98', false, 1796542083361354);
INSERT INTO switchboard_upgrade_fixture.persona_identifiers VALUES ('01a24a40-b1af-75e6-9977-6ab0b80e7420', 'email', 'zoe.mueller@example.com', '01a24a40-b2ef-71b4-ba1e-c3f06e8c0bee', false, 1796542083822338);
INSERT INTO switchboard_upgrade_fixture.persona_identifiers VALUES ('01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'email', 'lena.fischer@example.com', '01a24a40-b35c-73ee-83c5-2fd26cf71358', false, 1796542083931676);


--
-- Data for Name: persona_merges; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--



--
-- Data for Name: personas; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.personas VALUES ('01a24a40-b0af-73ab-91c8-7fb9fd2681fd', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'Zoë Müller', '', '', '{}', NULL, 1796542083243449, 1796542083243449);
INSERT INTO switchboard_upgrade_fixture.personas VALUES ('01a24a40-b109-7568-8143-7ad2e3ae6572', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'Omar Haddad', '', '', '{}', NULL, 1796542083334248, 1796542083334248);
INSERT INTO switchboard_upgrade_fixture.personas VALUES ('01a24a40-b121-78ec-ae7c-18bbafb70c98', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'Priya Nair', '', '', '{}', NULL, 1796542083361354, 1796542083361354);
INSERT INTO switchboard_upgrade_fixture.personas VALUES ('01a24a40-b2ef-71b4-ba1e-c3f06e8c0bee', '01a24a40-b1af-75e6-9977-6ab0b80e7420', 'Zoë Müller', '', '', '{}', NULL, 1796542083822338, 1796542083822338);
INSERT INTO switchboard_upgrade_fixture.personas VALUES ('01a24a40-b35c-73ee-83c5-2fd26cf71358', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'Lena Fischer', '', '', '{}', NULL, 1796542083931676, 1796542083931676);


--
-- Data for Name: portal_codes; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--



--
-- Data for Name: portal_sessions; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--



--
-- Data for Name: presence_states; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--



--
-- Data for Name: push_subscriptions; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--



--
-- Data for Name: river_job; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.river_job VALUES (1, 'available', 0, 12, NULL, '2026-12-06 07:28:03.979547+00', NULL, '2026-12-06 07:28:03.979547+00', 1, '{"tenant_id": "01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3", "delivery_id": "01a24a40-b37a-7a15-999d-e0f679f42758"}', NULL, NULL, 'webhook_delivery', '{}', 'default', '{}', '\xaf54a7ab8da1e7e8a86ba6fa6f1e45ee107e036f4aeac03d82a902e357f636c9', B'11110001');
INSERT INTO switchboard_upgrade_fixture.river_job VALUES (2, 'available', 0, 12, NULL, '2026-12-06 07:28:04.027155+00', NULL, '2026-12-06 07:28:04.027155+00', 1, '{"tenant_id": "01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3", "delivery_id": "01a24a40-b3ba-78be-a8ca-bcd9f537c4f5"}', NULL, NULL, 'webhook_delivery', '{}', 'default', '{}', '\x030157ac1a333411469213190e6003b4659a734e33521125149b9a4d017a7b06', B'11110001');
INSERT INTO switchboard_upgrade_fixture.river_job VALUES (3, 'available', 0, 12, NULL, '2026-12-06 07:28:04.07615+00', NULL, '2026-12-06 07:28:04.07615+00', 1, '{"tenant_id": "01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3", "delivery_id": "01a24a40-b3eb-78b6-8820-ece8cd06f9fe"}', NULL, NULL, 'webhook_delivery', '{}', 'default', '{}', '\xf835125335f8c22a0d6a65c70ad2938eecc2a02f939cb32fa8bd48c541a3e494', B'11110001');
INSERT INTO switchboard_upgrade_fixture.river_job VALUES (4, 'available', 0, 12, NULL, '2026-12-06 07:28:04.139289+00', NULL, '2026-12-06 07:28:04.139289+00', 1, '{"tenant_id": "01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3", "delivery_id": "01a24a40-b425-7c04-b02f-3f9859aabfbc"}', NULL, NULL, 'webhook_delivery', '{}', 'default', '{}', '\x2fa22fbcdd6057a34c90c4bf3fafd1394bc98ffb33d1fd7f76b8efdb11c5efc0', B'11110001');
INSERT INTO switchboard_upgrade_fixture.river_job VALUES (5, 'available', 0, 12, NULL, '2026-12-06 07:28:04.16674+00', NULL, '2026-12-06 07:28:04.16674+00', 1, '{"tenant_id": "01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3", "delivery_id": "01a24a40-b446-73e9-a7ca-881cb3fd5177"}', NULL, NULL, 'webhook_delivery', '{}', 'default', '{}', '\x8ad905b304cde655b1d004ecf30a0c89230297cb4a137831ac4c0f61f54fc25e', B'11110001');


--
-- Data for Name: river_leader; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--



--
-- Data for Name: river_migration; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.river_migration VALUES ('main', 1, '2026-12-06 07:28:00.556895+00');
INSERT INTO switchboard_upgrade_fixture.river_migration VALUES ('main', 2, '2026-12-06 07:28:00.665591+00');
INSERT INTO switchboard_upgrade_fixture.river_migration VALUES ('main', 3, '2026-12-06 07:28:00.867345+00');
INSERT INTO switchboard_upgrade_fixture.river_migration VALUES ('main', 4, '2026-12-06 07:28:00.882861+00');
INSERT INTO switchboard_upgrade_fixture.river_migration VALUES ('main', 5, '2026-12-06 07:28:00.931416+00');
INSERT INTO switchboard_upgrade_fixture.river_migration VALUES ('main', 6, '2026-12-06 07:28:01.165318+00');
INSERT INTO switchboard_upgrade_fixture.river_migration VALUES ('main', 7, '2026-12-06 07:28:01.207521+00');
INSERT INTO switchboard_upgrade_fixture.river_migration VALUES ('main', 8, '2026-12-06 07:28:01.298228+00');


--
-- Data for Name: river_notification; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--



--
-- Data for Name: river_queue; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--



--
-- Data for Name: routing_agents; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.routing_agents VALUES ('01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', '01a24a40-aebc-7ed6-9b40-afa16546bb3b', '{"user_id":"01a24a40-aebc-7ed6-9b40-afa16546bb3b","skills":{"cards":5},"queues":["*"],"capacity":{"chat":3,"email":5,"message":5,"video":1,"voice":1},"blocks":{"video":["chat"],"voice":["chat"]},"wrap_up_seconds":30,"default":false}', 1796542083187126);
INSERT INTO switchboard_upgrade_fixture.routing_agents VALUES ('01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', '01a24a40-aee2-7707-a395-27ad92638fbc', '{"user_id":"01a24a40-aee2-7707-a395-27ad92638fbc","skills":{"cards":2},"queues":["*"],"capacity":{"chat":3,"email":5,"message":5,"video":1,"voice":1},"blocks":{"video":["chat"],"voice":["chat"]},"wrap_up_seconds":30,"default":false}', 1796542083218181);


--
-- Data for Name: routing_decisions; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--



--
-- Data for Name: routing_offers; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--



--
-- Data for Name: routing_queues; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.routing_queues VALUES ('01a24a40-b05a-7d73-a8fa-cb9a6473bd65', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'Support', '{"id":"01a24a40-b05a-7d73-a8fa-cb9a6473bd65","name":"Support","skills":null,"priority":0,"strategy":"longest_idle","widening":null,"offer_timeout_seconds":30,"last_agent_timeout_seconds":0,"auto_assign":false,"overflow":null,"calendar_id":"","sla_policy_id":"01a24a40-b03c-771c-91a9-dcbc66c3d732","channels":null,"default":true,"created_at":"2026-12-06T07:28:03.162877573Z","updated_at":"2026-12-06T07:28:03.162877573Z"}', 1796542083162877, 1796542083162877);
INSERT INTO switchboard_upgrade_fixture.routing_queues VALUES ('01a24a40-b069-7982-91e8-851028ce0c2e', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'Cards', '{"id":"01a24a40-b069-7982-91e8-851028ce0c2e","name":"Cards","skills":["cards"],"priority":0,"strategy":"skills","widening":null,"offer_timeout_seconds":30,"last_agent_timeout_seconds":0,"auto_assign":false,"overflow":null,"calendar_id":"","sla_policy_id":"01a24a40-b03c-771c-91a9-dcbc66c3d732","channels":null,"default":false,"created_at":"2026-12-06T07:28:03.177620921Z","updated_at":"2026-12-06T07:28:03.177620921Z"}', 1796542083177620, 1796542083177620);
INSERT INTO switchboard_upgrade_fixture.routing_queues VALUES ('01a24a40-b2d6-7d62-bf3d-4126e965b4c4', '01a24a40-b1af-75e6-9977-6ab0b80e7420', 'Front desk', '{"id":"01a24a40-b2d6-7d62-bf3d-4126e965b4c4","name":"Front desk","skills":null,"priority":0,"strategy":"longest_idle","widening":null,"offer_timeout_seconds":30,"last_agent_timeout_seconds":0,"auto_assign":false,"overflow":null,"calendar_id":"","sla_policy_id":"","channels":null,"default":true,"created_at":"2026-12-06T07:28:03.798872005Z","updated_at":"2026-12-06T07:28:03.798872005Z"}', 1796542083798872, 1796542083798872);


--
-- Data for Name: routing_work; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--



--
-- Data for Name: schema_migrations; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.schema_migrations VALUES (1, 'foundation', 1796542078954118);
INSERT INTO switchboard_upgrade_fixture.schema_migrations VALUES (2, 'conversations', 1796542079297798);
INSERT INTO switchboard_upgrade_fixture.schema_migrations VALUES (3, 'sms_optouts', 1796542079358898);
INSERT INTO switchboard_upgrade_fixture.schema_migrations VALUES (4, 'message_search', 1796542079488207);
INSERT INTO switchboard_upgrade_fixture.schema_migrations VALUES (5, 'routing', 1796542079865181);
INSERT INTO switchboard_upgrade_fixture.schema_migrations VALUES (6, 'desktop', 1796542080051198);
INSERT INTO switchboard_upgrade_fixture.schema_migrations VALUES (7, 'notify', 1796542080391591);


--
-- Data for Name: sessions; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.sessions VALUES ('5cdba1363ecd6cc4a040116f84729540a55eaee76f5655a020cbe550107d81af', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', '01a24a40-acde-7a58-8921-ed632bd1ce4c', 1796542084414088, 1796585284414088, 1796542084414088, 'fixture');


--
-- Data for Name: settings; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.settings VALUES ('secret_key', 'f22bd3beb9715dd1664a5f232efce636c8378289e6c18ceaaaac421ac5797fb1');
INSERT INTO switchboard_upgrade_fixture.settings VALUES ('vapid_keys', 'BGOQk-MtOMngzkPdUqnc_61EuSN4R1qPtqZCuIeIbrI4-WF7gLIITi5L-RcjCNnFdKwHgGSmamjwnZVYMnaFcM0 -9DrnLkbyU3Fl-Jq6n-8g5LiYEBG9CbIm4Q1KGrM3h4');


--
-- Data for Name: sla_clocks; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--



--
-- Data for Name: sla_policies; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.sla_policies VALUES ('01a24a40-b03c-771c-91a9-dcbc66c3d732', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'Standard', '{"first_response":"1h0m0s","next_response":"4h0m0s","resolution":"24h0m0s","warn_at":0.8,"calendar":{"time_zone":"Europe/Lisbon","hours":{"fri":[["08:00","20:00"]],"mon":[["08:00","20:00"]],"thu":[["08:00","20:00"]],"tue":[["08:00","20:00"]],"wed":[["08:00","20:00"]]},"holidays":[{"date":"2026-12-25","name":"Christmas Day"},{"date":"2027-01-01","name":"New Year''s Day"}]},"escalations":[{"on":"breach","target":"first_response","raise_priority":2,"move_to_queue":"","notify_supervisor":true}]}', 1796542083132464, 1796542083132464);


--
-- Data for Name: sms_optouts; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--



--
-- Data for Name: tenants; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.tenants VALUES ('01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'northwind', 'Northwind Bank', true, 1796542081464765);
INSERT INTO switchboard_upgrade_fixture.tenants VALUES ('01a24a40-b1af-75e6-9977-6ab0b80e7420', 'riverside', 'Riverside Clinic', true, 1796542083503381);


--
-- Data for Name: users; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.users VALUES ('01a24a40-aaa0-7e74-9f73-30f149804831', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'admin@northwind.example', 'Nadia Admin', 'admin', '$argon2id$v=19$m=19456,t=2,p=1$uM0fiylfVPVDEVWShPNuqQ$89e1kbW5laJ2xRt+CtOlXzUXNiJUA19+YU/zTHwcfEs', 'offline', false, 1796542081696940, 1796542081696940, 0);
INSERT INTO switchboard_upgrade_fixture.users VALUES ('01a24a40-acde-7a58-8921-ed632bd1ce4c', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'supervisor@northwind.example', 'Sam Supervisor', 'supervisor', '$argon2id$v=19$m=19456,t=2,p=1$ycGVyisqUkEp6BAIVbJtCg$hVNDK5zUn2rtEygc+FWK/RHGdtKEmAZO1WcAvMCeAoU', 'offline', false, 1796542082270638, 1796542082270638, 0);
INSERT INTO switchboard_upgrade_fixture.users VALUES ('01a24a40-aebc-7ed6-9b40-afa16546bb3b', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'ana@northwind.example', 'Ana Agent', 'agent', '$argon2id$v=19$m=19456,t=2,p=1$nBWEQXAtRkWRjWAmShxAbQ$wivSa0bht1prJ92S396YgroNicWSkXsl7MXVHnpesY4', 'offline', false, 1796542082748950, 1796542082748950, 0);
INSERT INTO switchboard_upgrade_fixture.users VALUES ('01a24a40-aee2-7707-a395-27ad92638fbc', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'ben@northwind.example', 'Ben Agent', 'agent', '$argon2id$v=19$m=19456,t=2,p=1$Wt0u3AFowgPBsc7n7ui6zw$5+xddvhOKO5QUQAl5TGoe8dqknVrnDDp5KjKPfz4abM', 'offline', false, 1796542082786454, 1796542082786454, 0);
INSERT INTO switchboard_upgrade_fixture.users VALUES ('01a24a40-af67-749c-83f3-df8a76a4db6f', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'chloe@northwind.example', 'Chloé Agent', 'agent', '$argon2id$v=19$m=19456,t=2,p=1$uGyr15H3RpC3fR5jKYry3g$LLcBh51DVfvqx9ad22brNdv3qg0hsr4Y6/FbFyxCHSY', 'offline', false, 1796542082919296, 1796542082919296, 0);
INSERT INTO switchboard_upgrade_fixture.users VALUES ('01a24a40-b010-7d23-a936-65a36c4e5afd', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'erik@northwind.example', 'Erik Expert', 'expert', '$argon2id$v=19$m=19456,t=2,p=1$7ZVpLGutGcR01rqr3rMn2A$af4l83eoPPcJNTJfwlGGFRF+LqOi79CfILo58uLb4DU', 'offline', false, 1796542083088855, 1796542083088855, 0);
INSERT INTO switchboard_upgrade_fixture.users VALUES ('01a24a40-b29d-7064-bae4-72b0707aa7ad', '01a24a40-b1af-75e6-9977-6ab0b80e7420', 'admin@riverside.example', 'Clinic Admin', 'admin', '$argon2id$v=19$m=19456,t=2,p=1$WTInzULj1OCCkMOCtPUQPw$R1iDCOSEZaahBVQTKmjVktoNWIM8vz+Y6fPUteLL2zM', 'offline', false, 1796542083741017, 1796542083741017, 0);


--
-- Data for Name: webhook_attempts; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--



--
-- Data for Name: webhook_deliveries; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.webhook_deliveries VALUES ('01a24a40-b37a-7a15-999d-e0f679f42758', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', '01a24a40-b349-7cd0-9f48-ee27b63ca5bc', '01a24a40-b377-7ba4-a2f9-a136d438dd41', 'conversation.created', '{"id":"01a24a40-b377-7ba4-a2f9-a136d438dd41","type":"conversation.created","created_at":"2026-12-06T07:28:03.959765195Z","data":{"id":"01a24a40-b364-758f-a406-d4f15317caa8","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","persona_id":"01a24a40-b35c-73ee-83c5-2fd26cf71358","subject":"Statement for November","status":"open","priority":1,"assignee_id":"","team":"","channel":"email","modalities":["email"],"tags":[],"last_message_at":"2026-12-06T07:28:03.931675828Z","created_at":"2026-12-06T07:28:03.94035927Z","updated_at":"2026-12-06T07:28:03.931675828Z"}}', 'pending', 0, 0, '', 1796542083962571, 1796542083962571, 1796542083962571);
INSERT INTO switchboard_upgrade_fixture.webhook_deliveries VALUES ('01a24a40-b3ba-78be-a8ca-bcd9f537c4f5', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', '01a24a40-b349-7cd0-9f48-ee27b63ca5bc', '01a24a40-b3b9-7200-ac75-e835cadf5874', 'message.created', '{"id":"01a24a40-b3b9-7200-ac75-e835cadf5874","type":"message.created","created_at":"2026-12-06T07:28:04.025133052Z","data":{"message":{"id":"01a24a40-b364-7b0c-91ac-00a8e931a9d7","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","conversation_id":"01a24a40-b364-758f-a406-d4f15317caa8","kind":"message","direction":"in","channel":"email","author_type":"persona","author_id":"01a24a40-b35c-73ee-83c5-2fd26cf71358","body":"My payment was declined; the statement is attached.","attachments":[{"id":"01a24a40-b364-7b11-8cb3-ef8f3d13fca9","name":"statement.pdf","content_type":"application/pdf","size":33}],"external_id":"\u003cfixture-1@example.com\u003e","status":"received","created_at":"2026-12-06T07:28:03.931675828Z","updated_at":"2026-12-06T07:28:03.931675828Z"},"conversation":{"id":"01a24a40-b364-758f-a406-d4f15317caa8","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","persona_id":"01a24a40-b35c-73ee-83c5-2fd26cf71358","subject":"Statement for November","status":"open","priority":1,"assignee_id":"","team":"","channel":"email","modalities":["email"],"tags":[],"last_message_at":"2026-12-06T07:28:03.931675828Z","created_at":"2026-12-06T07:28:03.94035927Z","updated_at":"2026-12-06T07:28:03.931675828Z"}}}', 'pending', 0, 0, '', 1796542084026550, 1796542084026550, 1796542084026550);
INSERT INTO switchboard_upgrade_fixture.webhook_deliveries VALUES ('01a24a40-b3eb-78b6-8820-ece8cd06f9fe', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', '01a24a40-b349-7cd0-9f48-ee27b63ca5bc', '01a24a40-b3e9-794d-9e22-3ff6cdad5865', 'message.created', '{"id":"01a24a40-b3e9-794d-9e22-3ff6cdad5865","type":"message.created","created_at":"2026-12-06T07:28:04.073611557Z","data":{"message":{"id":"01a24a40-b3e5-7ee9-a186-761c88ef423a","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","conversation_id":"01a24a40-b364-758f-a406-d4f15317caa8","kind":"message","direction":"in","channel":"email","author_type":"persona","author_id":"01a24a40-b35c-73ee-83c5-2fd26cf71358","body":"Any news on this?","attachments":[],"external_id":"\u003cfixture-2@example.com\u003e","status":"received","created_at":"2026-12-06T07:28:04.048641599Z","updated_at":"2026-12-06T07:28:04.048641599Z"},"conversation":{"id":"01a24a40-b364-758f-a406-d4f15317caa8","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","persona_id":"01a24a40-b35c-73ee-83c5-2fd26cf71358","subject":"Statement for November","status":"open","priority":1,"assignee_id":"","team":"","channel":"email","modalities":["email"],"tags":[],"last_message_at":"2026-12-06T07:28:04.048641599Z","created_at":"2026-12-06T07:28:03.940359Z","updated_at":"2026-12-06T07:28:04.048641599Z"}}}', 'pending', 0, 0, '', 1796542084075542, 1796542084075542, 1796542084075542);
INSERT INTO switchboard_upgrade_fixture.webhook_deliveries VALUES ('01a24a40-b425-7c04-b02f-3f9859aabfbc', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', '01a24a40-b349-7cd0-9f48-ee27b63ca5bc', '01a24a40-b41d-7405-810f-3891c766471a', 'message.created', '{"id":"01a24a40-b41d-7405-810f-3891c766471a","type":"message.created","created_at":"2026-12-06T07:28:04.125265496Z","data":{"message":{"id":"01a24a40-b417-7670-ae8d-6c3e284eb310","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","conversation_id":"01a24a40-b364-758f-a406-d4f15317caa8","kind":"note","channel":"","author_type":"user","author_id":"01a24a40-aaa0-7e74-9f73-30f149804831","body":"Checked the card: blocked by the fraud rule.","attachments":[],"status":"received","meta":{"mentions":[]},"created_at":"2026-12-06T07:28:04.119415439Z","updated_at":"2026-12-06T07:28:04.119415439Z"},"conversation":{"id":"01a24a40-b364-758f-a406-d4f15317caa8","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","persona_id":"01a24a40-b35c-73ee-83c5-2fd26cf71358","subject":"Statement for November","status":"open","priority":1,"assignee_id":"","team":"","channel":"email","modalities":["email"],"tags":[],"last_message_at":"2026-12-06T07:28:04.048641Z","created_at":"2026-12-06T07:28:03.940359Z","updated_at":"2026-12-06T07:28:04.048641Z"}}}', 'pending', 0, 0, '', 1796542084133719, 1796542084133719, 1796542084133719);
INSERT INTO switchboard_upgrade_fixture.webhook_deliveries VALUES ('01a24a40-b446-73e9-a7ca-881cb3fd5177', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', '01a24a40-b349-7cd0-9f48-ee27b63ca5bc', '01a24a40-b445-7898-9157-0a4b45284c8b', 'api_key.created', '{"id":"01a24a40-b445-7898-9157-0a4b45284c8b","type":"api_key.created","created_at":"2026-12-06T07:28:04.16556556Z","data":{"id":"01a24a40-b439-738f-b65e-22ae2449d42f","tenant_id":"01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3","name":"CRM","scopes":["conversations:write"],"created_by":"01a24a40-aaa0-7e74-9f73-30f149804831","created_at":"2026-12-06T07:28:04.153235005Z"}}', 'pending', 0, 0, '', 1796542084166241, 1796542084166241, 1796542084166241);


--
-- Data for Name: webhook_endpoints; Type: TABLE DATA; Schema: switchboard_upgrade_fixture; Owner: -
--

INSERT INTO switchboard_upgrade_fixture.webhook_endpoints VALUES ('01a24a40-b349-7cd0-9f48-ee27b63ca5bc', '01a24a40-a9b8-7c78-9cb5-d20b6c6c05a3', 'https://hooks.example.com/switchboard', 'CRM', 'whsec_OJCyVILzX9bHN_lD7S9j_ZpGHxss9ZsfQkEpy0EwKns', '*', true, 1796542083913833, 1796542083913833);


--
-- Name: events_seq_seq; Type: SEQUENCE SET; Schema: switchboard_upgrade_fixture; Owner: -
--

SELECT pg_catalog.setval('switchboard_upgrade_fixture.events_seq_seq', 20, true);


--
-- Name: river_job_id_seq; Type: SEQUENCE SET; Schema: switchboard_upgrade_fixture; Owner: -
--

SELECT pg_catalog.setval('switchboard_upgrade_fixture.river_job_id_seq', 5, true);


--
-- Name: river_notification_id_seq; Type: SEQUENCE SET; Schema: switchboard_upgrade_fixture; Owner: -
--

SELECT pg_catalog.setval('switchboard_upgrade_fixture.river_notification_id_seq', 1, false);


--
-- Name: api_keys api_keys_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (id);


--
-- Name: attachments attachments_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.attachments
    ADD CONSTRAINT attachments_pkey PRIMARY KEY (id);


--
-- Name: audit_log audit_log_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id);


--
-- Name: calendars calendars_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.calendars
    ADD CONSTRAINT calendars_pkey PRIMARY KEY (id);


--
-- Name: calendars calendars_tenant_id_name_key; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.calendars
    ADD CONSTRAINT calendars_tenant_id_name_key UNIQUE (tenant_id, name);


--
-- Name: callbacks callbacks_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.callbacks
    ADD CONSTRAINT callbacks_pkey PRIMARY KEY (id);


--
-- Name: canned_responses canned_responses_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.canned_responses
    ADD CONSTRAINT canned_responses_pkey PRIMARY KEY (id);


--
-- Name: canned_responses canned_responses_tenant_id_owner_id_shortcut_key; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.canned_responses
    ADD CONSTRAINT canned_responses_tenant_id_owner_id_shortcut_key UNIQUE (tenant_id, owner_id, shortcut);


--
-- Name: channel_accounts channel_accounts_channel_address_key; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.channel_accounts
    ADD CONSTRAINT channel_accounts_channel_address_key UNIQUE (channel, address);


--
-- Name: channel_accounts channel_accounts_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.channel_accounts
    ADD CONSTRAINT channel_accounts_pkey PRIMARY KEY (id);


--
-- Name: consent_records consent_records_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.consent_records
    ADD CONSTRAINT consent_records_pkey PRIMARY KEY (tenant_id, persona_id, seq);


--
-- Name: conversation_mentions conversation_mentions_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.conversation_mentions
    ADD CONSTRAINT conversation_mentions_pkey PRIMARY KEY (tenant_id, user_id, message_id);


--
-- Name: conversation_tags conversation_tags_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.conversation_tags
    ADD CONSTRAINT conversation_tags_pkey PRIMARY KEY (tenant_id, conversation_id, tag);


--
-- Name: conversation_threads conversation_threads_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.conversation_threads
    ADD CONSTRAINT conversation_threads_pkey PRIMARY KEY (tenant_id, channel, thread_key);


--
-- Name: conversations conversations_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.conversations
    ADD CONSTRAINT conversations_pkey PRIMARY KEY (id);


--
-- Name: events events_id_key; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.events
    ADD CONSTRAINT events_id_key UNIQUE (id);


--
-- Name: events events_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (seq);


--
-- Name: idempotency_keys idempotency_keys_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.idempotency_keys
    ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (tenant_id, principal_id, key);


--
-- Name: macros macros_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.macros
    ADD CONSTRAINT macros_pkey PRIMARY KEY (id);


--
-- Name: macros macros_tenant_id_owner_id_name_key; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.macros
    ADD CONSTRAINT macros_tenant_id_owner_id_name_key UNIQUE (tenant_id, owner_id, name);


--
-- Name: messages messages_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.messages
    ADD CONSTRAINT messages_pkey PRIMARY KEY (id);


--
-- Name: notification_types notification_types_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.notification_types
    ADD CONSTRAINT notification_types_pkey PRIMARY KEY (tenant_id, key);


--
-- Name: notify_deliveries notify_deliveries_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.notify_deliveries
    ADD CONSTRAINT notify_deliveries_pkey PRIMARY KEY (tenant_id, id);


--
-- Name: notify_events notify_events_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.notify_events
    ADD CONSTRAINT notify_events_pkey PRIMARY KEY (tenant_id, id);


--
-- Name: notify_prefs notify_prefs_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.notify_prefs
    ADD CONSTRAINT notify_prefs_pkey PRIMARY KEY (tenant_id, persona_id);


--
-- Name: notify_response_hours notify_response_hours_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.notify_response_hours
    ADD CONSTRAINT notify_response_hours_pkey PRIMARY KEY (tenant_id, persona_id, hour_of_week);


--
-- Name: notify_settings notify_settings_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.notify_settings
    ADD CONSTRAINT notify_settings_pkey PRIMARY KEY (tenant_id);


--
-- Name: notify_steps notify_steps_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.notify_steps
    ADD CONSTRAINT notify_steps_pkey PRIMARY KEY (tenant_id, delivery_id, seq);


--
-- Name: persona_identifiers persona_identifiers_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.persona_identifiers
    ADD CONSTRAINT persona_identifiers_pkey PRIMARY KEY (tenant_id, kind, value);


--
-- Name: persona_merges persona_merges_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.persona_merges
    ADD CONSTRAINT persona_merges_pkey PRIMARY KEY (id);


--
-- Name: personas personas_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.personas
    ADD CONSTRAINT personas_pkey PRIMARY KEY (id);


--
-- Name: portal_codes portal_codes_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.portal_codes
    ADD CONSTRAINT portal_codes_pkey PRIMARY KEY (id);


--
-- Name: portal_sessions portal_sessions_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.portal_sessions
    ADD CONSTRAINT portal_sessions_pkey PRIMARY KEY (token_hash);


--
-- Name: presence_states presence_states_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.presence_states
    ADD CONSTRAINT presence_states_pkey PRIMARY KEY (tenant_id, name);


--
-- Name: push_subscriptions push_subscriptions_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.push_subscriptions
    ADD CONSTRAINT push_subscriptions_pkey PRIMARY KEY (tenant_id, id);


--
-- Name: push_subscriptions push_subscriptions_tenant_id_endpoint_key; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.push_subscriptions
    ADD CONSTRAINT push_subscriptions_tenant_id_endpoint_key UNIQUE (tenant_id, endpoint);


--
-- Name: river_job river_job_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.river_job
    ADD CONSTRAINT river_job_pkey PRIMARY KEY (id);


--
-- Name: river_leader river_leader_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.river_leader
    ADD CONSTRAINT river_leader_pkey PRIMARY KEY (name);


--
-- Name: river_migration river_migration_pkey1; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.river_migration
    ADD CONSTRAINT river_migration_pkey1 PRIMARY KEY (line, version);


--
-- Name: river_notification river_notification_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.river_notification
    ADD CONSTRAINT river_notification_pkey PRIMARY KEY (id);


--
-- Name: river_queue river_queue_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.river_queue
    ADD CONSTRAINT river_queue_pkey PRIMARY KEY (name);


--
-- Name: routing_agents routing_agents_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.routing_agents
    ADD CONSTRAINT routing_agents_pkey PRIMARY KEY (tenant_id, user_id);


--
-- Name: routing_decisions routing_decisions_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.routing_decisions
    ADD CONSTRAINT routing_decisions_pkey PRIMARY KEY (id);


--
-- Name: routing_offers routing_offers_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.routing_offers
    ADD CONSTRAINT routing_offers_pkey PRIMARY KEY (id);


--
-- Name: routing_queues routing_queues_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.routing_queues
    ADD CONSTRAINT routing_queues_pkey PRIMARY KEY (id);


--
-- Name: routing_queues routing_queues_tenant_id_name_key; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.routing_queues
    ADD CONSTRAINT routing_queues_tenant_id_name_key UNIQUE (tenant_id, name);


--
-- Name: routing_work routing_work_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.routing_work
    ADD CONSTRAINT routing_work_pkey PRIMARY KEY (id);


--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: sessions sessions_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (token_hash);


--
-- Name: settings settings_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.settings
    ADD CONSTRAINT settings_pkey PRIMARY KEY (key);


--
-- Name: sla_clocks sla_clocks_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.sla_clocks
    ADD CONSTRAINT sla_clocks_pkey PRIMARY KEY (tenant_id, conversation_id, target);


--
-- Name: sla_policies sla_policies_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.sla_policies
    ADD CONSTRAINT sla_policies_pkey PRIMARY KEY (id);


--
-- Name: sla_policies sla_policies_tenant_id_name_key; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.sla_policies
    ADD CONSTRAINT sla_policies_tenant_id_name_key UNIQUE (tenant_id, name);


--
-- Name: sms_optouts sms_optouts_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.sms_optouts
    ADD CONSTRAINT sms_optouts_pkey PRIMARY KEY (tenant_id, business_number, customer_number);


--
-- Name: tenants tenants_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.tenants
    ADD CONSTRAINT tenants_pkey PRIMARY KEY (id);


--
-- Name: tenants tenants_slug_key; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.tenants
    ADD CONSTRAINT tenants_slug_key UNIQUE (slug);


--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);


--
-- Name: users users_tenant_id_email_key; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.users
    ADD CONSTRAINT users_tenant_id_email_key UNIQUE (tenant_id, email);


--
-- Name: webhook_attempts webhook_attempts_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.webhook_attempts
    ADD CONSTRAINT webhook_attempts_pkey PRIMARY KEY (id);


--
-- Name: webhook_deliveries webhook_deliveries_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_pkey PRIMARY KEY (id);


--
-- Name: webhook_endpoints webhook_endpoints_pkey; Type: CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.webhook_endpoints
    ADD CONSTRAINT webhook_endpoints_pkey PRIMARY KEY (id);


--
-- Name: api_keys_tenant; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX api_keys_tenant ON switchboard_upgrade_fixture.api_keys USING btree (tenant_id, id);


--
-- Name: audit_log_tenant; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX audit_log_tenant ON switchboard_upgrade_fixture.audit_log USING btree (tenant_id, id);


--
-- Name: callbacks_due; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX callbacks_due ON switchboard_upgrade_fixture.callbacks USING btree (state, not_before);


--
-- Name: callbacks_state; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX callbacks_state ON switchboard_upgrade_fixture.callbacks USING btree (tenant_id, state, id);


--
-- Name: callbacks_tenant; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX callbacks_tenant ON switchboard_upgrade_fixture.callbacks USING btree (tenant_id, id);


--
-- Name: channel_accounts_tenant; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX channel_accounts_tenant ON switchboard_upgrade_fixture.channel_accounts USING btree (tenant_id, channel);


--
-- Name: conversation_mentions_conversation; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX conversation_mentions_conversation ON switchboard_upgrade_fixture.conversation_mentions USING btree (tenant_id, user_id, conversation_id);


--
-- Name: conversation_tags_tag; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX conversation_tags_tag ON switchboard_upgrade_fixture.conversation_tags USING btree (tenant_id, tag);


--
-- Name: conversations_assignee; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX conversations_assignee ON switchboard_upgrade_fixture.conversations USING btree (tenant_id, status, assignee_id);


--
-- Name: conversations_created; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX conversations_created ON switchboard_upgrade_fixture.conversations USING btree (tenant_id, created_at);


--
-- Name: conversations_persona; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX conversations_persona ON switchboard_upgrade_fixture.conversations USING btree (tenant_id, persona_id, id);


--
-- Name: conversations_status; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX conversations_status ON switchboard_upgrade_fixture.conversations USING btree (tenant_id, status, last_message_at);


--
-- Name: conversations_tenant; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX conversations_tenant ON switchboard_upgrade_fixture.conversations USING btree (tenant_id, id);


--
-- Name: events_tenant_seq; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX events_tenant_seq ON switchboard_upgrade_fixture.events USING btree (tenant_id, seq);


--
-- Name: messages_conversation; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX messages_conversation ON switchboard_upgrade_fixture.messages USING btree (tenant_id, conversation_id, id);


--
-- Name: messages_direction; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX messages_direction ON switchboard_upgrade_fixture.messages USING btree (tenant_id, conversation_id, direction, id);


--
-- Name: messages_external; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE UNIQUE INDEX messages_external ON switchboard_upgrade_fixture.messages USING btree (tenant_id, channel, external_id) WHERE (external_id <> ''::text);


--
-- Name: messages_search; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX messages_search ON switchboard_upgrade_fixture.messages USING gin (search);


--
-- Name: messages_unread; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX messages_unread ON switchboard_upgrade_fixture.messages USING btree (tenant_id, conversation_id) WHERE ((direction = 'in'::text) AND (status <> 'read'::text));


--
-- Name: notify_deliveries_due; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX notify_deliveries_due ON switchboard_upgrade_fixture.notify_deliveries USING btree (due_at) WHERE (status = ANY (ARRAY['pending'::text, 'sent'::text]));


--
-- Name: notify_deliveries_event; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE UNIQUE INDEX notify_deliveries_event ON switchboard_upgrade_fixture.notify_deliveries USING btree (tenant_id, event_id, persona_id);


--
-- Name: notify_deliveries_external; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX notify_deliveries_external ON switchboard_upgrade_fixture.notify_deliveries USING btree (tenant_id, channel, external_id) WHERE (external_id <> ''::text);


--
-- Name: notify_deliveries_lease; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX notify_deliveries_lease ON switchboard_upgrade_fixture.notify_deliveries USING btree (lease_until) WHERE (status = 'sending'::text);


--
-- Name: notify_deliveries_persona; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX notify_deliveries_persona ON switchboard_upgrade_fixture.notify_deliveries USING btree (tenant_id, persona_id, created_at);


--
-- Name: notify_events_idempotency; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE UNIQUE INDEX notify_events_idempotency ON switchboard_upgrade_fixture.notify_events USING btree (tenant_id, idempotency_key) WHERE (idempotency_key <> ''::text);


--
-- Name: persona_identifiers_first; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX persona_identifiers_first ON switchboard_upgrade_fixture.persona_identifiers USING btree (tenant_id, persona_id, kind, verified DESC, created_at, value);


--
-- Name: persona_identifiers_value; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX persona_identifiers_value ON switchboard_upgrade_fixture.persona_identifiers USING btree (kind, value);


--
-- Name: personas_tenant; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX personas_tenant ON switchboard_upgrade_fixture.personas USING btree (tenant_id, id);


--
-- Name: portal_codes_identifier; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX portal_codes_identifier ON switchboard_upgrade_fixture.portal_codes USING btree (identifier, created_at);


--
-- Name: portal_sessions_persona; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX portal_sessions_persona ON switchboard_upgrade_fixture.portal_sessions USING btree (tenant_id, persona_id) WHERE (persona_id <> ''::text);


--
-- Name: push_subscriptions_persona; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX push_subscriptions_persona ON switchboard_upgrade_fixture.push_subscriptions USING btree (tenant_id, persona_id);


--
-- Name: river_job_args_index; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX river_job_args_index ON switchboard_upgrade_fixture.river_job USING gin (args);


--
-- Name: river_job_kind; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX river_job_kind ON switchboard_upgrade_fixture.river_job USING btree (kind);


--
-- Name: river_job_metadata_index; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX river_job_metadata_index ON switchboard_upgrade_fixture.river_job USING gin (metadata);


--
-- Name: river_job_prioritized_fetching_index; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX river_job_prioritized_fetching_index ON switchboard_upgrade_fixture.river_job USING btree (state, queue, priority, scheduled_at, id);


--
-- Name: river_job_state_and_finalized_at_index; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX river_job_state_and_finalized_at_index ON switchboard_upgrade_fixture.river_job USING btree (state, finalized_at) WHERE (finalized_at IS NOT NULL);


--
-- Name: river_job_unique_idx; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE UNIQUE INDEX river_job_unique_idx ON switchboard_upgrade_fixture.river_job USING btree (unique_key) WHERE ((unique_key IS NOT NULL) AND (unique_states IS NOT NULL) AND switchboard_upgrade_fixture.river_job_state_in_bitmask(unique_states, state));


--
-- Name: river_notification_created_at_idx; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX river_notification_created_at_idx ON switchboard_upgrade_fixture.river_notification USING btree (created_at);


--
-- Name: river_notification_topic_id_idx; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX river_notification_topic_id_idx ON switchboard_upgrade_fixture.river_notification USING btree (topic, id);


--
-- Name: routing_decisions_at; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX routing_decisions_at ON switchboard_upgrade_fixture.routing_decisions USING btree (tenant_id, at);


--
-- Name: routing_decisions_conversation; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX routing_decisions_conversation ON switchboard_upgrade_fixture.routing_decisions USING btree (tenant_id, conversation_id, at);


--
-- Name: routing_offers_agent; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX routing_offers_agent ON switchboard_upgrade_fixture.routing_offers USING btree (tenant_id, agent_id, state);


--
-- Name: routing_offers_state; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX routing_offers_state ON switchboard_upgrade_fixture.routing_offers USING btree (state);


--
-- Name: routing_work_active; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX routing_work_active ON switchboard_upgrade_fixture.routing_work USING btree (tenant_id, arrived_at, id) WHERE (state = ANY (ARRAY['waiting'::text, 'offered'::text, 'assigned'::text]));


--
-- Name: routing_work_conversation; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX routing_work_conversation ON switchboard_upgrade_fixture.routing_work USING btree (tenant_id, conversation_id);


--
-- Name: routing_work_queue; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX routing_work_queue ON switchboard_upgrade_fixture.routing_work USING btree (tenant_id, queue_id, conversation_id) WHERE (state = ANY (ARRAY['waiting'::text, 'offered'::text, 'assigned'::text]));


--
-- Name: routing_work_state; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX routing_work_state ON switchboard_upgrade_fixture.routing_work USING btree (tenant_id, state);


--
-- Name: sessions_user; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX sessions_user ON switchboard_upgrade_fixture.sessions USING btree (tenant_id, user_id);


--
-- Name: sla_clocks_conversation_due; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX sla_clocks_conversation_due ON switchboard_upgrade_fixture.sla_clocks USING btree (tenant_id, conversation_id, state, due_at);


--
-- Name: sla_clocks_due; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX sla_clocks_due ON switchboard_upgrade_fixture.sla_clocks USING btree (state, due_at);


--
-- Name: sla_clocks_warn; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX sla_clocks_warn ON switchboard_upgrade_fixture.sla_clocks USING btree (state, warn_at);


--
-- Name: webhook_attempts_delivery; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX webhook_attempts_delivery ON switchboard_upgrade_fixture.webhook_attempts USING btree (tenant_id, delivery_id, attempt);


--
-- Name: webhook_deliveries_endpoint; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX webhook_deliveries_endpoint ON switchboard_upgrade_fixture.webhook_deliveries USING btree (tenant_id, endpoint_id, id);


--
-- Name: webhook_endpoints_tenant; Type: INDEX; Schema: switchboard_upgrade_fixture; Owner: -
--

CREATE INDEX webhook_endpoints_tenant ON switchboard_upgrade_fixture.webhook_endpoints USING btree (tenant_id, id);


--
-- Name: api_keys api_keys_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.api_keys
    ADD CONSTRAINT api_keys_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: attachments attachments_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.attachments
    ADD CONSTRAINT attachments_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: audit_log audit_log_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.audit_log
    ADD CONSTRAINT audit_log_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: calendars calendars_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.calendars
    ADD CONSTRAINT calendars_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: callbacks callbacks_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.callbacks
    ADD CONSTRAINT callbacks_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: canned_responses canned_responses_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.canned_responses
    ADD CONSTRAINT canned_responses_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: channel_accounts channel_accounts_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.channel_accounts
    ADD CONSTRAINT channel_accounts_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: consent_records consent_records_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.consent_records
    ADD CONSTRAINT consent_records_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: conversation_mentions conversation_mentions_conversation_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.conversation_mentions
    ADD CONSTRAINT conversation_mentions_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES switchboard_upgrade_fixture.conversations(id) ON DELETE CASCADE;


--
-- Name: conversation_mentions conversation_mentions_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.conversation_mentions
    ADD CONSTRAINT conversation_mentions_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: conversation_tags conversation_tags_conversation_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.conversation_tags
    ADD CONSTRAINT conversation_tags_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES switchboard_upgrade_fixture.conversations(id) ON DELETE CASCADE;


--
-- Name: conversation_threads conversation_threads_conversation_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.conversation_threads
    ADD CONSTRAINT conversation_threads_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES switchboard_upgrade_fixture.conversations(id) ON DELETE CASCADE;


--
-- Name: conversations conversations_persona_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.conversations
    ADD CONSTRAINT conversations_persona_id_fkey FOREIGN KEY (persona_id) REFERENCES switchboard_upgrade_fixture.personas(id);


--
-- Name: conversations conversations_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.conversations
    ADD CONSTRAINT conversations_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: events events_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.events
    ADD CONSTRAINT events_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: idempotency_keys idempotency_keys_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.idempotency_keys
    ADD CONSTRAINT idempotency_keys_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: macros macros_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.macros
    ADD CONSTRAINT macros_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: messages messages_conversation_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.messages
    ADD CONSTRAINT messages_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES switchboard_upgrade_fixture.conversations(id) ON DELETE CASCADE;


--
-- Name: notification_types notification_types_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.notification_types
    ADD CONSTRAINT notification_types_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: notify_events notify_events_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.notify_events
    ADD CONSTRAINT notify_events_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: notify_prefs notify_prefs_persona_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.notify_prefs
    ADD CONSTRAINT notify_prefs_persona_id_fkey FOREIGN KEY (persona_id) REFERENCES switchboard_upgrade_fixture.personas(id) ON DELETE CASCADE;


--
-- Name: notify_prefs notify_prefs_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.notify_prefs
    ADD CONSTRAINT notify_prefs_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: notify_settings notify_settings_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.notify_settings
    ADD CONSTRAINT notify_settings_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: persona_identifiers persona_identifiers_persona_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.persona_identifiers
    ADD CONSTRAINT persona_identifiers_persona_id_fkey FOREIGN KEY (persona_id) REFERENCES switchboard_upgrade_fixture.personas(id) ON DELETE CASCADE;


--
-- Name: persona_identifiers persona_identifiers_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.persona_identifiers
    ADD CONSTRAINT persona_identifiers_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: persona_merges persona_merges_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.persona_merges
    ADD CONSTRAINT persona_merges_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: personas personas_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.personas
    ADD CONSTRAINT personas_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: presence_states presence_states_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.presence_states
    ADD CONSTRAINT presence_states_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: push_subscriptions push_subscriptions_persona_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.push_subscriptions
    ADD CONSTRAINT push_subscriptions_persona_id_fkey FOREIGN KEY (persona_id) REFERENCES switchboard_upgrade_fixture.personas(id) ON DELETE CASCADE;


--
-- Name: push_subscriptions push_subscriptions_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.push_subscriptions
    ADD CONSTRAINT push_subscriptions_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: routing_agents routing_agents_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.routing_agents
    ADD CONSTRAINT routing_agents_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: routing_agents routing_agents_user_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.routing_agents
    ADD CONSTRAINT routing_agents_user_id_fkey FOREIGN KEY (user_id) REFERENCES switchboard_upgrade_fixture.users(id) ON DELETE CASCADE;


--
-- Name: routing_decisions routing_decisions_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.routing_decisions
    ADD CONSTRAINT routing_decisions_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: routing_offers routing_offers_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.routing_offers
    ADD CONSTRAINT routing_offers_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: routing_queues routing_queues_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.routing_queues
    ADD CONSTRAINT routing_queues_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: routing_work routing_work_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.routing_work
    ADD CONSTRAINT routing_work_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: sessions sessions_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.sessions
    ADD CONSTRAINT sessions_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: sessions sessions_user_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.sessions
    ADD CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES switchboard_upgrade_fixture.users(id) ON DELETE CASCADE;


--
-- Name: sla_clocks sla_clocks_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.sla_clocks
    ADD CONSTRAINT sla_clocks_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: sla_policies sla_policies_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.sla_policies
    ADD CONSTRAINT sla_policies_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: sms_optouts sms_optouts_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.sms_optouts
    ADD CONSTRAINT sms_optouts_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: users users_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.users
    ADD CONSTRAINT users_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: webhook_attempts webhook_attempts_delivery_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.webhook_attempts
    ADD CONSTRAINT webhook_attempts_delivery_id_fkey FOREIGN KEY (delivery_id) REFERENCES switchboard_upgrade_fixture.webhook_deliveries(id) ON DELETE CASCADE;


--
-- Name: webhook_attempts webhook_attempts_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.webhook_attempts
    ADD CONSTRAINT webhook_attempts_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: webhook_deliveries webhook_deliveries_endpoint_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_endpoint_id_fkey FOREIGN KEY (endpoint_id) REFERENCES switchboard_upgrade_fixture.webhook_endpoints(id) ON DELETE CASCADE;


--
-- Name: webhook_deliveries webhook_deliveries_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- Name: webhook_endpoints webhook_endpoints_tenant_id_fkey; Type: FK CONSTRAINT; Schema: switchboard_upgrade_fixture; Owner: -
--

ALTER TABLE ONLY switchboard_upgrade_fixture.webhook_endpoints
    ADD CONSTRAINT webhook_endpoints_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES switchboard_upgrade_fixture.tenants(id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--


