"""Articles: what every comment thread hangs from; the front page; import from Markdown files."""
