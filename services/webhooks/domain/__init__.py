"""The webhooks domain: signing, subscription rules, retry schedule (plain Python)."""
