"""Two views over hordak, written the way its docs show: nothing Punchcard-like on top.

- ``POST /award/<member>`` body ``{"amount": N}``: ``Account.transfer_to`` (one
  ``transaction.atomic()``: a Transaction and two Legs, checked by hordak's triggers)
  from the "points issued" liability account to the member's account.
- ``GET /balance/<member>``: ``Account.objects.with_balances()`` (hordak's one-query
  ``GET_BALANCE()`` database function, which sums the account's legs).
"""

from __future__ import annotations

import json
from functools import cache

from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET, require_POST
from hordak.models import Account
from moneyed import Money

from peer_project.accounts import CURRENCY, ISSUED_CODE, member_full_code


@cache
def _issued() -> Account:
    return Account.objects.get(full_code=ISSUED_CODE)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


@require_POST
def award(request: HttpRequest, member: int) -> JsonResponse:
    amount = int(json.loads(request.body)["amount"])
    account = get_object_or_404(Account, full_code=member_full_code(member))
    tx = _issued().transfer_to(account, Money(amount, CURRENCY), description="award")
    return JsonResponse({"transactionId": str(tx.uuid)}, status=201)


@require_GET
def balance(request: HttpRequest, member: int) -> JsonResponse:
    account = get_object_or_404(Account.objects.with_balances(), full_code=member_full_code(member))
    return JsonResponse({"member": member, "balance": int(account.balance[CURRENCY].amount)})
