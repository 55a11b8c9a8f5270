"""Who hands a UBL document to the Peppol network: chosen by settings.PEPPOL_SENDER.

A sender has `send(filename, xml, key)` → SendResult, raising SendError (retriable or not), and
`status(reference)` → (status, message) for documents already handed over.

- `FolderSender` ("folder", the embedded default): writes the XML into PEPPOL_OUTBOX_DIR, for a
  gateway that picks files up. A receipt file `<name>.delivered` or `<name>.failed` (its text
  the reason) written back beside it reports the outcome.
- `HttpSender` ("http"): an access-point provider's REST API at PEPPOL_API_URL, bearer token
  PEPPOL_API_TOKEN. `POST {url}/documents` with the XML (`Idempotency-Key`: the document's
  SHA-256) answers `{"id": ..., "status": "sent"|"delivered"}`; `GET {url}/documents/{id}`
  answers `{"status": "sent"|"delivered"|"failed", "message": ...}`.
"""

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

SENT, DELIVERED, FAILED = "sent", "delivered", "failed"


@dataclass(frozen=True)
class SendResult:
    reference: str
    status: str = SENT


class SendError(Exception):
    """The document was not handed over. `retriable`: worth trying again later."""

    def __init__(self, message: str, *, retriable: bool):
        super().__init__(message)
        self.message = message
        self.retriable = retriable


class FolderSender:
    name = "folder"

    def __init__(self, directory=None):
        self.directory = Path(directory or settings.PEPPOL_OUTBOX_DIR)

    def send(self, *, filename: str, xml: bytes, key: str) -> SendResult:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            partial = self.directory / f".{filename}.part"
            partial.write_bytes(xml)
            os.replace(partial, self.directory / filename)  # a gateway never sees half a file
        except OSError as exc:
            raise SendError(
                f"Cannot write to the Peppol outbox: {exc.strerror or exc}", retriable=True
            ) from exc
        return SendResult(reference=filename)

    def status(self, reference: str) -> tuple[str, str]:
        failed = self.directory / f"{reference}.failed"
        if failed.exists():
            return FAILED, failed.read_text(errors="replace").strip()[:1000] or "Rejected by the gateway."
        if (self.directory / f"{reference}.delivered").exists():
            return DELIVERED, ""
        return SENT, ""


class HttpSender:
    name = "http"

    def __init__(self, url=None, token=None, timeout=None):
        self.url = (url or settings.PEPPOL_API_URL).rstrip("/")
        self.token = token if token is not None else settings.PEPPOL_API_TOKEN
        self.timeout = timeout or settings.PEPPOL_API_TIMEOUT
        if not self.url:
            raise SendError("PEPPOL_API_URL is not set: no access point to send to.", retriable=False)

    def _request(self, method: str, path: str, *, body: bytes | None = None, headers=None) -> dict:
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=body,
            method=method,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Accept": "application/json",
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            detail = _error_text(exc.read())
            # Throttling, time-outs and server trouble pass; anything else is the document's fault.
            retriable = exc.code in (408, 425, 429) or exc.code >= 500
            raise SendError(f"The access point answered {exc.code}: {detail}", retriable=retriable) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SendError(f"The access point cannot be reached: {reason}", retriable=True) from exc
        try:
            return json.loads(payload or b"{}")
        except ValueError as exc:
            raise SendError("The access point answered something that is not JSON.", retriable=True) from exc

    def send(self, *, filename: str, xml: bytes, key: str) -> SendResult:
        answer = self._request(
            "POST",
            "/documents",
            body=xml,
            headers={"Content-Type": "application/xml", "Idempotency-Key": key, "X-Filename": filename},
        )
        reference = str(answer.get("id") or "")
        if not reference:
            raise SendError("The access point accepted the document but gave no id.", retriable=True)
        return SendResult(
            reference=reference, status=DELIVERED if answer.get("status") == DELIVERED else SENT
        )

    def status(self, reference: str) -> tuple[str, str]:
        answer = self._request("GET", f"/documents/{urllib.request.quote(reference, safe='')}")
        status = answer.get("status")
        if status == DELIVERED:
            return DELIVERED, ""
        if status == FAILED:
            return FAILED, str(answer.get("message") or "Rejected by the access point.")[:1000]
        return SENT, ""


def _error_text(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return body.decode(errors="replace").strip()[:500] or "no reason given"
    if isinstance(data, dict):
        for key in ("message", "detail", "error"):
            if data.get(key):
                return str(data[key])[:500]
    return str(data)[:500]


SENDERS = {FolderSender.name: FolderSender, HttpSender.name: HttpSender}


def get_sender():
    name = settings.PEPPOL_SENDER
    if name not in SENDERS:
        raise SendError(f"PEPPOL_SENDER={name!r} is not one of {', '.join(SENDERS)}.", retriable=False)
    return SENDERS[name]()
