"""GitHub's error bodies, raised as exceptions by handlers and turned into responses once."""

from __future__ import annotations

from typing import Any

DOCS = "https://docs.github.com/rest"


class ApiError(Exception):
    """An error answer exactly as GitHub words it: ``message``, ``documentation_url``, ``status``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        doc: str = DOCS,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.doc = doc
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"message": self.message}
        if self.errors is not None:
            out["errors"] = self.errors
        out["documentation_url"] = self.doc
        out["status"] = str(self.status)
        return out


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


def bad_credentials() -> ApiError:
    return ApiError(401, "Bad credentials")


def requires_auth() -> ApiError:
    return ApiError(401, "Requires authentication")


def forbidden(message: str = "Resource not accessible by integration") -> ApiError:
    return ApiError(403, message)


def gone() -> ApiError:
    return ApiError(410, "This issue was deleted")


def invalid(resource: str, field: str, code: str = "invalid", **extra: Any) -> ApiError:
    """422 Validation Failed with one error object, e.g. code missing_field / already_exists."""
    err: dict[str, Any] = {"resource": resource, "code": code, "field": field, **extra}
    return ApiError(422, "Validation Failed", errors=[err])


def invalid_request(reason: str) -> ApiError:
    """422 for a body that does not match the documented schema (GitHub's JSON-schema check)."""
    return ApiError(422, f"Invalid request.\n\n{reason}")
