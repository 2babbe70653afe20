"""``punchcard mcp``: a read-only Model Context Protocol server over one tenant's
program, on stdio (``punchcard mcp``) and streamable HTTP (``/mcp`` in the app).

``tools``: the tool implementations (plain functions on a session and a principal);
``auth``: the API-key check both transports share; ``server``: the official SDK's
``MCPServer`` with the tools registered. The HTTP transport at ``/mcp`` is a face's
job (``punchcard.api.mcp_http``): this package imports no HTTP framework.
"""
