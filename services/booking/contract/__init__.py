"""The public contract of the booking events (docs/events/): schemas per (type, version), upcasters,
the public projection, and the generator of the JSON Schemas and the AsyncAPI document."""
