"""The one HTTP runtime: auth and re-login, retries, Retry-After, bounded answers, REST cache."""
