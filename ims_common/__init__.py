"""Shared package of IMS: event envelope, event store and document store ports, config, test helpers."""
