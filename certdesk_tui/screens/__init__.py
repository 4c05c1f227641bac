"""Modal screens: each asks one question and dismisses with the answer; none calls the service."""
