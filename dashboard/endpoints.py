"""Two small HTTP endpoints next to the Streamlit app (``st.App`` routes, see ``dashboard/server.py``):
they set and clear the HttpOnly session cookie, which Streamlit's Python API cannot do.

``POST /_lasna/session`` (form field ``code``): exchanges the one-time handoff code the login
form created (:func:`lasna.websession.start`) for the session cookie.
``POST /_lasna/logout``: revokes the session the cookie names and deletes the cookie.

Both refuse requests whose ``Origin`` is missing or not this server's own origin (login CSRF:
another site must not sign a browser into someone's account or out of its own).
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lasna import websession


@functools.cache
def _store():
    from lasna.store import Store

    return Store.open()


def same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    host = request.headers.get("host")
    if not origin or not host or origin == "null":
        return False
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower()


def _secure(request: Request) -> bool:
    # the Secure flag only narrows where the cookie goes, so a forwarded https is trusted for it
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "").lower() == "https"


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


async def start_session(request: Request) -> Response:
    if not same_origin(request):
        return _no_store(Response("cross-origin request refused", status_code=403))
    form = await request.form()
    code = str(form.get("code") or "")
    result = await run_in_threadpool(websession.finish_handoff, _store(), code)
    if result is None:
        return _no_store(Response("invalid or used code", status_code=400))
    value, max_age = result
    response = Response(status_code=204)
    response.set_cookie(websession.COOKIE_NAME, value, max_age=max_age, path="/", httponly=True,
                        samesite="strict", secure=_secure(request))
    return _no_store(response)


async def end_session(request: Request) -> Response:
    if not same_origin(request):
        return _no_store(Response("cross-origin request refused", status_code=403))
    value = request.cookies.get(websession.COOKIE_NAME)
    row = await run_in_threadpool(websession.parse_cookie, _store(), value)
    if row is not None:
        await run_in_threadpool(websession.end, _store(), row.id)
    response = Response(status_code=204)
    response.delete_cookie(websession.COOKIE_NAME, path="/", httponly=True, samesite="strict",
                           secure=_secure(request))
    return _no_store(response)


def routes() -> list[Route]:
    return [
        Route(websession.HANDOFF_PATH, start_session, methods=["POST"]),
        Route(websession.LOGOUT_PATH, end_session, methods=["POST"]),
    ]
