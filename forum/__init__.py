"""forum: a discussion forum where every article anchors a threaded comment thread.

Importing this package reads no environment and opens no database; see ``forum.app.create_app``.
"""
