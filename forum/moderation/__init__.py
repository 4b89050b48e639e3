"""Moderation: who is held for review, reports, queues, actions, bans, appeals, the audit log.

Comments only ask (``CommentHooks``); this module answers, wired in ``app.py``.
"""
