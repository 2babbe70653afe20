"""First start: create a demo tenant so a new user can curl at once."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from sqlalchemy import func, select

from punchcard.db.uow import Database
from punchcard.identity.keys import create_key
from punchcard.kit.crypto import hash_password, random_token
from punchcard.kit.ids import new_id
from punchcard.models import Tenant, User
from punchcard.tenants.service import create_tenant

DEMO_EMAIL = "demo@punchcard.local"


def first_start(db: Database, console: Console, *, base_url: str) -> bool:
    """Create the demo tenant if the database has no tenant yet. True if it did."""
    with db.transaction() as session:
        if session.scalar(select(func.count()).select_from(Tenant)):
            return False
        tenant = create_tenant(session, name="Demo Coffee Co")
        password = random_token(12)
        at = db.clock.now()
        session.add(
            User(
                id=new_id(),
                tenant_id=tenant.id,
                email=DEMO_EMAIL,
                name="Demo Owner",
                role="owner",
                password_hash=hash_password(password),
                created_at=at,
                updated_at=at,
            )
        )
        key = create_key(session, tenant.id, name="demo", preset="write")
        partner_id = tenant.partner_id
    console.print(
        Panel.fit(
            "\n".join(
                [
                    "[bold]Punchcard is ready. A demo tenant was created (shown once):[/bold]",
                    "",
                    f"  dashboard login : {DEMO_EMAIL}",
                    f"  password        : {password}",
                    f"  partner id      : {partner_id}",
                    f"  API key         : {key.plaintext}",
                    "",
                    "Try it:",
                    f"  export PUNCHCARD_KEY={key.plaintext}",
                    f'  curl -H "Authorization: Bearer $PUNCHCARD_KEY" {base_url}/api/v2/members',
                    f"  API docs: {base_url}/api/v2/docs",
                    f"  dashboard: {base_url}/dashboard/login",
                    "",
                    "Want a tenant full of data (1,000 members, a year of orders)?",
                    "  punchcard demo            (prints its own login and API key)",
                ]
            ),
            title="first start",
        )
    )
    return True
