"""Notification mails about comments: replies to your comments, mentions of you (``@name``),
and watched discussions.

``Notifier.comment_changed`` listens to ``CommentHooks.on_change`` (wired in ``app.py``) and
queues mail through the outbox in the writing transaction; ``service`` holds the preferences
and watches that the account and privacy pages show, export and erase; ``recipients`` says who
hears of a comment, ``digest`` keeps the hourly cap and the digest queue.
"""
