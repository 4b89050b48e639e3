"""Outgoing mail: one outbox, used by every module that sends mail.

Mail is queued in the caller's transaction (a rolled-back request sends nothing) and delivered
afterwards by a background worker or ``forum mail send``: over SMTP when ``FORUM_SMTP_URL`` is
set, otherwise as ``.eml`` files under ``var/mail/``. A mail server that is down delays mail,
never loses it. No address, body or password is ever logged.
"""
