"""``manage.py seed``: the chart of accounts and a fixed history.

With ``--migrate``, runs ``migrate`` first. Creates the "points issued" liability account, a "members" asset account with one
child account per member, and ``--history`` awards of 5 points to ``--history-member``
(the member whose balance the benchmark reads).
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from hordak.models import Account, AccountType
from moneyed import Money

from peer_project.accounts import CURRENCY, ISSUED_CODE, MEMBERS_CODE, member_code


class Command(BaseCommand):
    help = "Create the accounts (and a history) the benchmark uses."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--members", type=int, default=1000)
        parser.add_argument("--history", type=int, default=100)
        parser.add_argument("--history-member", type=int, default=2)
        parser.add_argument("--migrate", action="store_true", help="run migrate first")

    def handle(self, *args, members: int, history: int, history_member: int, **options):  # type: ignore[no-untyped-def]
        if options["migrate"]:
            call_command("migrate", verbosity=0)
        with transaction.atomic():
            issued = Account.objects.create(
                name="Points issued", code=ISSUED_CODE, type=AccountType.liability
            )
            root = Account.objects.create(name="Members", code=MEMBERS_CODE, type=AccountType.asset)
            # One by one: hordak's full-code trigger needs mptt's tree kept up to date.
            for n in range(1, members + 1):
                Account.objects.create(parent=root, name=f"Member {n}", code=member_code(n))
        target = Account.objects.get(parent=root, code=member_code(history_member))
        for _ in range(history):
            issued.transfer_to(target, Money(5, CURRENCY), description="seed")
        self.stdout.write(f"seeded {members} members, {history} awards to member {history_member}")
