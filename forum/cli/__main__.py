"""``python -m forum.cli``: the same as the ``forum`` command."""

from forum.cli import main

main()
