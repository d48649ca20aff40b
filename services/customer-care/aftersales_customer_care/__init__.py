"""Customer care: follow-ups, complaints, reminders, the customer archive."""
