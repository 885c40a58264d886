"""Site-wide pages and plumbing: the root redirect, health check, sitemap, templating."""
