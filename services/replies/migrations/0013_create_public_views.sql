-- The replies service's public interface (README "Public views"): the read API and analysts read these,
-- never the tables, so the tables can change within v1 without breaking another team's code.

-- Every stored inbound message, once per (session_id, provider_message_id). linked_provider_message_id
-- and link_method are the link decided when it was stored; a link that moved since is in
-- replies_links_v1 (the current link: the highest version there, else this one).
CREATE VIEW IF NOT EXISTS {db}.replies_inbound_v1 AS
SELECT session_id, provider_message_id, event_id, provider, from_id, contact_name, type, text,
       reply_to_provider_message_id, reaction_to_provider_message_id, linked_provider_message_id,
       link_method, occurred_at, received_at
FROM {db}.replies_inbound;

-- Moved links: one row per move, version 1, 2, … per reply.
CREATE VIEW IF NOT EXISTS {db}.replies_links_v1 AS
SELECT session_id, provider_message_id, linked_provider_message_id, link_method,
       previous_provider_message_id, occurred_at, version
FROM {db}.replies_links;

-- The outbound messages the service knows, with their dimensions; cohort_at is null while the message
-- has neither a registered sentAt nor a status.
CREATE VIEW IF NOT EXISTS {db}.replies_outbound_v1 AS
SELECT session_id, provider_message_id, message_id, recipient AS contact, campaign_id AS campaign,
       if(category != '', category, pricing_category) AS category, country, template,
       ifNull(registered_sent_at, first_status_at) AS cohort_at
FROM {db}.replies_outbound_index FINAL;
