"""Moving in and out: comment archives from Disqus, WordPress and isso, and the site's own
JSON export. Sits above comments: it writes threads the way comments stores them."""
