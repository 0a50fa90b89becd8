"""The bureau server's work, one module per entity; ``sync.server.service.Service`` puts them together."""
