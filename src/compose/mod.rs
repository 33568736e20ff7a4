//! Writing to clients: templates, guardrails, RFC 5322 messages, calendar updates and delivery.
