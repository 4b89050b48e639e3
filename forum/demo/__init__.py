"""Demo content for a fresh install: the seed article with a realistic discussion, a few more
articles, and demo accounts with a known password (``forum demo``; never over https)."""
