"""A province's workflow through the client that openapi-python-client generated from
openapi/openapi.json, unmodified: search, page, overlap check and its receipt, create with a token,
PATCH with If-Match, 412 on a stale tag, 304 on a current one, and the change feed to its end.

Usage: python workflow.py BASE_URL BTC_TOKEN (the generated package `ndp_client` on sys.path)."""

import sys
import uuid

from ndp_client import AuthenticatedClient, Client
from ndp_client.api.changes import list_changes
from ndp_client.api.overlap_checks import create_overlap_check, get_overlap_check
from ndp_client.api.platforms import create_platform, get_platform, list_platforms, patch_platform
from ndp_client.models import (
    Domain,
    NewPlatformInput,
    OverlapCheckRequest,
    PaginatedPlatformResponse,
    PlatformChange,
    PlatformPatch,
    PlatformResponse,
    PlatformStatus,
    Problem,
    Requester,
    Verdict,
)

base, token = sys.argv[1], sys.argv[2]
public = Client(base_url=base, raise_on_unexpected_status=True)
ministry = AuthenticatedClient(base_url=base, token=token, raise_on_unexpected_status=True)


def check(condition: bool, what: str) -> None:
    if not condition:
        sys.exit(f"workflow: {what}")
    print(f"ok: {what}")


# Search without diacritics, then the second page of a filtered list.
found = list_platforms.sync_detailed(client=public, q="hoa don dien tu", per_page=5)
check(isinstance(found.parsed, PaginatedPlatformResponse), "search answers a typed page")
assert isinstance(found.parsed, PaginatedPlatformResponse)
check(found.parsed.items[0].code == "nen-tang-hoa-don-dien-tu", "search finds the e-invoice platform first")
check(isinstance(found.parsed.items[0], PlatformResponse), "page items are PlatformResponse")
second = list_platforms.sync(client=public, page=2, per_page=10)
assert isinstance(second, PaginatedPlatformResponse)
check(second.page == 2 and len(second.items) == 10, "page 2 of 10")
check("rel=\"next\"" in list_platforms.sync_detailed(client=public, page=2, per_page=10).headers["link"], "Link header")

# Before procurement: an overlap check, and its receipt read back byte for byte.
request = OverlapCheckRequest(
    title="Xây dựng hệ thống hóa đơn điện tử dùng chung của tỉnh",
    description="Phần mềm phát hành, tra cứu hóa đơn điện tử cho doanh nghiệp",
    domains=[Domain.TAX],
    requester=Requester(province="Quảng Ngãi"),
)
checked = create_overlap_check.sync_detailed(client=public, body=request)
check(checked.status_code == 201, "overlap check stored")
receipt = checked.parsed
assert receipt is not None and not isinstance(receipt, Problem)
check(receipt.verdict == Verdict.LIKELY_DUPLICATE, "verdict likely_duplicate")
again = get_overlap_check.sync_detailed(client=public, id=receipt.id)
check(again.content == checked.content, "the receipt reads back byte for byte")

# A ministry back-office creates a platform with its token.
code = f"qlvb-btc-{uuid.uuid4().hex[:8]}"
created = create_platform.sync_detailed(
    client=ministry,
    idempotency_key=str(uuid.uuid4()),
    body=NewPlatformInput(
        code=code,
        name_vi="Hệ thống quản lý văn bản và điều hành",
        name_en="Document management and administration system",
        domains=[Domain.GOVERNMENT_OPERATIONS],
        status=PlatformStatus.OPERATIONAL,
    ),
)
check(created.status_code == 201, f"created {code}")
assert isinstance(created.parsed, PlatformResponse)
check(created.parsed.ministry == "BTC", "owned by the token's ministry")
etag = created.headers["etag"]

# PATCH with If-Match, then the old tag is stale (412), the new one current (304).
patched = patch_platform.sync_detailed(
    code, client=ministry, if_match=etag, body=PlatformPatch(status=PlatformStatus.PILOTING)
)
check(patched.status_code == 200, "PATCH with the current If-Match")
assert isinstance(patched.parsed, PlatformResponse)
check(patched.parsed.status == PlatformStatus.PILOTING, "status changed")
stale = patch_platform.sync_detailed(
    code, client=ministry, if_match=etag, body=PlatformPatch(status=PlatformStatus.OPERATIONAL)
)
check(stale.status_code == 412, "a stale If-Match is 412")
check(isinstance(stale.parsed, Problem) and stale.parsed.code == "precondition_failed", "412 problem")
current = patched.headers["etag"]
cached = get_platform.sync_detailed(code, client=public, if_none_match=current)
check(cached.status_code == 304 and cached.content == b"", "a current If-None-Match is 304")

# The change feed to its end: the mirror ends with the new platform in its new state.
mirror: dict[str, PlatformResponse] = {}
cursor, pages = "0", 0
while True:
    page = list_changes.sync(client=public, after=cursor, limit=50)
    assert page is not None and not isinstance(page, Problem)
    for item in page.items:
        if isinstance(item, PlatformChange):
            if isinstance(item.state, PlatformResponse):
                mirror[item.key] = item.state
            else:
                mirror.pop(item.key, None)
    cursor, pages = page.next_cursor, pages + 1
    if not page.has_more:
        break
check(pages > 1, f"feed read in {pages} pages")
check(mirror[code].status == PlatformStatus.PILOTING, "the mirror holds the patched state")
check(len(mirror) >= 80, f"the mirror holds {len(mirror)} platforms")
print("workflow: every step passed through the generated client")
