"""Pages that compose several features: the child's page with its feature panels, the
search page with child protection flags, and the home page and navigation.

The top floor (docs/architecture.md): it may import every feature; nothing imports it.
"""
