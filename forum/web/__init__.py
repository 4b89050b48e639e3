"""What every page shares: templates, dates, Markdown, pagination, errors and security headers."""
