"""The year plan: demand over twelve months and the team, month by month."""
