"""The one HTTP client for remote stores: `orgkg load` (Graph Store protocol, SPARQL Update) and
`--endpoint` queries (SPARQL protocol).

- Credentials only from the environment (ORGKG_STORE_TOKEN for a bearer token,
  ORGKG_STORE_USER/ORGKG_STORE_PASSWORD) or ~/.netrc ($NETRC); a URL carrying `user:password@`
  is refused, so a password never sits in argv, shell history or a message.
- A deadline for the whole answer, not for each read: a server trickling one byte a second
  cannot stretch `--timeout`.
- Connection errors and 5xx answers are retried with backoff; 4xx answers are not.
- Every URL in a message is redacted (no userinfo, secret-looking query values masked).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

if TYPE_CHECKING:
    from requests.auth import AuthBase

    from orgkg.results import Results

from orgkg.errors import OrgkgError
from orgkg.guards import QueryTimeout, run_with_deadline

CONNECT_TIMEOUT = 10.0
_SECRET_KEYS = ("pass", "token", "key", "secret", "auth", "sig")


class HttpError(OrgkgError):
    """A request failed; the message names the store by its redacted address."""


class Transient(HttpError):
    """A connection error or a 5xx answer: worth another attempt."""


class UnexpectedAnswer(HttpError):
    """The server answered, but not in the format the protocol promises (another service at the URL)."""


class CredentialsInUrl(HttpError):
    """The URL carries user:password@; credentials belong in the environment or ~/.netrc."""


def redact(url: str) -> str:
    """The URL without userinfo and with secret-looking query values masked."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "<an invalid URL>"
    netloc = (f"[{host}]" if ":" in host else host) + (f":{port}" if port else "")
    query = urlencode(
        [
            (k, "***" if any(s in k.lower() for s in _SECRET_KEYS) else v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        ]
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def host_of(url: str) -> str:
    """host:port of a URL, for messages."""
    return urlsplit(redact(url)).netloc


def check_url(url: str) -> str:
    """An http(s) URL without credentials in it, or HttpError saying what to do."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError on a malformed port
    except ValueError:
        raise HttpError(f"{redact(url)} is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HttpError(f"the URL must start with http:// or https:// and name a host, got {redact(url)!r}")
    if parts.username is not None or parts.password is not None:
        raise CredentialsInUrl(
            f"{redact(url)}: credentials do not go in the URL; set ORGKG_STORE_USER and "
            "ORGKG_STORE_PASSWORD (or ORGKG_STORE_TOKEN), or add the host to ~/.netrc"
        )
    return url


def credentials(url: str, digest: bool) -> tuple[dict, AuthBase | None]:
    """Headers and auth from ORGKG_STORE_TOKEN, ORGKG_STORE_USER/PASSWORD or ~/.netrc, never argv."""
    from requests.auth import HTTPBasicAuth, HTTPDigestAuth
    from requests.utils import get_netrc_auth

    if token := os.environ.get("ORGKG_STORE_TOKEN"):
        return {"Authorization": f"Bearer {token}"}, None
    user, password = os.environ.get("ORGKG_STORE_USER"), os.environ.get("ORGKG_STORE_PASSWORD", "")
    if not user:
        user, password = get_netrc_auth(url) or (None, "")
    if not user:
        return {}, None
    return {}, (HTTPDigestAuth if digest else HTTPBasicAuth)(user, password)


@dataclass
class Answer:
    status: int
    headers: dict
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


class Client:
    """A session to one store: credentials, whole-answer deadlines, retries, redacted messages."""

    def __init__(
        self,
        base_url: str,
        timeout: float = 120.0,
        digest: bool = False,
        attempts: int = 3,
        backoff: float = 0.5,
        notice: Callable[[str], None] = lambda message: None,
    ):
        self.base = check_url(base_url).rstrip("/")
        self.timeout, self.attempts, self.backoff, self.notice = timeout, attempts, backoff, notice
        self.digest = digest
        self.session = self._session()
        self.answered = False  # whether the store has answered anything yet
        #: Requests abandoned at their timeout: (their exchange has ended, the store answered them).
        self.abandoned: list[tuple[threading.Event, threading.Event]] = []
        self.server = ""  # the Server header of the last answer: which engine the store runs

    def _session(self):
        import requests

        session = requests.Session()
        headers, session.auth = credentials(self.base, self.digest)
        session.headers.update(headers)
        return session

    def once(self, method: str, url: str, timeout: float | None = None, **kwargs) -> Answer:
        """One request, its whole answer within `timeout` (default the client's): an Answer
        (2xx/3xx), or Transient (worth retrying), or HttpError (not)."""
        import requests

        host, timeout = host_of(url), timeout or self.timeout
        session, answered = self.session, threading.Event()

        def exchange() -> Answer:
            # Abandoned at `timeout`, the exchange listens on as long again for the store's answer
            # (see `settled`): closing the connection would not stop a store that has the request.
            response = session.request(method, url, timeout=(CONNECT_TIMEOUT, 2 * timeout), **kwargs)
            answered.set()
            return Answer(response.status_code, dict(response.headers), response.content)

        try:
            answer = run_with_deadline(exchange, timeout, settle=True)
        except KeyboardInterrupt:
            if not answered.is_set():  # given up on (the answer was awaited already): unknown
                given_up = threading.Event()
                given_up.set()
                self.abandoned.append((given_up, answered))
            raise
        except QueryTimeout as late:
            self.abandoned.append((late.finished, answered))
            self.session = self._session()  # the abandoned exchange keeps its connection
            raise HttpError(
                f"{host} did not answer within {timeout:g} s (a slower store needs a longer timeout)", option="timeout"
            ) from None
        except requests.Timeout:
            raise HttpError(
                f"{host} did not answer within {timeout:g} s (a slower store needs a longer timeout)", option="timeout"
            ) from None
        except requests.ConnectionError as error:  # includes connect timeouts and resets
            raise Transient(f"cannot reach {host} ({error.__class__.__name__})") from None
        except requests.RequestException as error:
            raise HttpError(f"request to {host} failed ({error.__class__.__name__})") from None
        self.answered = True
        self.server = next((value for key, value in answer.headers.items() if key.lower() == "server"), "")
        if answer.status == 401:
            raise HttpError(
                f"{host} refused the credentials (HTTP 401); set ORGKG_STORE_USER/ORGKG_STORE_PASSWORD "
                "or ORGKG_STORE_TOKEN, or add the host to ~/.netrc"
            )
        if answer.status == 403:
            raise HttpError(
                f"{host} forbids this (HTTP 403): the account may not write there, or the service is read-only"
            )
        if answer.status >= 400:
            text = " ".join(answer.text.split())[:200]
            failure = f"{host} answered HTTP {answer.status}" + (f": {text}" if text else "")
            raise (Transient if answer.status >= 500 else HttpError)(failure)
        return answer

    def settled(self, seconds: float) -> bool:
        """Wait up to `seconds` for the answers of requests abandoned at their timeout: True once
        the store has answered every one (done with them: nothing of theirs can land later);
        False if one is unanswered, or its connection broke (the store may still apply it)."""
        deadline = time.monotonic() + seconds
        for ended, _ in self.abandoned:
            ended.wait(max(0.0, deadline - time.monotonic()))
        return all(answered.is_set() for _, answered in self.abandoned)

    def retrying(self, what: str, action: Callable[[], Answer]) -> Answer:
        """`action` until it succeeds, retrying Transient failures with exponential backoff."""
        for attempt in range(1, self.attempts + 1):
            try:
                return action()
            except Transient as error:
                failure = str(error)
            except HttpError as error:
                raise HttpError(f"{what}: {error}", error.option) from None
            if attempt < self.attempts:
                delay = self.backoff * 2 ** (attempt - 1)
                self.notice(f"{what}: {failure}; retrying in {delay:g} s")
                time.sleep(delay)
        raise HttpError(f"{what}: {failure} (after {self.attempts} attempts)")

    def query(
        self, url: str, sparql: str, what: str, graph: bool = False, retry: bool = True, timeout: float | None = None
    ) -> Results:
        """A SPARQL protocol query (POST, form-encoded): a SELECT or ASK answer in SPARQL 1.1 JSON,
        or with `graph` a CONSTRUCT or DESCRIBE answer in N-Triples, read into pyoxigraph terms
        (orgkg.terms); UnexpectedAnswer when the body is neither. `timeout`: the client's unless given."""
        import json

        import pyoxigraph as ox

        from orgkg.results import Results, from_sparql_json

        accept = "application/n-triples" if graph else "application/sparql-results+json"
        answer = self.request(
            "POST", url, what, retry=retry, timeout=timeout, data={"query": sparql}, headers={"Accept": accept}
        )
        try:
            if graph:
                return Results(triples=list(ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES)))
            return from_sparql_json(json.loads(answer.content))
        except (ValueError, SyntaxError):
            kind = "N-Triples" if graph else "SPARQL results JSON"
            raise UnexpectedAnswer(
                f"{redact(url)} did not answer with {kind} ({answer.headers.get('Content-Type', 'no content type')})"
            ) from None

    def request(self, method: str, url: str, what: str, retry: bool = True, **kwargs) -> Answer:
        if retry:
            return self.retrying(what, lambda: self.once(method, url, **kwargs))
        try:
            return self.once(method, url, **kwargs)
        except HttpError as error:
            raise HttpError(f"{what}: {error}", error.option) from None
