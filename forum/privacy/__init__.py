"""Privacy: cookie consent, policies, privacy settings, export and erasure."""
