"""Plumbing shared by every aftersales service: envelope, outbox, inbox, queues, db, tenancy."""
