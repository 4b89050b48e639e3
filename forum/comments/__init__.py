"""Comments: the thread under every article — tree storage, posting, editing, rendering, feeds."""
