"""The newsdesk command line and local stack (imports moto, so it is not part of the layer)."""
